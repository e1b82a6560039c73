import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Closed-loop load on OpenAI-style chat completions endpoints, one after the other in the same run, each with the same
 * client, concurrency and kind of request: every request asks a different question (a counter and words picked at
 * random), so nothing can be answered from a cache. Prints p50/p90/p99 and requests/s per target and phase.
 *
 * java OpenAiCompatLoad.java [--pids=name:pid,...] <concurrency> <warmup-s> <measure-s> <rounds>
 *      name|url|model|header:value;header:value ...
 * <p>
 * With {@code --pids=name:PID[:THREAD-REGEX],...}, each measured phase also prints the CPU time (user + system, from
 * /proc) each named process (or its threads whose name matches) and this client spent per answered request: on a
 * shared machine that is the figure that compares peers when latency and throughput are bent by other load.
 */
public class OpenAiCompatLoad {

    record Target(String name, String url, String model, String[] headers) {
    }

    static final String[] WORDS = {"hoodie", "tee", "Black Rose", "Love Hurts", "Oakland", "fleece", "size", "drop",
            "shipping", "returns", "gift", "colour", "fit", "collection", "price", "restock"};

    public static void main(String[] args) throws Exception {
        java.util.LinkedHashMap<String, String> pids = new java.util.LinkedHashMap<>();
        if (args.length > 0 && args[0].startsWith("--pids=")) {
            for (String pair : args[0].substring("--pids=".length()).split(",")) {
                if (!pair.isBlank()) {
                    String[] kv = pair.split(":", 2);
                    pids.put(kv[0], kv[1].trim());
                }
            }
            args = Arrays.copyOfRange(args, 1, args.length);
        }
        pids.put("client", Long.toString(ProcessHandle.current().pid()));
        int concurrency = Integer.parseInt(args[0]);
        int warmup = Integer.parseInt(args[1]);
        int measure = Integer.parseInt(args[2]);
        int rounds = Integer.parseInt(args[3]);
        List<Target> targets = new ArrayList<>();
        for (String spec : Arrays.copyOfRange(args, 4, args.length)) {
            String[] p = spec.split("\\|", 4);
            List<String> headers = new ArrayList<>();
            if (p.length > 3 && !p[3].isBlank()) {
                for (String h : p[3].split(";")) {
                    int colon = h.indexOf(':');
                    headers.add(h.substring(0, colon).trim());
                    headers.add(h.substring(colon + 1).trim());
                }
            }
            targets.add(new Target(p[0], p[1], p[2], headers.toArray(String[]::new)));
        }
        HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(5)).build();
        for (Target t : targets) {
            run(client, t, concurrency, warmup, false);
        }
        System.out.printf("%-10s %5s %8s %8s %8s %8s %9s %7s%n", "target", "round", "p50 ms", "p90 ms", "p99 ms",
                "req/s", "requests", "errors");
        List<String> cpuLines = new ArrayList<>();
        for (int r = 1; r <= rounds; r++) {
            for (Target t : targets) {
                long[] before = cpu(pids);
                Result res = run(client, t, concurrency, measure, true);
                long[] after = cpu(pids);
                System.out.printf("%-10s %5d %8.2f %8.2f %8.2f %8.0f %9d %7d%n", t.name(), r, res.p(50), res.p(90),
                        res.p(99), res.count / (double) measure, res.count, res.errors);
                StringBuilder line = new StringBuilder(String.format("cpu %-10s %5d", t.name(), r));
                int i = 0;
                for (String name : pids.keySet()) {
                    double msPerRequest = res.count == 0 ? Double.NaN
                            : (after[i] - before[i]) * 1000.0 / TICKS / res.count;
                    line.append(String.format("  %s %.3f", name, msPerRequest));
                    i++;
                }
                cpuLines.add(line.toString());
            }
        }
        if (pids.size() > 1) {
            System.out.println();
            System.out.println("CPU ms per answered request, per process, during each target's measured phase "
                    + "(user+system from /proc; a process the target does not use should be ~0):");
            cpuLines.forEach(System.out::println);
        }
    }

    /** Clock ticks per second of /proc/PID/stat's utime and stime (USER_HZ: 100 on Linux x86-64). */
    static final long TICKS = 100;

    /**
     * utime + stime of each process, in ticks (0 when it cannot be read). A spec {@code PID:REGEX} counts only the
     * process's threads whose name matches (e.g. the JIT compiler threads {@code C[12] CompilerThre.*}).
     */
    static long[] cpu(java.util.Map<String, String> pids) {
        long[] out = new long[pids.size()];
        int i = 0;
        for (String spec : pids.values()) {
            int colon = spec.indexOf(':');
            try {
                if (colon < 0) {
                    out[i] = ticks(java.nio.file.Path.of("/proc/" + spec + "/stat"), null);
                } else {
                    java.util.regex.Pattern threads = java.util.regex.Pattern.compile(spec.substring(colon + 1));
                    try (var tasks = java.nio.file.Files.list(java.nio.file.Path.of("/proc/" + spec.substring(0,
                            colon) + "/task"))) {
                        out[i] = tasks.mapToLong(t -> ticks(t.resolve("stat"), threads)).sum();
                    }
                }
            } catch (Exception e) {
                out[i] = 0;
            }
            i++;
        }
        return out;
    }

    static long ticks(java.nio.file.Path stat, java.util.regex.Pattern name) {
        try {
            String s = java.nio.file.Files.readString(stat);
            if (name != null && !name.matcher(s.substring(s.indexOf('(') + 1, s.lastIndexOf(')'))).matches()) {
                return 0;
            }
            // fields after the command name, which is in parentheses and may hold spaces
            String[] f = s.substring(s.lastIndexOf(')') + 2).split(" ");
            return Long.parseLong(f[11]) + Long.parseLong(f[12]);
        } catch (Exception e) {
            return 0;
        }
    }

    record Result(long[] nanos, int count, long errors) {
        double p(int percentile) {
            if (count == 0) {
                return Double.NaN;
            }
            int i = (int) Math.ceil(percentile / 100.0 * count) - 1;
            return nanos[Math.max(0, Math.min(count - 1, i))] / 1e6;
        }
    }

    static Result run(HttpClient client, Target t, int concurrency, int seconds, boolean measured)
            throws InterruptedException {
        long end = System.nanoTime() + seconds * 1_000_000_000L;
        List<long[]> perThread = new ArrayList<>();
        int[] counts = new int[concurrency];
        AtomicLong errors = new AtomicLong();
        AtomicLong seq = new AtomicLong();
        CountDownLatch done = new CountDownLatch(concurrency);
        String lastError[] = new String[1];
        for (int w = 0; w < concurrency; w++) {
            long[] lat = new long[2_000_000];
            perThread.add(lat);
            int worker = w;
            Thread thread = new Thread(() -> {
                try {
                    while (System.nanoTime() < end) {
                        String body = body(t.model(), seq.incrementAndGet());
                        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(t.url()))
                                .timeout(Duration.ofSeconds(30)).header("Content-Type", "application/json")
                                .POST(HttpRequest.BodyPublishers.ofString(body));
                        for (int i = 0; i < t.headers().length; i += 2) {
                            b.header(t.headers()[i], t.headers()[i + 1]);
                        }
                        long start = System.nanoTime();
                        try {
                            HttpResponse<String> r = client.send(b.build(), HttpResponse.BodyHandlers.ofString());
                            long took = System.nanoTime() - start;
                            if (r.statusCode() != 200 || !r.body().contains("\"choices\"")) {
                                errors.incrementAndGet();
                                lastError[0] = r.statusCode() + " " + r.body();
                                continue;
                            }
                            if (counts[worker] < lat.length) {
                                lat[counts[worker]++] = took;
                            }
                        } catch (Exception e) {
                            errors.incrementAndGet();
                            lastError[0] = e.toString();
                        }
                    }
                } finally {
                    done.countDown();
                }
            });
            thread.start();
        }
        done.await();
        int total = Arrays.stream(counts).sum();
        long[] all = new long[total];
        int at = 0;
        for (int w = 0; w < concurrency; w++) {
            System.arraycopy(perThread.get(w), 0, all, at, counts[w]);
            at += counts[w];
        }
        Arrays.sort(all);
        if (errors.get() > 0) {
            System.err.println(t.name() + (measured ? "" : " (warm-up)") + ": " + errors.get() + " errors, last: "
                    + (lastError[0] == null ? "" : lastError[0].substring(0, Math.min(300, lastError[0].length()))));
        }
        return new Result(all, total, errors.get());
    }

    static String body(String model, long n) {
        ThreadLocalRandom r = ThreadLocalRandom.current();
        StringBuilder q = new StringBuilder("Question ").append(n).append(':');
        for (int i = 0; i < 6 + r.nextInt(10); i++) {
            q.append(' ').append(WORDS[r.nextInt(WORDS.length)]);
        }
        q.append('?');
        return "{\"model\":\"" + model + "\",\"messages\":[{\"role\":\"system\",\"content\":\"Answer briefly.\"},"
                + "{\"role\":\"user\",\"content\":\"" + q + "\"}],\"max_tokens\":64}";
    }
}
