package com.skyyrose.hub.knowledge;

import com.skyyrose.hub.platform.DatabaseUrl;
import com.zaxxer.hikari.HikariDataSource;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import org.flywaydb.core.Flyway;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.datasource.DataSourceTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Knowledge base benchmark (run by bench/knowledge/run.sh, not by the test suite): ingestion rate with real
 * chunking + in-process embeddings + PostgreSQL, then search latency p50/p99 at 1k, 10k and 100k chunks, and what
 * the stored vectors cost. Vectors beyond the really ingested ones are the real embeddings with noise added
 * (re-normalised), so the distribution looks like real text.
 */
public final class KnowledgeBench {

    public static void main(String[] args) throws Exception {
        String url = args.length > 0 ? args[0] : "postgres://postgres@127.0.0.1:5432/hub_brand_bench";
        int searches = args.length > 1 ? Integer.parseInt(args[1]) : 100;
        DatabaseUrl db = DatabaseUrl.parse(url);
        ensureDatabase(db);
        HikariDataSource ds = new HikariDataSource();
        ds.setJdbcUrl(db.jdbcUrl());
        if (db.username() != null) {
            ds.setUsername(db.username());
        }
        if (db.password() != null) {
            ds.setPassword(db.password());
        }
        ds.setMaximumPoolSize(4);
        Flyway.configure().dataSource(ds).locations("classpath:db/migration").load().migrate();
        JdbcTemplate jdbc = new JdbcTemplate(ds);
        jdbc.execute("TRUNCATE knowledge_document CASCADE");
        TransactionTemplate tx = new TransactionTemplate(new DataSourceTransactionManager(ds));
        StringBuilder report = new StringBuilder("# Knowledge base benchmark, " + Instant.now() + "\n\n");
        report.append("Machine: ").append(Runtime.getRuntime().availableProcessors()).append(" cores; ")
                .append(jdbc.queryForObject("SELECT version()", String.class)).append("; load average at start: ")
                .append(Files.readString(Path.of("/proc/loadavg")).strip()).append("\n\n");

        long heapBefore = usedHeap();
        Embedder embedder = new Embedder(Runtime.getRuntime().availableProcessors(), 1, System.getProperty("model", Embedder.INT8));
        embedder.embed("warm up");
        long modelHeap = usedHeap() - heapBefore;
        // the in-memory index as the hub runs it (listener thread + change counter), with room for 100k chunks
        KnowledgeIndex index = new KnowledgeIndex(jdbc, new DataSourceTransactionManager(ds), db,
                new SimpleMeterRegistry(), "memory", 1024, java.time.Duration.ofSeconds(5), 2);
        index.start();
        KnowledgeStore store = new KnowledgeStore(jdbc, tx, embedder, index, new SimpleMeterRegistry(), 800, 150,
                5 * 1024 * 1024, 32);

        // 1. ingestion: real documents, chunked, embedded in process, stored
        List<String> sentences = corpusSentences();
        Random random = new Random(42);
        int docs = 12;
        long chunks = 0;
        long started = System.nanoTime();
        for (int d = 0; d < docs; d++) {
            StringBuilder text = new StringBuilder();
            for (int i = 0; i < 120; i++) {
                text.append(sentences.get(random.nextInt(sentences.size()))).append(' ');
                if (i % 6 == 5) {
                    text.append("\n\n");
                }
            }
            Map<String, Object> doc = store.ingest(new KnowledgeStore.NewDocument("bench-" + d, "Bench " + d,
                    "text/plain", text.toString(), List.of("bench", d % 2 == 0 ? "even" : "odd"),
                    d % 3 == 0 ? "Black Rose" : null), "bench");
            chunks += ((Number) doc.get("chunk_count")).longValue();
        }
        double seconds = (System.nanoTime() - started) / 1e9;
        report.append(String.format("## Ingestion%n%n%d documents, %d chunks (800 chars, 150 overlap) in %.1f s: "
                + "**%.0f chunks/s** (chunk + embed with %s in process + store)%n%n", docs, chunks, seconds,
                chunks / seconds, embedder.modelName()));
        System.out.print(report);

        // real vectors to derive the rest from
        List<float[]> base = new ArrayList<>();
        jdbc.query("SELECT e1::text, e2::text, e3::text, e4::text FROM knowledge_chunk", rs -> {
            float[] v = new float[Embedder.DIMENSIONS];
            for (int p = 0; p < 4; p++) {
                String[] parts = rs.getString(p + 1).replaceAll("[()\\s]", "").split(",");
                for (int i = 0; i < parts.length; i++) {
                    v[p * 96 + i] = Float.parseFloat(parts[i]);
                }
            }
            base.add(v);
        });
        List<float[]> queries = new ArrayList<>();
        for (KnowledgeBaseTestQueries q : KnowledgeBaseTestQueries.values()) {
            queries.add(embedder.embed(q.text));
        }

        report.append("## Search (exact cosine top-5; `memory` = in-memory index incl. its one SQL round trip (rows + change counter), "
                + "`scan` = the in-memory scan alone, `database` = SQL scan in PostgreSQL)\n\n")
                .append("| chunks | path | p50 ms | p99 ms | mean ms | tag filter p50 ms | load avg | memory cost |\n")
                .append("|---:|---|---:|---:|---:|---:|---|---|\n");
        UUID filler = UUID.randomUUID();
        jdbc.update("INSERT INTO knowledge_document (id, source_id, title, content_type, content_sha256, chars, "
                + "created_by, updated_by) VALUES (?, 'bench-filler', 'filler', 'text/plain', 'x', 0, 'bench', 'bench')",
                filler);
        int ordinal = 0;
        for (int target : new int[] {1_000, 10_000, 100_000}) {
            int have = jdbc.queryForObject("SELECT count(*) FROM knowledge_chunk", Integer.class);
            ordinal = fill(db, filler, base, target - have, ordinal, random);
            // chunks are only ever written with their document: announce the bulk insert the same way
            jdbc.update("UPDATE knowledge_document SET updated_at = now() WHERE id = ?", filler);
            jdbc.execute("VACUUM ANALYZE knowledge_chunk");
            System.gc();
            long t0 = System.nanoTime();
            index.reload();
            double loadMs = (System.nanoTime() - t0) / 1e6;
            if (index.chunks() != target) {
                throw new IllegalStateException("index holds " + index.chunks() + " chunks, expected " + target);
            }
            long indexBytes = index.bytes();
            // both paths must agree before their speed means anything
            for (float[] q : queries) {
                KnowledgeStore.Query query = new KnowledgeStore.Query("q", 5, null, null, null);
                if (!store.searchMemory(q, query).equals(store.searchDatabase(q, query))) {
                    throw new IllegalStateException("memory and database results differ at " + target);
                }
            }
            String load = Files.readString(Path.of("/proc/loadavg")).strip().replaceFirst("^(\\S+ \\S+ \\S+).*", "$1");
            double[] mem = latencies((q, f) -> store.searchMemory(q, f), queries, searches * 5, null, random);
            double[] memTag = latencies((q, f) -> store.searchMemory(q, f), queries, searches * 2, List.of("odd"),
                    random);
            double[] scan = latencies((q, f) -> index.rank(q, 5, f.tags(), null, 4.0),
                    queries, searches * 5, null, random);
            double[] scanTag = latencies((q, f) -> index.rank(q, 5, f.tags(), null, 4.0), queries, searches * 2,
                    List.of("odd"), random);
            String loadDb = Files.readString(Path.of("/proc/loadavg")).strip().replaceFirst("^(\\S+ \\S+ \\S+).*", "$1");
            double[] plain = latencies((q, f) -> store.searchDatabase(q, f), queries, searches, null, random);
            double[] tagged = latencies((q, f) -> store.searchDatabase(q, f), queries, Math.max(20, searches / 2),
                    List.of("odd"), random);
            long bytes = jdbc.queryForObject("SELECT pg_total_relation_size('knowledge_chunk')", Long.class);
            String lines = String.format("| %,d | memory | %.2f | %.2f | %.2f | %.2f | %s | %s heap (%,d B/chunk), "
                    + "loaded in %.0f ms |%n", target, pct(mem, 50), pct(mem, 99), mean(mem), pct(memTag, 50), load,
                    human(indexBytes), indexBytes / target, loadMs)
                    + String.format("| %,d | scan | %.2f | %.2f | %.2f | %.2f | %s | |%n", target, pct(scan, 50),
                    pct(scan, 99), mean(scan), pct(scanTag, 50), load)
                    + String.format("| %,d | database | %.1f | %.1f | %.1f | %.1f | %s | %s table + indexes "
                    + "(%,d B/chunk) |%n", target, pct(plain, 50), pct(plain, 99), mean(plain), pct(tagged, 50),
                    loadDb, human(bytes), bytes / target);
            report.append(lines);
            System.out.print(lines);
        }
        report.append("\nLoad average at end: ").append(Files.readString(Path.of("/proc/loadavg")).strip())
                .append('\n');
        report.append(String.format("%nThe embedding model takes about %s of heap after loading (its ONNX weights "
                + "are off-heap: ~23 MB for the int8 export, ~90 MB for float32).%n", human(modelHeap)));
        report.append("\nPlan at 100k: ").append(String.join(" / ", jdbc.queryForList("EXPLAIN SELECT id FROM "
                + "knowledge_chunk ORDER BY (e1 <-> e1)^2 LIMIT 5", String.class))).append('\n');
        jdbc.execute("TRUNCATE knowledge_document CASCADE");
        Path out = Path.of("bench/results");
        Files.createDirectories(out);
        Path file = out.resolve("knowledge-" + Instant.now().toString().replace(':', '-') + ".md");
        Files.writeString(file, report);
        System.out.println("\n" + report + "\nwritten to " + file);
        index.stop();
        ds.close();
        embedder.destroy();
    }

    enum KnowledgeBaseTestQueries {
        Q1("Where is SkyyRose based?"), Q2("How many days do I have to return an item?"),
        Q3("Tell me about the Black Rose hoodie"), Q4("Is shipping free?"), Q5("How should I wash my hoodie?"),
        Q6("Which font is used for headings?"), Q7("Do I pay customs duties on international orders?"),
        Q8("What happens to unsold stock?"), Q9("varsity jacket with leather sleeves"),
        Q10("Which collection is always in stock?");

        final String text;

        KnowledgeBaseTestQueries(String text) {
            this.text = text;
        }
    }

    interface Search {
        Object run(float[] vector, KnowledgeStore.Query q);
    }

    private static double[] latencies(Search search, List<float[]> queries, int n, List<String> tags,
            Random random) {
        List<String> t = tags == null ? List.of() : tags;
        for (int i = 0; i < 20; i++) {
            search.run(queries.get(i % queries.size()), new KnowledgeStore.Query("q", 5, t, null, null));
        }
        double[] ms = new double[n];
        for (int i = 0; i < n; i++) {
            float[] q = queries.get(random.nextInt(queries.size()));
            long start = System.nanoTime();
            search.run(q, new KnowledgeStore.Query("q", 5, t, null, null));
            ms[i] = (System.nanoTime() - start) / 1e6;
        }
        Arrays.sort(ms);
        return ms;
    }

    private static int fill(DatabaseUrl db, UUID doc, List<float[]> base, int count, int ordinal, Random random)
            throws Exception {
        if (count <= 0) {
            return ordinal;
        }
        try (Connection c = DriverManager.getConnection(db.jdbcUrl() + (db.jdbcUrl().contains("?") ? "&" : "?")
                + "reWriteBatchedInserts=true", db.username(), db.password())) {
            c.setAutoCommit(false);
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO knowledge_chunk (document_id, ordinal, text, "
                    + "tags, collection, e1, e2, e3, e4, embedding) VALUES (?, ?, ?, ?::text[], ?, ?::cube, ?::cube, "
                    + "?::cube, ?::cube, ?)")) {
                for (int i = 0; i < count; i++) {
                    float[] v = base.get(random.nextInt(base.size())).clone();
                    for (int d = 0; d < v.length; d++) {
                        v[d] += (float) (random.nextGaussian() * 0.03);
                    }
                    float[] unit = Embedder.normalize(v);
                    String[] parts = KnowledgeStore.cubes(unit);
                    ps.setBytes(10, KnowledgeIndex.bytes(unit));
                    ps.setObject(1, doc);
                    ps.setInt(2, ordinal++);
                    ps.setString(3, "Synthetic bench chunk " + ordinal + ": love meets luxury in Oakland streetwear, "
                            + "rose gold details, heavyweight organic cotton, limited numbered drops.");
                    ps.setString(4, i % 2 == 0 ? "{bench,even}" : "{bench,odd}");
                    ps.setString(5, i % 3 == 0 ? "Black Rose" : null);
                    for (int p = 0; p < 4; p++) {
                        ps.setString(6 + p, parts[p]);
                    }
                    ps.addBatch();
                    if (i % 1000 == 999) {
                        ps.executeBatch();
                        c.commit();
                    }
                }
                ps.executeBatch();
                c.commit();
            }
        }
        return ordinal;
    }

    private static List<String> corpusSentences() throws Exception {
        List<String> out = new ArrayList<>();
        TextChunker splitter = new TextChunker(800, 0);
        var resolver = new org.springframework.core.io.support.PathMatchingResourcePatternResolver();
        for (var r : resolver.getResources("classpath*:knowledge/seed/*.md")) {
            String md = new String(r.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
            out.addAll(splitter.sentences(DocumentText.markdown(md.replaceFirst("(?s)^---.*?\\n---\\n", ""))));
        }
        return out;
    }

    private static void ensureDatabase(DatabaseUrl db) throws Exception {
        String name = db.jdbcUrl().replaceFirst(".*/([^/?]+)(\\?.*)?$", "$1");
        String admin = db.jdbcUrl().replaceFirst("/[^/?]+(\\?.*)?$", "/postgres$1");
        try (Connection c = DriverManager.getConnection(admin, db.username(), db.password());
                var st = c.createStatement()) {
            var rs = st.executeQuery("SELECT 1 FROM pg_database WHERE datname = '" + name.replace("'", "''") + "'");
            if (!rs.next()) {
                st.execute("CREATE DATABASE \"" + name.replace("\"", "") + "\"");
            }
        }
    }

    private static long usedHeap() {
        System.gc();
        Runtime rt = Runtime.getRuntime();
        return rt.totalMemory() - rt.freeMemory();
    }

    private static double pct(double[] sorted, int p) {
        return sorted[Math.min(sorted.length - 1, (int) Math.ceil(p / 100.0 * sorted.length) - 1)];
    }

    private static double mean(double[] v) {
        return Arrays.stream(v).average().orElse(0);
    }

    private static String human(long bytes) {
        return bytes > 1 << 20 ? String.format("%.1f MB", bytes / 1048576.0) : String.format("%.0f kB", bytes / 1024.0);
    }
}
