package com.skyyrose.hub.knowledge;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.skyyrose.hub.support.RunningHub;
import com.skyyrose.hub.support.TestAuth;
import com.skyyrose.hub.support.TestHttp;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.jdbc.core.JdbcTemplate;

/** The knowledge base on the embedded PostgreSQL 16 (no pgvector there either): same migrations, same search. */
class KnowledgeEmbeddedPostgresTest {

    @TempDir
    Path dataDir;

    @Test
    void brandContextAndVectorSearchWorkOnEmbeddedPostgres16() throws Exception {
        try (RunningHub hub = RunningHub.start("DATABASE_URL=", "REDIS_URL=", "HUB_DATA_DIR=" + dataDir,
                "HUB_ROUTES_RELOAD=false", "HUB_KNOWLEDGE_SEED=false")) {
            hub.await("/health/ready", r -> r.status() == 200, Duration.ofSeconds(30));
            // the server version is a detail for an admin, not for anonymous probes
            TestHttp.Reply ready = hub.http().get("/health/ready", TestAuth.admin(hub.http()));
            assertThat(ready.json().at("/components/postgres/detail").asText()).startsWith("16.");
            JdbcTemplate jdbc = hub.context().getBean(JdbcTemplate.class);
            assertThat(jdbc.queryForList("SELECT extname FROM pg_extension", String.class)).contains("cube");

            TestHttp http = hub.http();
            assertThat(http.get("/api/v1/brand/context", TestAuth.admin(http)).json().get("name").asText())
                    .isEqualTo("SkyyRose");
            for (String[] doc : new String[][] {
                    {"returns", "Unworn items with tags can be returned within 30 days of delivery."},
                    {"shipping", "Shipping is free within the United States on orders over $150."},
                    {"care", "Wash garments inside out in cold water and hang them to dry."}}) {
                TestHttp.Reply r = http.postJson("/api/v1/knowledge/documents", TestHttp.json().writeValueAsString(
                        Map.of("source_id", doc[0], "title", doc[0], "content", doc[1])), TestAuth.admin(http));
                assertThat(r.status()).as(r.body()).isEqualTo(201);
            }
            JsonNode results = http.postJson("/api/v1/knowledge/search",
                    "{\"query\": \"how do I launder my hoodie\", \"k\": 3}", TestAuth.admin(http)).json().get("results");
            assertThat(results.size()).isEqualTo(3);
            assertThat(results.get(0).get("source_id").asText()).isEqualTo("care");
            assertThat(results.get(0).get("score").asDouble()).isGreaterThan(results.get(2).get("score").asDouble());
        }
    }
}
