package com.skyyrose.hub.webhooks;

import static org.assertj.core.api.Assertions.assertThat;

import com.skyyrose.hub.support.HubIntegrationTest;
import com.skyyrose.hub.support.TestHttp;
import java.io.File;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Crash safety: a hub in its own JVM receives signed deliveries from a load generator, is killed with SIGKILL
 * mid-stream and started again. Afterwards every delivery that got a 2xx is stored, and every stored event was
 * processed exactly once (each distinct order's state row counts the events applied to it: exactly 1).
 */
class WebhookCrashTest {

    private static final String KEY = "crash-secret&<x>";
    private final List<Process> hubs = new ArrayList<>();

    @AfterEach
    void killHubs() throws InterruptedException {
        for (Process p : hubs) {
            p.destroyForcibly();
            p.waitFor(20, TimeUnit.SECONDS);
        }
    }

    @Test
    void everyAcknowledgedDeliverySurvivesKill9AndIsProcessedExactlyOnce() throws Exception {
        String source = "crash" + Long.toString(ThreadLocalRandom.current().nextLong(1L << 40), 36);
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        Path dataDir = Files.createTempDirectory("webhook-crash");
        String base = "http://127.0.0.1:" + port;
        hubs.add(startHub(port, source, dataDir));
        awaitUp(base, Duration.ofSeconds(180));

        Set<Long> acknowledged = ConcurrentHashMap.newKeySet();
        AtomicLong next = new AtomicLong(1);
        AtomicLong failures = new AtomicLong();
        AtomicBoolean running = new AtomicBoolean(true);
        HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
        int threads = 8;
        ExecutorService load = Executors.newFixedThreadPool(threads);
        for (int t = 0; t < threads; t++) {
            load.submit(() -> {
                while (running.get()) {
                    long id = next.getAndIncrement();
                    String body = WooCommerceSender.wpJson(WooCommerceSender.sample("order").put("id", id)
                            .put("date_modified_gmt", "2026-11-27T12:00:00"));
                    try {
                        HttpResponse<String> r = client.send(HttpRequest.newBuilder(
                                URI.create(base + "/webhooks/woocommerce/" + source))
                                .timeout(Duration.ofSeconds(10))
                                .header("Content-Type", "application/json")
                                .header("X-WC-Webhook-Topic", "order.created")
                                .header("X-WC-Webhook-Resource", "order")
                                .header("X-WC-Webhook-Event", "created")
                                .header("X-WC-Webhook-Signature", WooCommerceSender.sign("crash-secret&<x>", body))
                                .POST(HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8)).build(),
                                HttpResponse.BodyHandlers.ofString());
                        if (r.statusCode() / 100 == 2) {
                            acknowledged.add(id);
                        } else {
                            failures.incrementAndGet();
                        }
                    } catch (IOException e) {
                        failures.incrementAndGet();
                        pause(20);
                    } catch (InterruptedException e) {
                        return;
                    }
                }
            });
        }
        // let it run, then SIGKILL mid-stream (intake and workers both busy)
        awaitCount(acknowledged, 600, Duration.ofSeconds(120));
        Process first = hubs.get(0);
        first.destroyForcibly(); // SIGKILL
        assertThat(first.waitFor(20, TimeUnit.SECONDS)).isTrue();
        int beforeRestart = acknowledged.size();

        hubs.add(startHub(port, source, dataDir));
        awaitUp(base, Duration.ofSeconds(180));
        awaitCount(acknowledged, beforeRestart + 300, Duration.ofSeconds(120));
        running.set(false);
        load.shutdown();
        assertThat(load.awaitTermination(30, TimeUnit.SECONDS)).isTrue();
        assertThat(failures.get()).as("some deliveries failed while the hub was down").isPositive();

        com.skyyrose.hub.platform.DatabaseUrl db = com.skyyrose.hub.platform.DatabaseUrl.parse(
                resolve(HubIntegrationTest.TEST_DATABASE_URL, "HUB_TEST_DATABASE_URL"));
        try (Connection c = DriverManager.getConnection(db.jdbcUrl(), db.username(), db.password())) {
            long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
            while (count(c, "SELECT count(*) FROM webhook_event WHERE source = '" + source
                    + "' AND status = 'pending'") > 0) {
                assertThat(System.nanoTime()).as("workers drain the inbox").isLessThan(deadline);
                pause(200);
            }
            Set<Long> stored = ConcurrentHashMap.newKeySet();
            try (ResultSet rs = c.createStatement().executeQuery("SELECT resource_id::bigint FROM webhook_event"
                    + " WHERE source = '" + source + "'")) {
                while (rs.next()) {
                    stored.add(rs.getLong(1));
                }
            }
            assertThat(stored).as("every 2xx is stored").containsAll(acknowledged);
            assertThat(count(c, "SELECT count(*) FROM webhook_event WHERE source = '" + source
                    + "' AND status <> 'processed'")).as("all processed, none dead").isZero();
            // exactly once: one state row per stored order, each applied exactly once
            assertThat(count(c, "SELECT count(*) FROM wc_order WHERE source = '" + source + "'"))
                    .isEqualTo(stored.size());
            assertThat(count(c, "SELECT count(*) FROM wc_order WHERE source = '" + source
                    + "' AND events_applied <> 1")).as("orders applied more than once").isZero();
            // the sample order has no customer note: no hand-off (each would be an agent run)
            assertThat(count(c, "SELECT count(*) FROM webhook_handoff WHERE source = '" + source + "'"))
                    .as("no hand-off for orders without a note").isZero();
            System.out.printf("crash test: %d acknowledged, %d stored, %d failed deliveries, killed after %d%n",
                    acknowledged.size(), stored.size(), failures.get(), beforeRestart);
        }
    }

    private Process startHub(int port, String source, Path dataDir) throws IOException {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<String> cmd = new ArrayList<>(List.of(java, "-Xmx512m", "-cp", System.getProperty("java.class.path"),
                "com.skyyrose.hub.HubApplication", "--server.port=" + port,
                "--DATABASE_URL=" + resolve(HubIntegrationTest.TEST_DATABASE_URL, "HUB_TEST_DATABASE_URL"),
                "--REDIS_URL=" + resolve(HubIntegrationTest.TEST_REDIS_URL, "HUB_TEST_REDIS_URL"),
                "--HUB_ROUTES_RELOAD=false", "--HUB_DATA_DIR=" + dataDir,
                "--hub.webhooks.woocommerce." + source + ".secret=" + KEY.replace("&", "&amp;").replace("<", "&lt;"),
                "--HUB_WEBHOOKS_RECONCILE_ENABLED=false", "--HUB_WEBHOOKS_POLL_INTERVAL=50ms"));
        return new ProcessBuilder(cmd).directory(new File(".")).redirectErrorStream(true)
                .redirectOutput(dataDir.resolve("hub-" + hubs.size() + ".log").toFile()).start();
    }

    /** HubIntegrationTest's "${ENV:default}" placeholders, resolved like Spring would. */
    private static String resolve(String placeholder, String env) {
        String fallback = placeholder.substring(placeholder.indexOf(':') + 1, placeholder.length() - 1);
        return System.getenv().getOrDefault(env, fallback);
    }

    private static void awaitUp(String base, Duration timeout) {
        TestHttp http = new TestHttp(base);
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            try {
                if (http.get("/health/ready").status() == 200) {
                    return;
                }
            } catch (AssertionError notYet) {
                // connection refused while starting
            }
            pause(250);
        }
        throw new AssertionError("hub did not start within " + timeout);
    }

    private static void awaitCount(Set<Long> set, int target, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (set.size() < target) {
            assertThat(System.nanoTime()).as("deliveries acknowledged: " + set.size()).isLessThan(deadline);
            pause(50);
        }
    }

    private static long count(Connection c, String sql) throws Exception {
        try (ResultSet rs = c.createStatement().executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }

    private static void pause(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
