package com.skyyrose.hub.support;

import com.skyyrose.hub.platform.DatabaseUrl;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
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

    /**
     * A new, empty database beside the test database (same server; named after it plus {@code suffix}, dropped first),
     * for a test whose data must neither meet the other tests' nor be seen by them; returns its URL for
     * {@code DATABASE_URL}.
     */
    public static String freshDatabase(String suffix) {
        String url = System.getenv().getOrDefault("HUB_TEST_DATABASE_URL",
                TEST_DATABASE_URL.substring(TEST_DATABASE_URL.indexOf(':') + 1, TEST_DATABASE_URL.length() - 1));
        DatabaseUrl db = DatabaseUrl.parse(url);
        String current = db.jdbcUrl().replaceFirst("^.*/([^/?]+)(\\?.*)?$", "$1");
        String name = current + "_" + suffix;
        try (Connection c = DriverManager.getConnection(db.jdbcUrl(), db.username(), db.password());
                Statement st = c.createStatement()) {
            st.execute("DROP DATABASE IF EXISTS " + name + " WITH (FORCE)");
            st.execute("CREATE DATABASE " + name);
        } catch (SQLException e) {
            throw new IllegalStateException("cannot create test database " + name, e);
        }
        return url.replaceFirst("/" + current + "(\\?|$)", "/" + name + "$1");
    }

    @LocalServerPort
    protected int port;

    protected TestHttp http() {
        return new TestHttp("http://127.0.0.1:" + port);
    }
}
