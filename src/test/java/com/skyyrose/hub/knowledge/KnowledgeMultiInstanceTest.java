package com.skyyrose.hub.knowledge;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.skyyrose.hub.support.HubIntegrationTest;
import com.skyyrose.hub.support.RunningHub;
import com.skyyrose.hub.support.TestAuth;
import com.skyyrose.hub.support.TestHttp;
import java.net.http.HttpRequest;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import org.apache.camel.CamelContext;
import org.apache.camel.ProducerTemplate;
import org.junit.jupiter.api.Test;

/** Two hub instances sharing one PostgreSQL and one Redis, as on Render. */
class KnowledgeMultiInstanceTest {

    private static RunningHub hub() {
        // a long cache max age: only the change announcement can make the other instance see a new version
        return RunningHub.start("DATABASE_URL=" + HubIntegrationTest.TEST_DATABASE_URL,
                "REDIS_URL=" + HubIntegrationTest.TEST_REDIS_URL, "HUB_ROUTES_RELOAD=false",
                "HUB_KNOWLEDGE_SEED=false", "HUB_BRAND_CACHE_MAX_AGE=10m");
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> brandContext(RunningHub hub) {
        ProducerTemplate producer = hub.context().getBean(CamelContext.class).createProducerTemplate();
        return producer.requestBody("direct:brand-context", null, Map.class);
    }

    private static TestHttp.Reply patch(RunningHub hub, String body) {
        HttpRequest.Builder b = hub.http().request("/api/v1/brand/context")
                .method("PATCH", HttpRequest.BodyPublishers.ofString(body))
                .header("Content-Type", "application/merge-patch+json");
        String[] headers = TestAuth.admin(hub.http());
        for (int i = 0; i + 1 < headers.length; i += 2) {
            b.header(headers[i], headers[i + 1]);
        }
        return hub.http().send(b.build());
    }

    private static <T> T poll(Supplier<T> value, java.util.function.Predicate<T> done, String what) {
        long deadline = System.nanoTime() + 15_000_000_000L;
        T last = value.get();
        while (!done.test(last)) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError(what + " within 15 s; last: " + last);
            }
            RunningHub.sleep(50);
            last = value.get();
        }
        return last;
    }

    @Test
    void aChangeOnOneInstanceDropsTheBrandCacheOnTheOtherAndDeletesAreGoneEverywhere() throws Exception {
        try (RunningHub a = hub(); RunningHub b = hub()) {
            Map<String, Object> cachedOnA = brandContext(a);
            assertThat(brandContext(a)).isSameAs(cachedOnA); // served from A's cache

            String nonce = "probe-" + System.nanoTime();
            TestHttp.Reply changed = patch(b, "{\"cache_probe\": \"" + nonce + "\"}");
            assertThat(changed.status()).as(changed.body()).isEqualTo(200);
            int newVersion = changed.json().get("version").asInt();
            Map<String, Object> seenByA = poll(() -> brandContext(a), m -> nonce.equals(m.get("cache_probe")),
                    "instance A sees B's change");
            assertThat(seenByA.get("version")).isEqualTo(newVersion);
            assertThat(patch(b, "{\"cache_probe\": null}").status()).isEqualTo(200);

            // a document added on A is found from B; deleted on A, it is gone from B's results at once
            String source = "multi-" + System.nanoTime();
            TestHttp.Reply created = a.http().postJson("/api/v1/knowledge/documents", TestHttp.json()
                    .writeValueAsString(Map.of("source_id", source, "title", "Multi-instance probe", "content",
                            "The obsidian kite jacket has a detachable hood lined in rose-gold silk.")),
                    TestAuth.admin(a.http()));
            assertThat(created.status()).as(created.body()).isEqualTo(201);
            String id = created.json().get("id").asText();
            String query = "{\"query\": \"obsidian kite jacket detachable hood\", \"k\": 5}";
            assertThat(sources(b.http().postJson("/api/v1/knowledge/search", query, TestAuth.admin(b.http()))))
                    .contains(source);

            assertThat(a.http().method("DELETE", "/api/v1/knowledge/documents/" + id, TestAuth.admin(a.http()))
                    .status()).isEqualTo(204);
            assertThat(sources(b.http().postJson("/api/v1/knowledge/search", query, TestAuth.admin(b.http()))))
                    .doesNotContain(source);
            @SuppressWarnings("unchecked")
            List<Map<String, Object>> viaBlock = b.context().getBean(CamelContext.class).createProducerTemplate()
                    .requestBody("direct:rag-retrieve", Map.of("query", "obsidian kite jacket", "k", 5), List.class);
            assertThat(viaBlock).noneMatch(p -> source.equals(p.get("source_id")));
            assertThat(b.http().get("/api/v1/knowledge/documents/" + id, TestAuth.admin(b.http())).status())
                    .isEqualTo(404);
        }
    }

    private static List<String> sources(TestHttp.Reply reply) {
        assertThat(reply.status()).as(reply.body()).isEqualTo(200);
        JsonNode results = reply.json().get("results");
        return results.findValuesAsText("source_id");
    }
}
