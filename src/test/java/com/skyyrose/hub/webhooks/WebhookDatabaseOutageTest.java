package com.skyyrose.hub.webhooks;

import static org.assertj.core.api.Assertions.assertThat;

import com.skyyrose.hub.support.HubIntegrationTest;
import com.skyyrose.hub.support.RunningHub;
import com.skyyrose.hub.support.TestHttp;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Never a 2xx for an event that is not stored: the hub runs against a PostgreSQL of the test's own (embedded,
 * never the shared server), which is stopped (deliveries get 503) and started again on the same port and data
 * (deliveries are accepted again without restarting the hub).
 */
class WebhookDatabaseOutageTest {

    private static final String KEY = "outage-secret";
    private EmbeddedPostgres postgres;

    @AfterEach
    void stop() throws IOException {
        if (postgres != null) {
            postgres.close();
        }
    }

    private static EmbeddedPostgres start(Path data, int port) throws IOException {
        return EmbeddedPostgres.builder().setDataDirectory(data).setCleanDataDirectory(false).setPort(port)
                .setPGStartupWait(Duration.ofSeconds(60)).setRegisterShutdownHook(false).start();
    }

    @Test
    void deliveriesGet503WhilePostgresIsDownAndAreAcceptedAgainWhenItReturns() throws Exception {
        Path data = Files.createTempDirectory("webhook-outage-pg");
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        postgres = start(data, port);
        List<String> accepted = new ArrayList<>();
        try (RunningHub hub = RunningHub.start("DATABASE_URL=postgres://postgres@127.0.0.1:" + port + "/postgres",
                "REDIS_URL=" + HubIntegrationTest.TEST_REDIS_URL, "HUB_ROUTES_RELOAD=false",
                "DB_CONNECTION_TIMEOUT=1s", "WOOCOMMERCE_WEBHOOK_SECRET=" + KEY,
                "HUB_WEBHOOKS_RECONCILE_ENABLED=false")) {
            WooCommerceSender woo = new WooCommerceSender(hub.http(), KEY);
            String first = body(1);
            assertThat(woo.deliver("default", "product.updated", first).status()).isEqualTo(200);
            accepted.add(first);

            postgres.close();
            postgres = null;
            TestHttp.Reply down = woo.deliver("default", "product.updated", body(2));
            assertThat(down.status()).isEqualTo(503);
            assertThat(down.header("Retry-After")).isPresent();
            assertThat(down.contentType()).startsWith("application/problem+json");

            postgres = start(data, port);
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            int status = 0;
            int n = 3;
            while (System.nanoTime() < deadline && status != 200) {
                String b = body(n++);
                status = woo.deliver("default", "product.updated", b).status();
                assertThat(status).isIn(200, 503);
                if (status == 200) {
                    accepted.add(b);
                }
            }
            assertThat(status).as("accepted again after PostgreSQL came back").isEqualTo(200);
        }
        // every 2xx is stored; the 503 one is not
        try (Connection c = postgres.getPostgresDatabase().getConnection();
                ResultSet rs = c.createStatement().executeQuery(
                        "SELECT convert_from(payload, 'UTF8') FROM webhook_event ORDER BY id")) {
            List<String> stored = new ArrayList<>();
            while (rs.next()) {
                stored.add(rs.getString(1));
            }
            assertThat(stored).containsExactlyElementsOf(accepted);
        }
    }

    private static String body(int n) {
        return WooCommerceSender.wpJson(WooCommerceSender.sample("product").put("id", 5000 + n));
    }
}
