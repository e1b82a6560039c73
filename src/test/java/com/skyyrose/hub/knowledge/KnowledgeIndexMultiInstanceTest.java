package com.skyyrose.hub.knowledge;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.skyyrose.hub.support.HubIntegrationTest;
import com.skyyrose.hub.support.RunningHub;
import com.skyyrose.hub.support.TestAuth;
import com.skyyrose.hub.support.TestHttp;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;

/**
 * Two instances with in-memory indexes sharing one database: a change committed on B reaches A's index through
 * LISTEN/NOTIFY within seconds, without any search on A pulling it in.
 */
class KnowledgeIndexMultiInstanceTest {

    private static RunningHub hub() {
        // a long periodic check: only the notification can bring the change in quickly
        return RunningHub.start("DATABASE_URL=" + HubIntegrationTest.TEST_DATABASE_URL,
                "REDIS_URL=" + HubIntegrationTest.TEST_REDIS_URL, "HUB_ROUTES_RELOAD=false",
                "HUB_KNOWLEDGE_SEED=false", "HUB_KNOWLEDGE_INDEX=memory", "HUB_KNOWLEDGE_INDEX_CHECK_INTERVAL=10m");
    }

    private static void within(long millis, BooleanSupplier done, String what) {
        long deadline = System.nanoTime() + millis * 1_000_000L;
        while (!done.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError(what + " within " + millis + " ms");
            }
            RunningHub.sleep(20);
        }
    }

    private static List<String> sources(RunningHub hub, String query) {
        TestHttp.Reply reply = hub.http().postJson("/api/v1/knowledge/search", query, TestAuth.admin(hub.http()));
        assertThat(reply.status()).as(reply.body()).isEqualTo(200);
        JsonNode results = reply.json().get("results");
        return results.findValuesAsText("source_id");
    }

    @Test
    void documentsAddedAndDeletedOnBAppearAndVanishInAsInMemorySearch() throws Exception {
        try (RunningHub a = hub(); RunningHub b = hub()) {
            KnowledgeIndex indexA = a.context().getBean(KnowledgeIndex.class);
            within(30_000, indexA::usable, "A's index loads");
            within(30_000, b.context().getBean(KnowledgeIndex.class)::usable, "B's index loads");

            String source = "index-multi-" + System.nanoTime();
            TestHttp.Reply created = b.http().postJson("/api/v1/knowledge/documents", TestHttp.json()
                    .writeValueAsString(Map.of("source_id", source, "title", "Index probe", "tags", List.of("probe"),
                            "content", "The quartz heron parka is quilted with recycled down and trimmed in "
                                    + "rose-gold piping.")), TestAuth.admin(b.http()));
            assertThat(created.status()).as(created.body()).isEqualTo(201);
            UUID id = UUID.fromString(created.json().get("id").asText());

            // the notification, not a search, brings it into A's memory
            within(5_000, () -> indexA.contains(id), "A's in-memory index holds the document added on B");
            assertThat(indexA.usable()).isTrue();
            String query = "{\"query\": \"quartz heron parka recycled down\", \"k\": 3, \"tags\": [\"probe\"]}";
            assertThat(sources(a, query)).contains(source);

            assertThat(b.http().method("DELETE", "/api/v1/knowledge/documents/" + id, TestAuth.admin(b.http()))
                    .status()).isEqualTo(204);
            within(5_000, () -> !indexA.contains(id), "the document deleted on B leaves A's in-memory index");
            assertThat(sources(a, query)).doesNotContain(source);
        }
    }
}
