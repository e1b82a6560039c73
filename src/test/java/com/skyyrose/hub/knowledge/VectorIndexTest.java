package com.skyyrose.hub.knowledge;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.Test;

/** The in-memory index against a brute-force ranking computed as the SQL path does (cube doubles). */
class VectorIndexTest {

    private final Random random = new Random(7);

    private float[] unit() {
        float[] v = new float[VectorIndex.DIM];
        for (int i = 0; i < v.length; i++) {
            v[i] = (float) random.nextGaussian();
        }
        return Embedder.normalize(v);
    }

    /** A vector close to {@code base} (many near-ties at the float precision). */
    private float[] near(float[] base, double noise) {
        float[] v = base.clone();
        for (int i = 0; i < v.length; i++) {
            v[i] += (float) (random.nextGaussian() * noise);
        }
        return Embedder.normalize(v);
    }

    private static final java.util.Map<float[], double[]> DECIMAL = new java.util.IdentityHashMap<>();

    private static double[] decimal(float[] v) {
        return DECIMAL.computeIfAbsent(v, x -> VectorIndex.decimal(x, 0));
    }

    private static List<VectorIndex.Hit> bruteForce(List<VectorIndex.Row> rows, float[] q, int k, List<String> tags,
            String collection, double maxDistance) {
        List<VectorIndex.Hit> all = new ArrayList<>();
        for (VectorIndex.Row r : rows) {
            boolean tagOk = tags.isEmpty() || tags.stream().anyMatch(t -> List.of(r.tags()).contains(t));
            boolean collOk = collection == null || r.collection() != null
                    && r.collection().toLowerCase(Locale.ROOT).equals(collection.toLowerCase(Locale.ROOT));
            if (tagOk && collOk) {
                all.add(new VectorIndex.Hit(r.chunkId(), VectorIndex.exactDistance(decimal(r.vector()), 0,
                        decimal(q))));
            }
        }
        all.sort(Comparator.comparingDouble(VectorIndex.Hit::distance).thenComparingLong(VectorIndex.Hit::chunkId));
        return all.subList(0, Math.min(k, all.size())).stream().filter(h -> h.distance() <= maxDistance).toList();
    }

    @Test
    void aReusedSlotIsScoredFromItsNewVectorNotTheRememberedOne() {
        VectorIndex index = new VectorIndex();
        UUID doc = UUID.randomUUID();
        float[] old = unit();
        List<VectorIndex.Row> rows = new ArrayList<>(List.of(new VectorIndex.Row(1, doc, new String[0], null, old)));
        for (int i = 0; i < 20; i++) {
            rows.add(new VectorIndex.Row(100 + i, UUID.randomUUID(), new String[0], null, unit()));
        }
        index.add(rows);
        // the search remembers the leading hit's stored decimals
        assertThat(index.search(old, 1, List.of(), null, 4.0, null, 1))
                .isEqualTo(bruteForce(rows, old, 1, List.of(), null, 4.0));
        // the document changes: its freed slot is reused by a chunk with another vector
        float[] changed = unit();
        rows.remove(0);
        VectorIndex.Row replacement = new VectorIndex.Row(2, doc, new String[0], null, changed);
        rows.add(replacement);
        index.replace(Set.of(doc), List.of(replacement));
        for (float[] q : List.of(changed, old, near(changed, 0.01))) {
            assertThat(index.search(q, 5, List.of(), null, 4.0, null, 1))
                    .isEqualTo(bruteForce(rows, q, 5, List.of(), null, 4.0));
        }
    }

    @Test
    void exactTopKWithFiltersReplacementsAndNearTies() {
        float[] centre = unit();
        List<VectorIndex.Row> rows = new ArrayList<>();
        List<UUID> docs = new ArrayList<>();
        long id = 1;
        for (int d = 0; d < 200; d++) {
            UUID doc = UUID.randomUUID();
            docs.add(doc);
            String[] tags = d % 3 == 0 ? new String[] {"policy"} : d % 3 == 1 ? new String[] {"product", "collection"}
                    : new String[0];
            String collection = d % 4 == 0 ? "Black Rose" : d % 4 == 1 ? "Signature" : null;
            for (int c = 0; c < 25; c++) {
                // a third are near-duplicates of one vector: their float dot products tie or nearly tie
                float[] v = c % 3 == 0 ? near(centre, 1e-4) : unit();
                rows.add(new VectorIndex.Row(id++, doc, tags, collection, v));
            }
        }
        VectorIndex index = new VectorIndex();
        index.add(rows);
        assertThat(index.size()).isEqualTo(5000);
        ExecutorService pool = Executors.newFixedThreadPool(1);
        try {
            for (int i = 0; i < 30; i++) {
                float[] q = i % 2 == 0 ? near(centre, 0.05) : unit();
                int k = 1 + random.nextInt(20);
                assertThat(index.search(q, k, List.of(), null, 4.0, pool, 2))
                        .isEqualTo(bruteForce(rows, q, k, List.of(), null, 4.0));
                assertThat(index.search(q, k, List.of("policy", "collection"), null, 4.0, null, 1))
                        .isEqualTo(bruteForce(rows, q, k, List.of("policy", "collection"), null, 4.0));
                assertThat(index.search(q, k, List.of("product"), "black rose", 4.0, null, 1))
                        .isEqualTo(bruteForce(rows, q, k, List.of("product"), "black rose", 4.0));
                assertThat(index.search(q, 50, List.of(), "Signature", 1.0, null, 1))
                        .isEqualTo(bruteForce(rows, q, 50, List.of(), "Signature", 1.0));
            }

            // replace one document's chunks, remove another, and the index answers as if built afresh
            UUID replaced = docs.get(0);
            UUID removed = docs.get(1);
            rows.removeIf(r -> r.documentId().equals(replaced) || r.documentId().equals(removed));
            List<VectorIndex.Row> fresh = new ArrayList<>();
            for (int c = 0; c < 40; c++) {
                fresh.add(new VectorIndex.Row(id++, replaced, new String[] {"new"}, null, near(centre, 1e-3)));
            }
            rows.addAll(fresh);
            index.replace(Set.of(replaced, removed), fresh);
            assertThat(index.size()).isEqualTo(rows.size());
            assertThat(index.contains(removed)).isFalse();
            assertThat(index.contains(replaced)).isTrue();
            for (int i = 0; i < 10; i++) {
                float[] q = near(centre, 0.02);
                assertThat(index.search(q, 10, List.of(), null, 4.0, pool, 2))
                        .isEqualTo(bruteForce(rows, q, 10, List.of(), null, 4.0));
                assertThat(index.search(q, 10, List.of("new"), null, 4.0, null, 1))
                        .isEqualTo(bruteForce(rows, q, 10, List.of("new"), null, 4.0)).hasSize(10);
            }
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void parallelScanOverLargeIndexesMatchesTheSingleThreadedOne() {
        List<VectorIndex.Row> rows = new ArrayList<>();
        UUID doc = UUID.randomUUID();
        for (int i = 1; i <= 40_000; i++) {
            rows.add(new VectorIndex.Row(i, doc, new String[] {i % 2 == 0 ? "even" : "odd"}, null, unit()));
        }
        VectorIndex index = new VectorIndex();
        index.add(rows);
        assertThat(index.bytes()).isGreaterThanOrEqualTo(40_000L * VectorIndex.DIM * 4);
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
            for (int i = 0; i < 5; i++) {
                float[] q = unit();
                List<VectorIndex.Hit> parallel = index.search(q, 5, List.of(), null, 4.0, pool, 3);
                assertThat(parallel).isEqualTo(index.search(q, 5, List.of(), null, 4.0, null, 1))
                        .isEqualTo(bruteForce(rows, q, 5, List.of(), null, 4.0));
                assertThat(index.search(q, 5, List.of("odd"), null, 4.0, pool, 3))
                        .allMatch(h -> h.chunkId() % 2 == 1);
            }
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void cubeTextAndBytesRoundTripExactly() {
        float[] v = unit();
        String text = String.join("", KnowledgeStore.cubes(v));
        assertThat(KnowledgeIndex.parseCubes(text)).isEqualTo(v);
        assertThat(KnowledgeIndex.bytes(v)).hasSize(VectorIndex.DIM * 4);
    }
}
