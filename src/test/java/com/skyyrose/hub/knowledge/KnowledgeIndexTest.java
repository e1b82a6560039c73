package com.skyyrose.hub.knowledge;

import static org.assertj.core.api.Assertions.assertThat;

import com.skyyrose.hub.support.HubIntegrationTest;
import com.skyyrose.hub.support.RunningHub;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;

/** The in-memory index and the SQL search give the same answers over the seeded brand knowledge. */
class KnowledgeIndexTest extends HubIntegrationTest {

    @Autowired
    KnowledgeSeeder seeder;
    @Autowired
    KnowledgeStore store;
    @Autowired
    KnowledgeIndex index;
    @Autowired
    Embedder embedder;
    @Autowired
    org.springframework.jdbc.core.JdbcTemplate jdbc;
    @Autowired
    org.springframework.transaction.support.TransactionTemplate tx;
    @Autowired
    io.micrometer.core.instrument.MeterRegistry meters;

    @BeforeEach
    void seededAndLoaded() {
        assertThat(seeder.seed()).isGreaterThanOrEqualTo(10);
        long deadline = System.nanoTime() + 30_000_000_000L;
        while (!index.usable()) {
            assertThat(System.nanoTime()).as("the in-memory index loads").isLessThan(deadline);
            RunningHub.sleep(50);
        }
    }

    @Test
    void memoryAndDatabasePathsReturnTheSameTopKForTheLabelledQueries() {
        assertThat(index.enabled()).isTrue();
        assertThat(index.chunks()).isPositive();
        for (KnowledgeBaseTest.Labelled l : KnowledgeBaseTest.LABELLED) {
            float[] v = embedder.embed(l.query());
            for (KnowledgeStore.Query q : List.of(
                    new KnowledgeStore.Query(l.query(), 5, null, null, null),
                    new KnowledgeStore.Query(l.query(), 12, List.of("Policy", "voice"), null, null),
                    new KnowledgeStore.Query(l.query(), 8, null, " black rose ", null),
                    new KnowledgeStore.Query(l.query(), 8, List.of("product"), "Love Hurts", null),
                    new KnowledgeStore.Query(l.query(), 50, null, null, 0.4))) {
                List<Map<String, Object>> memory = store.searchMemory(v, q);
                List<Map<String, Object>> database = store.searchDatabase(v, q);
                assertThat(memory).as("in-memory search for %s", q).isNotNull();
                assertThat(memory).as("%s", q).isEqualTo(database);
            }
            // and the public path (memory) finds the labelled passage as before
            assertThat(store.search(new KnowledgeStore.Query(l.query(), 5, null, null, null)))
                    .isEqualTo(store.searchDatabase(v, new KnowledgeStore.Query(l.query(), 5, null, null, null)));
        }
    }

    @Test
    void aChangeCommittedJustBeforeASearchIsInThatSearch() {
        // no waiting for the notification: the search itself sees the change counter and catches up
        for (int i = 0; i < 3; i++) {
            String source = "index-now-" + System.nanoTime();
            Map<String, Object> doc = store.ingest(new KnowledgeStore.NewDocument(source, "Index probe " + i,
                    "text/plain", "The amber falcon tote " + i + " is stitched from vegetable-tanned leather.",
                    List.of("index-probe"), null), "test");
            KnowledgeStore.Query q = new KnowledgeStore.Query("amber falcon tote", 10, List.of("index-probe"), null,
                    null);
            float[] v = embedder.embed(q.text());
            List<Map<String, Object>> found = store.searchMemory(v, q);
            assertThat(found).isNotNull().extracting(h -> h.get("source_id")).contains(source);
            assertThat(store.delete(java.util.UUID.fromString((String) doc.get("id")), "test")).isTrue();
            List<Map<String, Object>> gone = store.searchMemory(v, q);
            assertThat(gone).isNotNull().extracting(h -> h.get("source_id")).doesNotContain(source);
            assertThat(gone).isEqualTo(store.searchDatabase(v, q));
        }
    }

    @Test
    void aGapInTheChangeLogMakesTheIndexReloadWhileSearchesStayCorrect() {
        double reloads = meters.get("hub.knowledge.index.reloads").counter().count();
        String source = "index-gap-" + System.nanoTime();
        // a change whose log entry is lost (as if pruned): the trigger runs at once, then its entry is deleted
        String id = tx.execute(status -> {
            jdbc.execute("SET CONSTRAINTS ALL IMMEDIATE");
            Map<String, Object> doc = store.ingest(new KnowledgeStore.NewDocument(source, "Gap probe", "text/plain",
                    "The cobalt lynx beanie is knitted from undyed alpaca wool.", List.of("gap-probe"), null), "test");
            jdbc.update("DELETE FROM knowledge_change WHERE document_id = ?::uuid", doc.get("id"));
            return (String) doc.get("id");
        });
        KnowledgeStore.Query q = new KnowledgeStore.Query("cobalt lynx beanie", 5, List.of("gap-probe"), null, null);
        float[] v = embedder.embed(q.text());
        assertThat(store.searchVector(v, q)).extracting(h -> h.get("source_id")).containsExactly(source);

        long deadline = System.nanoTime() + 15_000_000_000L;
        while (!index.contains(java.util.UUID.fromString(id))) {
            assertThat(System.nanoTime()).as("the index reloads after the gap").isLessThan(deadline);
            RunningHub.sleep(50);
        }
        assertThat(meters.get("hub.knowledge.index.reloads").counter().count()).isGreaterThan(reloads);
        assertThat(store.searchMemory(v, q)).extracting(h -> h.get("source_id")).containsExactly(source);
        assertThat(store.delete(java.util.UUID.fromString(id), "test")).isTrue();
        assertThat(store.searchMemory(v, q)).isEmpty();
    }
}
