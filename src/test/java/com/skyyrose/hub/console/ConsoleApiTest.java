package com.skyyrose.hub.console;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.skyyrose.hub.support.TestAuth;
import com.skyyrose.hub.support.TestHttp;
import com.skyyrose.hub.tools.ToolJobs;
import com.skyyrose.hub.webhooks.WooCommerceSender;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.core.io.Resource;
import org.springframework.core.io.support.PathMatchingResourcePatternResolver;
import org.springframework.jdbc.core.JdbcTemplate;

/** The console's page and the APIs added for it: routes, route source, metric series, jobs list, masked payloads. */
class ConsoleApiTest extends ConsoleTestHub {

    @Autowired
    ToolJobs toolJobs;
    @Autowired
    JdbcTemplate jdbc;

    static JsonNode route(JsonNode list, String id) {
        return StreamSupport.stream(list.get("items").spliterator(), false)
                .filter(r -> r.get("id").asText().equals(id)).findFirst()
                .orElseThrow(() -> new AssertionError("route " + id + " not listed"));
    }

    @Test
    void thePageAndItsAssetsCarryAStrictContentSecurityPolicy() {
        TestHttp.Reply page = http().get("/console");
        assertThat(page.status()).isEqualTo(200);
        assertThat(page.contentType()).startsWith("text/html");
        String csp = page.header("Content-Security-Policy").orElseThrow();
        assertThat(csp).contains("default-src 'self'", "script-src 'self'", "style-src 'self'",
                "frame-ancestors 'none'", "object-src 'none'").doesNotContain("unsafe-inline", "unsafe-eval", "*");
        assertThat(page.header("X-Content-Type-Options")).contains("nosniff");
        assertThat(page.header("X-Frame-Options")).contains("DENY");
        // nothing inline the policy would have to allow
        assertThat(page.body()).doesNotContainPattern("<script(?![^>]*\\bsrc=)").doesNotContain("style=")
                .doesNotContain("<style");
        for (String asset : List.of("/console-assets/js/main.js", "/console-assets/js/pages/webhooks.js",
                "/console-assets/console.css")) {
            TestHttp.Reply reply = http().get(asset);
            assertThat(reply.status()).as(asset).isEqualTo(200);
            assertThat(reply.header("Content-Security-Policy")).as(asset).contains(csp);
            assertThat(reply.header("X-Content-Type-Options")).as(asset).contains("nosniff");
            assertThat(reply.contentType()).as(asset).contains(asset.endsWith(".css") ? "text/css" : "javascript");
        }
        assertThat(http().get("/console-assets/js/none.js").status()).isEqualTo(404);
    }

    /** The scripts never parse data as HTML, never evaluate strings, never store anything in the browser. */
    @Test
    void theScriptsUseNoHtmlSinksNoEvalAndNoBrowserStorage() throws IOException {
        Resource[] scripts = new PathMatchingResourcePatternResolver()
                .getResources("classpath:static/console-assets/js/**/*.js");
        assertThat(scripts).hasSizeGreaterThanOrEqualTo(8);
        for (Resource script : scripts) {
            String code;
            try (InputStream in = script.getInputStream()) {
                code = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            }
            assertThat(code).as(script.getFilename()).doesNotContain("innerHTML", "outerHTML", "insertAdjacentHTML",
                    "document.write", "eval(", "new Function", "localStorage", "sessionStorage", "document.cookie");
        }
    }

    @Test
    void routesAreListedWithSourceStatusTrafficTimesAndLastFailure() {
        String[] admin = TestAuth.admin(http());
        JsonNode before = http().get("/api/v1/ops/routes", admin).json();
        assertThat(before.get("total").asInt()).isEqualTo(before.get("items").size()).isGreaterThan(50);
        JsonNode ops = route(before, "ops-routes");
        assertThat(ops.at("/source/kind").asText()).isEqualTo("yaml");
        assertThat(ops.at("/source/file").asText()).isEqualTo("routes/ops/console.camel.yaml");
        assertThat(ops.get("status").asText()).isEqualTo("started");
        assertThat(Instant.parse(ops.get("reloaded_at").asText())).isBefore(Instant.now());
        assertThat(route(before, "openapi-document").at("/source/kind").asText()).isEqualTo("java");
        assertThat(route(before, "openapi-document").has("reloaded_at")).isFalse();

        TestHttp.Reply missing = http().get("/api/v1/ops/routes/no-such-route/source", admin);
        assertThat(missing.status()).isEqualTo(404);
        JsonNode after = http().get("/api/v1/ops/routes", admin).json();
        JsonNode opsAfter = route(after, "ops-routes");
        // the first listing's own exchange completed before the second one read the meters
        assertThat(opsAfter.get("exchanges").asLong()).isGreaterThan(ops.get("exchanges").asLong());
        assertThat(opsAfter.get("mean_ms").asDouble()).isPositive();
        assertThat(opsAfter.get("p99_ms").asDouble()).isPositive();
        JsonNode source = route(after, "ops-route-source");
        assertThat(source.get("failures").asLong()).isPositive();
        assertThat(source.at("/last_failure/error").asText()).contains("no-such-route");
        assertThat(Instant.parse(source.at("/last_failure/at").asText())).isBefore(Instant.now().plusSeconds(1));
    }

    @Test
    void aRoutesYamlIsShownReadOnlyOnlyFromTheRoutesFolder() throws IOException {
        String[] admin = TestAuth.admin(http());
        TestHttp.Reply reply = http().get("/api/v1/ops/routes/ops-routes/source", admin);
        assertThat(reply.status()).as(reply.body()).isEqualTo(200);
        JsonNode source = reply.json();
        assertThat(source.get("file").asText()).isEqualTo("routes/ops/console.camel.yaml");
        assertThat(source.get("yaml").asText()).isEqualTo(Files.readString(Path.of("routes/ops/console.camel.yaml")));
        assertThat(Instant.parse(source.get("reloaded_at").asText())).isBefore(Instant.now());
        assertThat(source.get("live_reload").asBoolean()).isFalse(); // HUB_ROUTES_RELOAD=false in tests
        // a Java route has no file to show; an id is never a path
        assertThat(http().get("/api/v1/ops/routes/openapi-document/source", admin).status()).isEqualTo(404);
        assertThat(http().get("/api/v1/ops/routes/..%2F..%2Fpom.xml/source", admin).status()).isIn(400, 404);
        // no write method exists
        assertThat(http().method("PUT", "/api/v1/ops/routes/ops-routes/source", admin).status()).isEqualTo(405);
    }

    @Test
    void routesAreForOperatorsAndAdminsWhileViewersReadSeriesAndJobs() {
        String[] viewer = signedIn("viewer");
        String[] operator = signedIn("operator");
        String[] editor = signedIn("editor");
        assertThat(http().get("/api/v1/ops/routes").status()).isEqualTo(401);
        assertThat(http().get("/api/v1/ops/routes", viewer).status()).isEqualTo(403);
        assertThat(http().get("/api/v1/ops/routes/ops-routes/source", viewer).status()).isEqualTo(403);
        assertThat(http().get("/api/v1/ops/routes", editor).status()).isEqualTo(403);
        assertThat(http().get("/api/v1/ops/routes", operator).status()).isEqualTo(200);
        assertThat(http().get("/api/v1/ops/routes/ops-routes/source", operator).status()).isEqualTo(200);
        assertThat(http().get("/api/v1/ops/metrics/series", viewer).status()).isEqualTo(200);
        assertThat(http().get("/api/v1/ops/metrics/series", operator).status()).isEqualTo(200);
        assertThat(http().get("/api/v1/jobs", viewer).status()).isEqualTo(200);
        assertThat(http().get("/api/v1/ops/metrics/series").status()).isEqualTo(401);
    }

    @Test
    void metricSeriesCoverTheLastHourPerRouteProviderAndHttp() throws InterruptedException {
        String[] admin = TestAuth.admin(http());
        for (int i = 0; i < 3; i++) {
            assertThat(http().get("/api/v1/ops/routes", admin).status()).isEqualTo(200);
        }
        JsonNode series = null;
        long deadline = System.nanoTime() + 15_000_000_000L;
        while (System.nanoTime() < deadline) {
            series = http().get("/api/v1/ops/metrics/series", admin).json();
            JsonNode ops = find(series.get("routes"), "ops-routes");
            if (ops != null && ops.get("total_requests").asDouble() >= 3) {
                break;
            }
            Thread.sleep(200);
        }
        assertThat(series.get("step_seconds").asDouble()).isEqualTo(0.5);
        assertThat(series.get("window_seconds").asInt()).isEqualTo(3600);
        int points = series.get("timestamps").size();
        assertThat(points).isPositive();
        JsonNode ops = find(series.get("routes"), "ops-routes");
        assertThat(ops).as("ops-routes in " + series.get("routes")).isNotNull();
        assertThat(ops.get("requests").size()).isEqualTo(points);
        assertThat(ops.get("failures").size()).isEqualTo(points);
        assertThat(ops.get("mean_ms").size()).isEqualTo(points);
        double sum = 0;
        for (JsonNode v : ops.get("requests")) {
            sum += v.asDouble();
        }
        assertThat(sum).isEqualTo(ops.get("total_requests").asDouble()).isGreaterThanOrEqualTo(3);
        assertThat(series.at("/http/total_requests").asDouble()).isGreaterThanOrEqualTo(3);
        // a route without traffic in the window is not listed
        assertThat(find(series.get("routes"), "reEncryptData")).isNull();
    }

    static JsonNode find(JsonNode list, String id) {
        for (JsonNode item : list) {
            if (item.get("id").asText().equals(id)) {
                return item;
            }
        }
        return null;
    }

    @Test
    void jobsAreListedNewestFirstWithFilters() {
        ObjectNode request = TestHttp.json().createObjectNode().put("prompt", "list test");
        // vendor "none": no poller claims them, so their status stays as created
        String first = (String) toolJobs.create("3d", "none", "t-" + ThreadLocalRandom.current().nextLong(), request,
                null).get("id");
        String second = (String) toolJobs.create("tryon", "none", "t-" + ThreadLocalRandom.current().nextLong(),
                request, null).get("id");
        jdbc.update("UPDATE tool_job SET status = 'running', progress = 40 WHERE id = ?::uuid", second);
        String[] admin = TestAuth.admin(http());

        TestHttp.Reply all = http().get("/api/v1/jobs?limit=200", admin);
        assertThat(all.status()).isEqualTo(200);
        List<String> ids = ids(all.json());
        assertThat(ids).contains(first, second);
        assertThat(ids.indexOf(second)).isLessThan(ids.indexOf(first)); // newest first
        assertThat(all.header("X-Total-Count")).contains(all.json().get("total").asText());

        JsonNode tryon = http().get("/api/v1/jobs?kind=tryon&status=running&limit=200", admin).json();
        assertThat(ids(tryon)).contains(second).doesNotContain(first);
        tryon.get("items").forEach(j -> assertThat(j.get("kind").asText()).isEqualTo("tryon"));
        JsonNode mine = StreamSupport.stream(tryon.get("items").spliterator(), false)
                .filter(j -> j.get("id").asText().equals(second)).findFirst().orElseThrow();
        assertThat(mine.get("progress").asInt()).isEqualTo(40);
        assertThat(http().get("/api/v1/jobs?limit=1", admin).json().get("items").size()).isEqualTo(1);
        assertThat(http().get("/api/v1/jobs?kind=video", admin).status()).isEqualTo(400);
    }

    static List<String> ids(JsonNode page) {
        List<String> ids = new ArrayList<>();
        page.get("items").forEach(j -> ids.add(j.get("id").asText()));
        return ids;
    }

    @Test
    void aWebhookPayloadShowsPersonalDataToAdminsOnly() {
        long orderId = ThreadLocalRandom.current().nextLong(1_000_000, Long.MAX_VALUE / 4);
        ObjectNode order = WooCommerceSender.sample("order").put("id", orderId);
        ((ObjectNode) order.get("billing")).put("email", "ava.customer@example.com").put("first_name", "Ava");
        order.put("customer_note", "Leave it with ava.customer@example.com's neighbour");
        TestHttp.Reply delivered = new WooCommerceSender(http(), WEBHOOK_SECRET)
                .deliver("default", "order.created", WooCommerceSender.wpJson(order));
        assertThat(delivered.status()).as(delivered.body()).isEqualTo(200);
        long eventId = delivered.json().get("eventId").asLong();

        JsonNode asAdmin = http().get("/api/v1/webhooks/events/" + eventId, TestAuth.admin(http())).json();
        assertThat(asAdmin.at("/payload/billing/email").asText()).isEqualTo("ava.customer@example.com");
        assertThat(asAdmin.has("payloadMasked")).isFalse();

        for (String role : List.of("viewer", "operator")) {
            JsonNode masked = http().get("/api/v1/webhooks/events/" + eventId, signedIn(role)).json();
            assertThat(masked.get("payloadMasked").asBoolean()).as(role).isTrue();
            assertThat(masked.at("/payload/billing/email").asText()).as(role).isEqualTo("•••");
            assertThat(masked.at("/payload/billing/first_name").asText()).isEqualTo("•••");
            assertThat(masked.at("/payload/billing/city").asText()).isEqualTo("•••");
            assertThat(masked.at("/payload/shipping/address_1").asText()).isEqualTo("•••");
            assertThat(masked.at("/payload/customer_note").asText()).isEqualTo("•••");
            assertThat(masked.toString()).doesNotContain("ava.customer@example.com", "969 Market");
            // what is not personal stays readable
            assertThat(masked.at("/payload/id").asLong()).isEqualTo(orderId);
            assertThat(masked.at("/payload/line_items/0/name").asText()).isEqualTo("Woo Single #1");
            assertThat(masked.at("/payload/total").asText()).isEqualTo("29.35");
        }
        Map<String, Object> stored = jdbc.queryForMap("SELECT status FROM webhook_event WHERE id = ?", eventId);
        assertThat(stored).isNotEmpty(); // masking is a view: the stored event is untouched
    }
}
