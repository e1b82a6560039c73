import com.sun.net.httpserver.HttpServer;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;

/**
 * An OTLP/HTTP trace receiver for benchmarks: answers 200 to every export on /v1/traces and counts batches, bytes
 * and spans (walking the protobuf: ExportTraceServiceRequest.resource_spans(1).scope_spans(2).spans(2)), so spans
 * the hub dropped would show, and the spans by name (printed when it is stopped), so a bench can say which spans a
 * delivery makes. Java rather than a script: at thousands of spans a second a Python parser took a
 * noticeable share of the two cores the measured hub runs on. Prints a line per batch.
 * Run: java bench/OtlpSink.java PORT   (127.0.0.1 only; stop it by its PID)
 */
public class OtlpSink {

    public static void main(String[] args) throws Exception {
        AtomicLong batches = new AtomicLong();
        AtomicLong bytes = new AtomicLong();
        AtomicLong spans = new AtomicLong();
        java.util.concurrent.ConcurrentHashMap<String, java.util.concurrent.atomic.LongAdder> names =
                new java.util.concurrent.ConcurrentHashMap<>();
        Runtime.getRuntime().addShutdownHook(new Thread(() -> names.entrySet().stream()
                .sorted((x, y) -> Long.compare(y.getValue().sum(), x.getValue().sum()))
                .forEach(e -> System.out.println("name " + e.getValue().sum() + " " + e.getKey()))));
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", Integer.parseInt(args[0])), 64);
        server.setExecutor(Executors.newFixedThreadPool(2));
        server.createContext("/", exchange -> {
            byte[] body;
            try (InputStream in = exchange.getRequestBody()) {
                body = in.readAllBytes();
            }
            long count = countSpans(body, names);
            if (System.getenv("OTLP_SINK_KEEP") != null && batches.get() == 3) { // one batch as sent, to read
                java.nio.file.Files.write(java.nio.file.Path.of(System.getenv("OTLP_SINK_KEEP")), body);
            }
            long b = batches.incrementAndGet();
            long n = bytes.addAndGet(body.length);
            long s = spans.addAndGet(count);
            exchange.getResponseHeaders().set("Content-Type", "application/x-protobuf");
            exchange.sendResponseHeaders(200, -1);
            exchange.close();
            System.out.println("batches=" + b + " bytes=" + n + " spans=" + s);
        });
        server.start();
    }

    /** Spans in an ExportTraceServiceRequest, each counted under its name (Span.name, field 5). */
    static long countSpans(byte[] b, java.util.Map<String, java.util.concurrent.atomic.LongAdder> names) {
        long n = 0;
        for (int[] rs : fields(b, 0, b.length, 1)) {
            for (int[] ss : fields(b, rs[0], rs[1], 2)) {
                for (int[] span : fields(b, ss[0], ss[1], 2)) {
                    n++;
                    for (int[] name : fields(b, span[0], span[1], 5)) {
                        names.computeIfAbsent(new String(b, name[0], name[1] - name[0],
                                java.nio.charset.StandardCharsets.UTF_8), k -> new java.util.concurrent.atomic.LongAdder())
                                .increment();
                    }
                }
            }
        }
        return n;
    }

    /** [start, end) of each length-delimited field numbered {@code wanted} in b[from, to). */
    static java.util.List<int[]> fields(byte[] b, int from, int to, int wanted) {
        java.util.List<int[]> out = new java.util.ArrayList<>();
        int[] i = {from};
        while (i[0] < to) {
            long key = varint(b, i);
            int type = (int) (key & 7);
            switch (type) {
                case 0 -> varint(b, i);
                case 1 -> i[0] += 8;
                case 5 -> i[0] += 4;
                case 2 -> {
                    int len = (int) varint(b, i);
                    if ((key >>> 3) == wanted) {
                        out.add(new int[] {i[0], i[0] + len});
                    }
                    i[0] += len;
                }
                default -> throw new IllegalArgumentException("wire type " + type);
            }
        }
        return out;
    }

    static long varint(byte[] b, int[] i) {
        long r = 0;
        for (int shift = 0; ; shift += 7) {
            byte x = b[i[0]++];
            r |= (long) (x & 0x7f) << shift;
            if (x >= 0) {
                return r;
            }
        }
    }
}
