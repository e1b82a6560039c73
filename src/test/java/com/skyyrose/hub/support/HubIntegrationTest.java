package com.skyyrose.hub.support;

import org.springframework.boot.test.autoconfigure.actuate.observability.AutoConfigureObservability;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;

/**
 * Base of the tests that run the whole hub against this machine's PostgreSQL and Redis (never mocks).
 * {@code HUB_TEST_DATABASE_URL} / {@code HUB_TEST_REDIS_URL} point them elsewhere (e.g. a database per worktree).
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = {
        "DATABASE_URL=" + HubIntegrationTest.TEST_DATABASE_URL,
        "REDIS_URL=" + HubIntegrationTest.TEST_REDIS_URL,
        "HUB_ROUTES_RELOAD=false",
        // also in src/test/resources/config/application.properties, so hubs started with RunningHub have them too
        "HUB_ADMIN_EMAIL=" + TestAuth.ADMIN_EMAIL,
        "HUB_ADMIN_PASSWORD=" + TestAuth.ADMIN_PASSWORD
})
@AutoConfigureObservability
public abstract class HubIntegrationTest {

    public static final String TEST_DATABASE_URL =
            "${HUB_TEST_DATABASE_URL:postgres://postgres@127.0.0.1:5432/test}";
    public static final String TEST_REDIS_URL = "${HUB_TEST_REDIS_URL:redis://127.0.0.1:6379/0}";

    @LocalServerPort
    protected int port;

    protected TestHttp http() {
        return new TestHttp("http://127.0.0.1:" + port);
    }
}
