package com.skyyrose.hub.knowledge;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.locks.ReentrantReadWriteLock;

/**
 * The unit embeddings of the knowledge base's chunks in this JVM, for exact top-k search.
 * <p>
 * Vectors live in contiguous {@code float[]} blocks of {@value #BLOCK_ROWS} rows (no per-chunk objects). A search
 * ranks every chunk that passes the filters by a float dot product with a bounded heap, then re-scores the
 * candidates exactly as PostgreSQL's {@code cube} distance does (double precision, four 96-dimension parts), orders
 * them by (distance, chunk id) like the SQL path and checks that no chunk outside the candidates could have ranked
 * higher given the float rounding error; otherwise it widens the candidate set and scans again. Results are
 * therefore the same as the SQL search.
 * <p>
 * Thread-safe: searches share a read lock, changes take the write lock (briefly: the rows are read beforehand).
 */
final class VectorIndex {

    static final int DIM = Embedder.DIMENSIONS;
    static final int BLOCK_ROWS = 1024;
    private static final int BLOCK_FLOATS = BLOCK_ROWS * DIM;
    /** A generous bound on |float dot - exact dot| for unit vectors of 384 dimensions (actual ≤ ~2.5e-5). */
    private static final double DOT_ERROR = 1e-4;
    /** Candidates beyond k collected by the float scan. */
    private static final int EXTRA = 16;
    /** Below this many rows a search runs on the calling thread only. */
    private static final int PARALLEL_MIN_ROWS = 16_384;

    /** A chunk to add: its id, its filter values and its unit embedding. */
    record Row(long chunkId, UUID documentId, String[] tags, String collection, float[] vector) {
    }

    /** A result: the chunk id and its exact squared distance ({@code 2 - 2 cos}). */
    record Hit(long chunkId, double distance) {
    }

    /** The filter values shared by many chunks (tags + collection), stored once. */
    private record Group(Set<String> tags, String collectionLower) {
    }

    private final ReentrantReadWriteLock lock = new ReentrantReadWriteLock();
    private final List<float[]> blocks = new ArrayList<>();
    private long[] chunkIds = new long[0]; // 0 = free slot (identity ids start at 1)
    private int[] groupOf = new int[0];
    private int highWater;
    private int live;
    private int[] free = new int[64];
    private int freeCount;
    private final Map<UUID, int[]> slotsByDocument = new HashMap<>();
    private final Map<Group, Integer> groupIds = new HashMap<>();
    private final List<Group> groups = new ArrayList<>();
    private volatile long version;
    /**
     * The stored decimals ({@link #decimal}) of slots that were leading hits: 384 Float.toString + parseDouble per
     * hit were the largest Java cost of a search. Bounded; a slot's entry goes when the slot is freed or reused.
     */
    private final java.util.concurrent.ConcurrentHashMap<Integer, double[]> storedDecimals =
            new java.util.concurrent.ConcurrentHashMap<>();
    private static final int STORED_DECIMALS_MAX = 8192;

    long version() {
        return version;
    }

    void version(long v) {
        this.version = v;
    }

    int size() {
        lock.readLock().lock();
        try {
            return live;
        } finally {
            lock.readLock().unlock();
        }
    }

    boolean contains(UUID documentId) {
        lock.readLock().lock();
        try {
            return slotsByDocument.containsKey(documentId);
        } finally {
            lock.readLock().unlock();
        }
    }

    /** Heap bytes held: the vector blocks, the per-slot arrays and a rough figure for the maps. */
    long bytes() {
        lock.readLock().lock();
        try {
            return (long) blocks.size() * BLOCK_FLOATS * Float.BYTES + (long) chunkIds.length * (Long.BYTES
                    + Integer.BYTES) + free.length * 4L + slotsByDocument.size() * 120L + live * 4L
                    + groups.size() * 200L + storedDecimals.size() * (DIM * 8L + 80L);
        } finally {
            lock.readLock().unlock();
        }
    }

    static long bytesFor(long chunks) {
        return chunks * (DIM * Float.BYTES + Long.BYTES + Integer.BYTES + Integer.BYTES);
    }

    /** Adds rows while loading (documents may arrive over several calls). */
    void add(List<Row> rows) {
        lock.writeLock().lock();
        try {
            for (Row r : rows) {
                int slot = insert(r);
                slotsByDocument.merge(r.documentId(), new int[] {slot}, VectorIndex::concat);
            }
        } finally {
            lock.writeLock().unlock();
        }
    }

    /** Replaces the chunks of the given documents with the rows given (a document without rows is removed). */
    void replace(Set<UUID> documents, List<Row> rows) {
        lock.writeLock().lock();
        try {
            for (UUID d : documents) {
                int[] slots = slotsByDocument.remove(d);
                if (slots != null) {
                    for (int s : slots) {
                        release(s);
                    }
                }
            }
            add(rows);
        } finally {
            lock.writeLock().unlock();
        }
    }

    private int insert(Row r) {
        if (r.vector().length != DIM) {
            throw new IllegalArgumentException("expected " + DIM + " dimensions, got " + r.vector().length);
        }
        int slot;
        if (freeCount > 0) {
            slot = free[--freeCount];
            storedDecimals.remove(slot);
        } else {
            slot = highWater++;
            if (slot >= chunkIds.length) {
                int n = Math.max(BLOCK_ROWS, chunkIds.length * 2);
                chunkIds = Arrays.copyOf(chunkIds, n);
                groupOf = Arrays.copyOf(groupOf, n);
            }
            if (slot / BLOCK_ROWS >= blocks.size()) {
                blocks.add(new float[BLOCK_FLOATS]);
            }
        }
        System.arraycopy(r.vector(), 0, blocks.get(slot / BLOCK_ROWS), (slot % BLOCK_ROWS) * DIM, DIM);
        chunkIds[slot] = r.chunkId();
        groupOf[slot] = group(r.tags(), r.collection());
        live++;
        return slot;
    }

    private void release(int slot) {
        storedDecimals.remove(slot);
        chunkIds[slot] = 0;
        live--;
        if (freeCount == free.length) {
            free = Arrays.copyOf(free, free.length * 2);
        }
        free[freeCount++] = slot;
    }

    private int group(String[] tags, String collection) {
        Group g = new Group(Set.of(tags == null ? new String[0] : Arrays.stream(tags).distinct()
                .toArray(String[]::new)), collection == null ? null : collection.toLowerCase(Locale.ROOT));
        return groupIds.computeIfAbsent(g, k -> {
            groups.add(k);
            return groups.size() - 1;
        });
    }

    private static int[] concat(int[] a, int[] b) {
        int[] out = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }

    /**
     * Exact top-k, best first, with the same semantics as the SQL search: chunks having any of {@code tags}
     * (normalised, lower case) and the collection (case-insensitive) if given; the top k by distance, then those
     * within {@code maxDistance}.
     */
    List<Hit> search(float[] query, int k, List<String> tags, String collection, double maxDistance,
            ExecutorService pool, int threads) {
        lock.readLock().lock();
        try {
            boolean[] pass = null;
            if (!tags.isEmpty() || collection != null) {
                String wanted = collection == null ? null : collection.toLowerCase(Locale.ROOT);
                pass = new boolean[groups.size()];
                for (int g = 0; g < pass.length; g++) {
                    Group group = groups.get(g);
                    boolean ok = tags.isEmpty() || tags.stream().anyMatch(group.tags()::contains);
                    pass[g] = ok && (wanted == null || wanted.equals(group.collectionLower()));
                }
            }
            int want = k + EXTRA;
            while (true) {
                Candidates c = scan(query, want, pass, pool, threads);
                List<Scored> exact = new ArrayList<>(c.size);
                for (int i = 0; i < c.size; i++) {
                    exact.add(new Scored(c.slots[i], chunkIds[c.slots[i]], exactDistance(c.slots[i], query)));
                }
                exact.sort(ORDER);
                List<Hit> asStored = asStored(exact, query, k);
                List<Hit> top = asStored.subList(0, Math.min(k, asStored.size()));
                boolean complete = c.size < want; // every passing chunk was a candidate
                if (!complete && top.size() == k) {
                    // any chunk left out has float dot <= c.minDot, so exact distance >= 2 - 2 (minDot + error)
                    double bound = 2.0 - 2.0 * (c.minDot + DOT_ERROR);
                    complete = bound > top.get(k - 1).distance();
                }
                if (complete) {
                    List<Hit> out = new ArrayList<>(top.size());
                    for (Hit h : top) {
                        if (h.distance() <= maxDistance) {
                            out.add(h);
                        }
                    }
                    return out;
                }
                want *= 4; // near-ties at the float precision: widen and scan again (rare)
            }
        } finally {
            lock.readLock().unlock();
        }
    }

    /** The best {@code want} slots by float dot product (a bounded min-heap), with the smallest dot kept. */
    private static final class Candidates {
        final int[] slots;
        final float[] dots;
        int size;
        float minDot = Float.NEGATIVE_INFINITY;

        Candidates(int want) {
            slots = new int[want];
            dots = new float[want];
        }

        void offer(int slot, float dot) {
            if (size < slots.length) {
                int i = size++;
                while (i > 0) { // sift up
                    int parent = (i - 1) >>> 1;
                    if (dots[parent] <= dot) {
                        break;
                    }
                    dots[i] = dots[parent];
                    slots[i] = slots[parent];
                    i = parent;
                }
                dots[i] = dot;
                slots[i] = slot;
            } else if (dot > dots[0]) {
                int i = 0;
                while (true) { // sift down
                    int l = 2 * i + 1;
                    if (l >= size) {
                        break;
                    }
                    int m = l + 1 < size && dots[l + 1] < dots[l] ? l + 1 : l;
                    if (dots[m] >= dot) {
                        break;
                    }
                    dots[i] = dots[m];
                    slots[i] = slots[m];
                    i = m;
                }
                dots[i] = dot;
                slots[i] = slot;
            }
        }

        float threshold() {
            return size < slots.length ? Float.NEGATIVE_INFINITY : dots[0];
        }
    }

    private Candidates scan(float[] q, int want, boolean[] pass, ExecutorService pool, int threads) {
        int n = highWater;
        int parts = pool == null || n < PARALLEL_MIN_ROWS ? 1 : Math.max(1, threads);
        if (parts == 1) {
            return scanRange(q, want, pass, 0, n);
        }
        int step = (n + parts - 1) / parts;
        List<Future<Candidates>> futures = new ArrayList<>();
        for (int p = 1; p < parts; p++) {
            int from = p * step;
            int to = Math.min(n, from + step);
            futures.add(pool.submit(() -> scanRange(q, want, pass, from, to)));
        }
        Candidates merged = scanRange(q, want, pass, 0, Math.min(n, step));
        for (Future<Candidates> f : futures) {
            Candidates c;
            try {
                c = f.get();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("search interrupted", e);
            } catch (java.util.concurrent.ExecutionException e) {
                throw new IllegalStateException("search failed", e.getCause());
            }
            for (int i = 0; i < c.size; i++) {
                merged.offer(c.slots[i], c.dots[i]);
            }
        }
        merged.minDot = merged.threshold();
        return merged;
    }

    private Candidates scanRange(float[] q, int want, boolean[] pass, int from, int to) {
        Candidates c = new Candidates(want);
        long[] ids = chunkIds;
        int[] groupOfSlot = groupOf;
        float threshold = Float.NEGATIVE_INFINITY;
        for (int b = from / BLOCK_ROWS; b * BLOCK_ROWS < to; b++) {
            float[] block = blocks.get(b);
            int start = Math.max(from, b * BLOCK_ROWS);
            int end = Math.min(to, (b + 1) * BLOCK_ROWS);
            for (int slot = start; slot < end; slot++) {
                if (ids[slot] == 0 || pass != null && !pass[groupOfSlot[slot]]) {
                    continue;
                }
                float d = dot(block, (slot - b * BLOCK_ROWS) * DIM, q);
                if (d > threshold) {
                    c.offer(slot, d);
                    threshold = c.threshold();
                }
            }
        }
        c.minDot = c.threshold();
        return c;
    }

    static float dot(float[] a, int off, float[] q) {
        float s0 = 0;
        float s1 = 0;
        float s2 = 0;
        float s3 = 0;
        for (int i = 0; i < DIM; i += 4) {
            s0 += a[off + i] * q[i];
            s1 += a[off + i + 1] * q[i + 1];
            s2 += a[off + i + 2] * q[i + 2];
            s3 += a[off + i + 3] * q[i + 3];
        }
        return (s0 + s1) + (s2 + s3);
    }

    private record Scored(int slot, long chunkId, double distance) {
    }

    private static final java.util.Comparator<Scored> ORDER = (a, b) -> a.distance() != b.distance()
            ? Double.compare(a.distance(), b.distance()) : Long.compare(a.chunkId(), b.chunkId());

    /**
     * The cubes hold each float as the double nearest to its shortest decimal form ({@link KnowledgeStore#cubes}),
     * which differs from the float's own value below 1e-7. The leading hits (those that can be in the top k) are
     * re-scored from those doubles, so their order and scores are exactly the SQL path's.
     */
    private List<Hit> asStored(List<Scored> sorted, float[] query, int k) {
        if (sorted.isEmpty()) {
            return List.of();
        }
        double limit = sorted.get(Math.min(k, sorted.size()) - 1).distance() + 1e-6;
        double[] q = decimal(query, 0);
        List<Scored> lead = new ArrayList<>();
        int i = 0;
        for (; i < sorted.size() && sorted.get(i).distance() <= limit; i++) {
            Scored h = sorted.get(i);
            lead.add(new Scored(h.slot(), h.chunkId(), exactDistance(storedDecimal(h.slot()), 0, q)));
        }
        lead.sort(ORDER);
        lead.addAll(sorted.subList(i, sorted.size()));
        return lead.stream().map(h -> new Hit(h.chunkId(), h.distance())).toList();
    }

    /** The slot's vector as stored decimals, remembered (called under the read lock; slots change under the write lock). */
    private double[] storedDecimal(int slot) {
        double[] known = storedDecimals.get(slot);
        if (known == null) {
            known = decimal(blocks.get(slot / BLOCK_ROWS), (slot % BLOCK_ROWS) * DIM);
            if (storedDecimals.size() < STORED_DECIMALS_MAX) {
                storedDecimals.put(slot, known);
            }
        }
        return known;
    }

    static double[] decimal(float[] v, int off) {
        double[] out = new double[DIM];
        for (int i = 0; i < DIM; i++) {
            out[i] = Double.parseDouble(Float.toString(v[off + i]));
        }
        return out;
    }

    static double exactDistance(double[] a, int off, double[] q) {
        int part = DIM / KnowledgeStore.PARTS;
        double dist = 0;
        for (int p = 0; p < KnowledgeStore.PARTS; p++) {
            double sum = 0;
            for (int i = p * part; i < (p + 1) * part; i++) {
                double d = a[off + i] - q[i];
                sum += d * d;
            }
            double r = Math.sqrt(sum);
            dist += Math.pow(r, 2);
        }
        return dist;
    }

    /** {@code sum over four parts of (cube distance)^2}, in double, from the float values. */
    private double exactDistance(int slot, float[] q) {
        float[] block = blocks.get(slot / BLOCK_ROWS);
        int off = (slot % BLOCK_ROWS) * DIM;
        return exactDistance(block, off, q);
    }

    static double exactDistance(float[] a, int off, float[] q) {
        int part = DIM / KnowledgeStore.PARTS;
        double dist = 0;
        for (int p = 0; p < KnowledgeStore.PARTS; p++) {
            double sum = 0;
            for (int i = p * part; i < (p + 1) * part; i++) {
                double d = (double) a[off + i] - (double) q[i];
                sum += d * d;
            }
            double r = Math.sqrt(sum);
            dist += Math.pow(r, 2);
        }
        return dist;
    }
}
