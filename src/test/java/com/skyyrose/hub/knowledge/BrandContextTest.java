package com.skyyrose.hub.knowledge;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.skyyrose.hub.support.HubIntegrationTest;
import com.skyyrose.hub.support.TestAuth;
import com.skyyrose.hub.support.TestHttp;
import java.net.http.HttpRequest;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.apache.camel.ProducerTemplate;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;

/** Brand DNA: seed, versions and history, validation, merge patch, concurrency, the direct:brand-context block. */
class BrandContextTest extends HubIntegrationTest {

    @Autowired
    ProducerTemplate producer;

    private String[] auth() {
        return TestAuth.admin(http());
    }

    private TestHttp.Reply send(String method, String path, String contentType, String body) {
        HttpRequest.Builder b = http().request(path).method(method, HttpRequest.BodyPublishers.ofString(body))
                .header("Content-Type", contentType);
        String[] headers = auth();
        for (int i = 0; i + 1 < headers.length; i += 2) {
            b.header(headers[i], headers[i + 1]);
        }
        return http().send(b.build());
    }

    private JsonNode current() {
        TestHttp.Reply r = http().get("/api/v1/brand/context", auth());
        assertThat(r.status()).as(r.body()).isEqualTo(200);
        return r.json();
    }

    @Test
    void theSeededSkyyRoseBrandIsVersionOne() {
        TestHttp.Reply r = http().get("/api/v1/brand/context?version=1", auth());
        assertThat(r.status()).as(r.body()).isEqualTo(200);
        JsonNode v1 = r.json();
        assertThat(v1.get("version").asInt()).isEqualTo(1);
        assertThat(v1.get("name").asText()).isEqualTo("SkyyRose");
        assertThat(v1.get("tagline").asText()).isEqualTo("Where Love Meets Luxury");
        assertThat(v1.get("location").asText()).contains("Oakland");
        assertThat(v1.get("updated_by").asText()).isEqualTo("system");
        assertThat(v1.get("collections").findValuesAsText("name")).contains("Black Rose", "Love Hurts", "Signature");
        assertThat(v1.get("tone").get("avoid").size()).isPositive();
        assertThat(v1.get("policies").get("returns").asText()).contains("30 days");
        assertThat(r.header("ETag")).contains("\"brand-v1\"");

        assertThat(http().get("/api/v1/brand/context?version=999999", auth()).status()).isEqualTo(404);
        assertThat(http().get("/api/v1/brand/context?version=0", auth()).status()).isEqualTo(400);
    }

    @Test
    void putStoresANewVersionAndKeepsTheOldOne() throws Exception {
        JsonNode before = current();
        int v = before.get("version").asInt();
        ObjectNode doc = (ObjectNode) TestHttp.json().readTree(before.toString());
        doc.put("tagline", "Where Love Meets Luxury — test " + v);
        doc.put("change_comment", "test replace");

        TestHttp.Reply put = send("PUT", "/api/v1/brand/context", "application/json", doc.toString());
        assertThat(put.status()).as(put.body()).isEqualTo(200);
        assertThat(put.json().get("version").asInt()).isEqualTo(v + 1);
        assertThat(put.json().get("tagline").asText()).endsWith("test " + v);
        assertThat(put.json().has("change_comment")).isFalse();
        assertThat(put.json().get("updated_by").asText()).isNotBlank();

        assertThat(current().get("version").asInt()).isEqualTo(v + 1);
        JsonNode old = http().get("/api/v1/brand/context?version=" + v, auth()).json();
        assertThat(old.get("tagline").asText()).isEqualTo(before.get("tagline").asText());

        JsonNode history = http().get("/api/v1/brand/context/versions?limit=5", auth()).json();
        assertThat(history.get("items").get(0).get("version").asInt()).isEqualTo(v + 1);
        assertThat(history.get("items").get(0).get("change").asText()).isEqualTo("replace");
        assertThat(history.get("items").get(0).get("comment").asText()).isEqualTo("test replace");
        assertThat(history.get("items").get(0).get("created_at").asText()).isNotBlank();
        assertThat(history.get("total").asInt()).isGreaterThanOrEqualTo(v + 1);

        // the building block sees the new version at once on this instance
        @SuppressWarnings("unchecked")
        Map<String, Object> block = producer.requestBody("direct:brand-context", null, Map.class);
        assertThat(block.get("version")).isEqualTo(v + 1);
        assertThat(block.get("tagline")).isEqualTo(doc.get("tagline").asText());
        assertThat(block).containsKeys("name", "philosophy", "location", "tone", "colors", "typography", "audience",
                "product_types", "collections", "policies");
    }

    @Test
    void invalidBrandContextsAreRejectedNamingTheField() throws Exception {
        ObjectNode doc = (ObjectNode) TestHttp.json().readTree(current().toString());
        ((ObjectNode) doc.get("colors").get(0)).put("hex", "rose");
        TestHttp.Reply bad = send("PUT", "/api/v1/brand/context", "application/json", doc.toString());
        assertThat(bad.status()).isEqualTo(400);
        assertThat(bad.json().get("errors").findValuesAsText("field")).contains("/colors/0/hex");

        ObjectNode missing = (ObjectNode) TestHttp.json().readTree(current().toString());
        missing.remove("policies");
        assertThat(send("PUT", "/api/v1/brand/context", "application/json", missing.toString()).status())
                .isEqualTo(400);

        int v = current().get("version").asInt();
        TestHttp.Reply patch = send("PATCH", "/api/v1/brand/context", "application/merge-patch+json",
                "{\"tone\": {\"primary\": null}}");
        assertThat(patch.status()).as(patch.body()).isEqualTo(400);
        assertThat(patch.json().get("errors").findValuesAsText("field")).contains("/tone/primary");
        assertThat(current().get("version").asInt()).isEqualTo(v);
    }

    @Test
    void mergePatchChangesOnlyWhatItNames() {
        JsonNode before = current();
        String shipping = "Free US shipping on orders over $120 (" + System.nanoTime() + ").";
        TestHttp.Reply r = send("PATCH", "/api/v1/brand/context", "application/merge-patch+json",
                "{\"policies\": {\"shipping\": \"" + shipping + "\"}, \"launch_note\": \"x\"}");
        assertThat(r.status()).as(r.body()).isEqualTo(200);
        JsonNode after = r.json();
        assertThat(after.get("version").asInt()).isEqualTo(before.get("version").asInt() + 1);
        assertThat(after.get("policies").get("shipping").asText()).isEqualTo(shipping);
        assertThat(after.get("policies").get("returns")).isEqualTo(before.get("policies").get("returns"));
        assertThat(after.get("collections")).isEqualTo(before.get("collections"));
        assertThat(after.get("launch_note").asText()).isEqualTo("x");

        TestHttp.Reply removed = send("PATCH", "/api/v1/brand/context", "application/json",
                "{\"launch_note\": null}");
        assertThat(removed.status()).isEqualTo(200);
        assertThat(removed.json().has("launch_note")).isFalse();
        assertThat(http().get("/api/v1/brand/context/versions?limit=1", auth()).json().get("items").get(0)
                .get("change").asText()).isEqualTo("patch");
    }

    @Test
    void concurrentUpdatesEachGetTheirOwnVersionAndNoneIsLost() throws Exception {
        int start = current().get("version").asInt();
        int writers = 6;
        int each = 3;
        String run = Long.toString(System.nanoTime(), 36);
        ExecutorService pool = Executors.newFixedThreadPool(writers);
        try {
            List<Future<List<Integer>>> futures = new ArrayList<>();
            for (int w = 0; w < writers; w++) {
                int writer = w;
                futures.add(pool.submit(() -> {
                    List<Integer> versions = new ArrayList<>();
                    for (int i = 0; i < each; i++) {
                        TestHttp.Reply r = send("PATCH", "/api/v1/brand/context", "application/merge-patch+json",
                                "{\"concurrency_" + run + "_" + writer + "_" + i + "\": true}");
                        assertThat(r.status()).as(r.body()).isEqualTo(200);
                        versions.add(r.json().get("version").asInt());
                    }
                    return versions;
                }));
            }
            Set<Integer> versions = new HashSet<>();
            for (Future<List<Integer>> f : futures) {
                versions.addAll(f.get());
            }
            assertThat(versions).hasSize(writers * each);
            JsonNode latest = current();
            assertThat(latest.get("version").asInt()).isEqualTo(start + writers * each);
            // every patch applied on top of the one before: the latest version has every writer's member
            for (int w = 0; w < writers; w++) {
                for (int i = 0; i < each; i++) {
                    assertThat(latest.has("concurrency_" + run + "_" + w + "_" + i)).isTrue();
                }
            }
        } finally {
            pool.shutdownNow();
            StringBuilder cleanup = new StringBuilder("{");
            for (int w = 0; w < writers; w++) {
                for (int i = 0; i < each; i++) {
                    cleanup.append(cleanup.length() > 1 ? "," : "").append("\"concurrency_").append(run).append('_')
                            .append(w).append('_').append(i).append("\": null");
                }
            }
            send("PATCH", "/api/v1/brand/context", "application/merge-patch+json", cleanup.append('}').toString());
        }
    }
}
