package com.skyyrose.hub.knowledge;

import com.skyyrose.hub.platform.DatabaseUrl;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.postgresql.PGConnection;
import org.postgresql.PGNotification;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.context.SmartLifecycle;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.TransactionDefinition;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * This instance's in-memory copy of the knowledge base's embeddings ({@link VectorIndex}), kept exactly current
 * with PostgreSQL while several instances change it.
 * <ul>
 * <li>Loaded in the background at start-up; until then (and in {@code HUB_KNOWLEDGE_INDEX=database} mode, or
 * when the chunks would exceed {@code HUB_KNOWLEDGE_INDEX_MAX_MB}) {@link #usable()} is false and searches run in
 * SQL.</li>
 * <li>Every committed document change bumps {@code knowledge_index_version} and logs the document id in
 * {@code knowledge_change} (V22 trigger, in the same transaction). A search first reads that counter (one tiny
 * query) and, if this index is behind, re-reads the changed documents before answering, so a change committed on
 * any instance is in the next search on every instance.</li>
 * <li>A thread on a dedicated connection LISTENs on {@code hub_knowledge} (the trigger's NOTIFY carries the
 * document id) and catches up as soon as a change commits, so searches rarely wait; it also checks the counter
 * every {@code HUB_KNOWLEDGE_INDEX_CHECK_INTERVAL} (a missed notification costs at most that), reconnects after
 * errors and prunes the change log. A gap in the log (pruned, or TRUNCATE) makes it reload in full.</li>
 * </ul>
 */
@Component
public class KnowledgeIndex implements SmartLifecycle {

    private static final Logger LOG = LoggerFactory.getLogger(KnowledgeIndex.class);
    static final String CHANNEL = "hub_knowledge";

    private final JdbcTemplate jdbc;
    private final JdbcTemplate streaming;
    private final TransactionTemplate snapshot;
    private final DatabaseUrl db;
    private final boolean enabled;
    private final long maxBytes;
    private final Duration checkInterval;
    private final int searchThreads;
    private final ExecutorService searchPool;
    private final Counter reloads;
    private final Counter catchUps;
    private final java.util.concurrent.locks.ReentrantLock catchUpLock = new java.util.concurrent.locks.ReentrantLock();

    private volatile VectorIndex index;
    private volatile boolean overCap;
    private volatile boolean running;
    private volatile Thread worker;
    private volatile Connection listenConnection;
    private long lastPrune;

    public KnowledgeIndex(JdbcTemplate jdbc, PlatformTransactionManager txm, DatabaseUrl db, MeterRegistry meters,
            @Value("${hub.knowledge.index.mode:memory}") String mode,
            @Value("${hub.knowledge.index.max-mb:256}") long maxMb,
            @Value("${hub.knowledge.index.check-interval:5s}") Duration checkInterval,
            @Value("${hub.knowledge.index.search-threads:2}") int searchThreads) {
        this.jdbc = jdbc;
        this.streaming = new JdbcTemplate(jdbc.getDataSource());
        this.streaming.setFetchSize(1000);
        this.snapshot = new TransactionTemplate(txm);
        this.snapshot.setIsolationLevel(TransactionDefinition.ISOLATION_REPEATABLE_READ);
        this.snapshot.setReadOnly(true);
        this.db = db;
        String m = mode == null ? "memory" : mode.strip().toLowerCase(Locale.ROOT);
        if (!m.equals("memory") && !m.equals("database")) {
            throw new IllegalArgumentException("HUB_KNOWLEDGE_INDEX must be memory or database, not " + mode);
        }
        this.enabled = m.equals("memory");
        this.maxBytes = maxMb * 1024 * 1024;
        this.checkInterval = checkInterval;
        this.searchThreads = Math.max(1, searchThreads);
        this.searchPool = this.searchThreads > 1 ? Executors.newFixedThreadPool(this.searchThreads - 1, r -> {
            Thread t = new Thread(r, "hub-knowledge-search");
            t.setDaemon(true);
            return t;
        }) : null;
        this.reloads = Counter.builder("hub.knowledge.index.reloads").description("Full loads of the in-memory index")
                .register(meters);
        this.catchUps = Counter.builder("hub.knowledge.index.catch-ups")
                .description("Changed documents re-read into the in-memory index").register(meters);
        Gauge.builder("hub.knowledge.index.chunks", this, k -> k.index == null ? 0 : k.index.size())
                .description("Chunks in this instance's in-memory index").register(meters);
        Gauge.builder("hub.knowledge.index.bytes", this, k -> k.index == null ? 0 : k.index.bytes())
                .description("Heap bytes held by this instance's in-memory index").register(meters);
    }

    /** True when searches can use the in-memory index (memory mode, loaded, under the cap). */
    public boolean usable() {
        return enabled && index != null;
    }

    public boolean enabled() {
        return enabled;
    }

    /** Chunks in memory, or -1 when not loaded. */
    public int chunks() {
        VectorIndex i = index;
        return i == null ? -1 : i.size();
    }

    public long bytes() {
        VectorIndex i = index;
        return i == null ? 0 : i.bytes();
    }

    /** The change counter value this index reflects (-1 when not loaded). */
    long version() {
        VectorIndex i = index;
        return i == null ? -1 : i.version();
    }

    boolean contains(UUID document) {
        VectorIndex i = index;
        return i != null && i.contains(document);
    }

    /** A ranking from memory and the change-counter value the index reflected when it was made. */
    record Ranking(long version, List<VectorIndex.Hit> hits) {
    }

    /**
     * Exact top-k from memory as of the index's current version, or null when the index cannot be used (the caller
     * then searches in SQL). The caller checks the version against the database's change counter in the same
     * statement that reads the chunks ({@link KnowledgeStore}), and calls {@link #catchUpForSearch()} and ranks
     * again when this index was behind, so answers reflect every change committed before the search.
     */
    Ranking rank(float[] query, int k, List<String> tags, String collection, double maxDistance) {
        VectorIndex i = index;
        if (!enabled || !running || i == null) {
            return null;
        }
        long v = i.version(); // read before ranking: a concurrent catch-up can only make the ranking newer
        return new Ranking(v, i.search(query, k, tags, collection, maxDistance, searchPool, searchThreads));
    }

    /** Applies every change committed since this index's version (re-reads the changed documents). */
    void catchUp() {
        catchUpLock.lock();
        try {
            applyChanges(true);
        } finally {
            catchUpLock.unlock();
        }
    }

    /**
     * The catch-up a search asks for when it saw a newer change counter: waits at most 100 ms for a catch-up in
     * progress and never reloads in full itself (it wakes the listeners for that); if the index is still behind,
     * the search answers from SQL.
     */
    void catchUpForSearch() {
        try {
            if (!catchUpLock.tryLock(100, java.util.concurrent.TimeUnit.MILLISECONDS)) {
                return;
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return;
        }
        try {
            applyChanges(false);
        } finally {
            catchUpLock.unlock();
        }
    }

    private void applyChanges(boolean mayReload) {
        VectorIndex i = index;
        if (i == null) {
            if (mayReload && enabled && running) {
                load();
            }
            return;
        }
        Boolean full = snapshot.execute(status -> {
            long current = jdbc.queryForObject("SELECT version FROM knowledge_index_version", Long.class);
            if (current == i.version()) {
                return false;
            }
            List<Object[]> changes = jdbc.query("SELECT version, document_id FROM knowledge_change "
                    + "WHERE version > ? AND version <= ? ORDER BY version",
                    (rs, n) -> new Object[] {rs.getLong(1), rs.getObject(2, UUID.class)}, i.version(), current);
            if (changes.isEmpty() || (long) changes.get(0)[0] != i.version() + 1
                    || (long) changes.get(changes.size() - 1)[0] != current
                    || changes.stream().anyMatch(c -> c[1] == null)) {
                return true; // pruned log, or a TRUNCATE: reload everything
            }
            Set<UUID> documents = new LinkedHashSet<>();
            changes.forEach(c -> documents.add((UUID) c[1]));
            List<VectorIndex.Row> rows = new ArrayList<>();
            streaming.query(SELECT_ROWS + " WHERE document_id = ANY(?)", rs -> {
                rows.add(row(rs));
            }, (Object) documents.toArray(UUID[]::new));
            i.replace(documents, rows);
            i.version(current);
            catchUps.increment(documents.size());
            LOG.debug("knowledge index: {} document(s) re-read, now at version {}", documents.size(), current);
            return false;
        });
        if (Boolean.TRUE.equals(full)) {
            if (mayReload) {
                load();
            } else { // wake the listener thread(s) to reload; searches use SQL until then
                jdbc.queryForObject("SELECT pg_notify(?, '*')::text", String.class, CHANNEL);
            }
        } else if (i.bytes() > maxBytes) {
            LOG.warn("knowledge index: {} bytes exceed HUB_KNOWLEDGE_INDEX_MAX_MB; searching in SQL", i.bytes());
            overCap = true;
            index = null;
        }
    }

    private static final String SELECT_ROWS = "SELECT id, document_id, tags, collection, embedding, CASE WHEN "
            + "embedding IS NULL THEN e1::text || e2::text || e3::text || e4::text END AS cubes FROM knowledge_chunk";

    /** Reloads everything now (the benchmark; normally only at start and after a gap in the change log). */
    void reload() {
        load();
    }

    /** Loads every chunk in one snapshot together with the change counter, then swaps the new index in. */
    private void load() {
        catchUpLock.lock();
        try {
            long started = System.nanoTime();
            VectorIndex fresh = new VectorIndex();
            boolean fits = Boolean.TRUE.equals(snapshot.execute(status -> {
                long current = jdbc.queryForObject("SELECT version FROM knowledge_index_version", Long.class);
                long count = jdbc.queryForObject("SELECT count(*) FROM knowledge_chunk", Long.class);
                if (VectorIndex.bytesFor(count) > maxBytes) {
                    return false;
                }
                List<VectorIndex.Row> batch = new ArrayList<>(1000);
                streaming.query(SELECT_ROWS, rs -> {
                    batch.add(row(rs));
                    if (batch.size() == 1000) {
                        fresh.add(batch);
                        batch.clear();
                    }
                });
                fresh.add(batch);
                fresh.version(current);
                return true;
            }));
            if (!fits) {
                if (!overCap) {
                    LOG.warn("knowledge index: the chunks would take more than HUB_KNOWLEDGE_INDEX_MAX_MB ({} MB); "
                            + "searching in SQL", maxBytes >> 20);
                }
                overCap = true;
                index = null;
                return;
            }
            overCap = false;
            index = fresh;
            reloads.increment();
            LOG.info("knowledge index loaded: {} chunks, {} MB of heap, version {}, in {} ms", fresh.size(),
                    fresh.bytes() >> 20, fresh.version(), (System.nanoTime() - started) / 1_000_000);
        } finally {
            catchUpLock.unlock();
        }
    }

    private static VectorIndex.Row row(ResultSet rs) throws SQLException {
        float[] v;
        byte[] raw = rs.getBytes("embedding");
        if (raw != null) {
            v = new float[VectorIndex.DIM];
            ByteBuffer.wrap(raw).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(v);
        } else {
            v = parseCubes(rs.getString("cubes"));
        }
        java.sql.Array tags = rs.getArray("tags");
        return new VectorIndex.Row(rs.getLong("id"), rs.getObject("document_id", UUID.class),
                tags == null ? new String[0] : (String[]) tags.getArray(), rs.getString("collection"), v);
    }

    /** "(a, b, ...)(c, ...)..." — the four cube parts' text — as 384 floats. */
    static float[] parseCubes(String text) {
        String[] parts = text.replaceAll("[()\\s]+", ",").replaceAll("^,|,$", "").split(",+");
        if (parts.length != VectorIndex.DIM) {
            throw new IllegalStateException("a stored embedding has " + parts.length + " dimensions");
        }
        float[] v = new float[parts.length];
        for (int i = 0; i < parts.length; i++) {
            v[i] = Float.parseFloat(parts[i]);
        }
        return v;
    }

    static byte[] bytes(float[] v) {
        ByteBuffer b = ByteBuffer.allocate(v.length * Float.BYTES).order(ByteOrder.LITTLE_ENDIAN);
        b.asFloatBuffer().put(v);
        return b.array();
    }

    // ---- the listener thread ----

    private void listen() {
        long backoff = 1000;
        while (running) {
            try (Connection c = DriverManager.getConnection(db.jdbcUrl(), db.username(), db.password())) {
                listenConnection = c;
                try (Statement st = c.createStatement()) {
                    st.execute("LISTEN " + CHANNEL);
                }
                PGConnection pg = c.unwrap(PGConnection.class);
                catchUp(); // loads at first; after a reconnection, applies what was missed
                backoff = 1000;
                long nextCheck = System.nanoTime() + checkInterval.toNanos();
                while (running) {
                    long waitMs = Math.max(1, (nextCheck - System.nanoTime()) / 1_000_000);
                    PGNotification[] notes = pg.getNotifications((int) Math.min(waitMs, Integer.MAX_VALUE));
                    if (!running) {
                        break;
                    }
                    if (notes != null && notes.length > 0) {
                        LOG.debug("knowledge index: notified of {}", Arrays.stream(notes)
                                .map(PGNotification::getParameter).toList());
                        catchUp();
                    } else if (System.nanoTime() >= nextCheck) {
                        catchUp(); // the periodic check: a missed notification is applied here
                        prune();
                        nextCheck = System.nanoTime() + checkInterval.toNanos();
                    }
                }
            } catch (Exception e) {
                if (!running) {
                    break;
                }
                LOG.warn("knowledge index: listener connection failed ({}); retrying in {} ms; searches stay "
                        + "correct (they check the change counter)", e.toString(), backoff);
                sleep(backoff);
                backoff = Math.min(30_000, backoff * 2);
            } finally {
                listenConnection = null;
            }
        }
    }

    /** Drops change-log entries older than a day (an instance further behind than that reloads in full). */
    private void prune() {
        if (System.nanoTime() - lastPrune < 600_000_000_000L && lastPrune != 0) {
            return;
        }
        lastPrune = System.nanoTime();
        int n = jdbc.update("DELETE FROM knowledge_change WHERE changed_at < now() - interval '1 day'");
        if (n > 0) {
            LOG.debug("knowledge index: pruned {} change-log entries", n);
        }
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void start() {
        if (!enabled || running) {
            return;
        }
        running = true;
        Thread t = new Thread(this::listen, "hub-knowledge-index");
        t.setDaemon(true);
        worker = t;
        t.start();
    }

    @Override
    public void stop() {
        running = false;
        index = null; // searches from now on run in SQL
        Thread t = worker;
        if (t != null) {
            Connection c = listenConnection;
            if (c != null) {
                try {
                    c.close();
                } catch (SQLException ignored) {
                    // closing to wake the listener
                }
            }
            t.interrupt();
            try {
                t.join(5000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        if (searchPool != null) {
            searchPool.shutdownNow();
        }
    }

    @Override
    public boolean isRunning() {
        return running;
    }

    @Override
    public int getPhase() {
        return 0;
    }
}
