import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Round-table latency benchmark (run by bench/round-table/run.sh against a hub whose three providers are fakes
 * answering after a fixed 300 ms). Reports end-to-end p50/p99 at concurrency 1 and 16 and the hub's overhead:
 * end-to-end minus the providers' fixed 300 ms, and end-to-end minus the slowest provider call as the hub measured
 * it (latency_ms of the slowest candidate). Every request sends Cache-Control: no-cache (no cache hits).
 *
 * The warm-up runs at concurrency 16 and is not measured (the JIT compiles the hot paths under it). With the hub's
 * process id, the CPU the hub used per round is reported for each measured phase (from /proc, user + system).
 *
 * Usage: java RoundTableBench.java BASE_URL [requestsPerWorker] [warmupRequests] [hubPid]
 * (env BENCH_PHASES="1,16,16": the concurrency of each measured phase, in order)
 * (env BENCH_AUTH_HEADER="X-API-Key: ..." adds a credential once the API requires one)
 */
public class RoundTableBench {

    static final Pattern LATENCY = Pattern.compile("\"latency_ms\":(\\d+)");
    static final Pattern JIT_MS = Pattern.compile("(?m)^jvm_compilation_time_ms_total(?:\\{[^}]*\\})? (\\S+)");
    static final Pattern ERROR = Pattern.compile("\"error\":\"([^\"]*)\"");
    static final long PROVIDER_MS = 300;

    record Sample(double e2eMs, double slowestProviderMs) {
    }

    public static void main(String[] args) throws Exception {
        String base = args[0];
        int perWorker = args.length > 1 ? Integer.parseInt(args[1]) : 25;
        int warmup = args.length > 2 ? Integer.parseInt(args[2]) : 3200;
        String hubPid = args.length > 3 ? args[3] : null;
        HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
        run(client, base, "warm-up", 16, Math.max(1, warmup / 16));
        System.out.printf(Locale.ROOT, "round table benchmark: 3 fake providers at a fixed %d ms, %s (after %d "
                + "warm-up rounds at concurrency 16)%n", PROVIDER_MS, base, Math.max(1, warmup / 16) * 16);
        System.out.printf(Locale.ROOT, "%-12s %8s %9s %9s %9s %14s %14s %14s %14s %6s%n", "concurrency", "requests",
                "e2e p50", "e2e p99", "e2e max", "ovh(300) p50", "ovh(300) p99", "ovh(slowest) p50/p99",
                "hub CPU/round", "JIT s");
        for (int concurrency : phases()) {
            double cpu0 = cpuSeconds(hubPid);
            double jit0 = jitSeconds(client, base);
            List<Sample> samples = run(client, base, "c" + concurrency, concurrency,
                    concurrency == 1 ? perWorker * 2 : perWorker);
            double cpuMsPerRound = (cpuSeconds(hubPid) - cpu0) * 1000 / samples.size();
            report(concurrency, samples, hubPid == null ? Double.NaN : cpuMsPerRound, jitSeconds(client, base) - jit0);
        }
    }

    /** Measured phases, in order: BENCH_PHASES (e.g. "1,16,16" repeats c16 to show the JIT settling), default 1,16,16. */
    static int[] phases() {
        String spec = System.getenv().getOrDefault("BENCH_PHASES", "1,16,16");
        return java.util.Arrays.stream(spec.split(",")).map(String::trim).mapToInt(Integer::parseInt).toArray();
    }

    /** CPU seconds (user + system) the process has used, from /proc/PID/stat; 0 without a pid. */
    static double cpuSeconds(String pid) throws Exception {
        if (pid == null) {
            return 0;
        }
        String stat = java.nio.file.Files.readString(java.nio.file.Path.of("/proc", pid, "stat"));
        String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        // fields 14 and 15 of stat (utime, stime) are 12 and 13 after the command name; clock ticks of 1/100 s
        return (Long.parseLong(f[11]) + Long.parseLong(f[12])) / 100.0;
    }

    /** Time the hub's JIT compilers have spent so far (its /metrics), to show whether a phase ran on settled code. */
    static double jitSeconds(HttpClient client, String base) throws Exception {
        String metrics = client.send(HttpRequest.newBuilder(URI.create(base + "/metrics")).build(),
                HttpResponse.BodyHandlers.ofString()).body();
        Matcher m = JIT_MS.matcher(metrics);
        return m.find() ? Double.parseDouble(m.group(1)) / 1000 : Double.NaN;
    }

    static List<Sample> run(HttpClient client, String base, String phase, int concurrency, int perWorker)
            throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(concurrency);
        List<Future<List<Sample>>> futures = new ArrayList<>();
        for (int w = 0; w < concurrency; w++) {
            int worker = w;
            futures.add(pool.submit(() -> {
                List<Sample> mine = new ArrayList<>();
                for (int i = 0; i < perWorker; i++) {
                    mine.add(call(client, base, phase + " w" + worker + " #" + i));
                }
                return mine;
            }));
        }
        List<Sample> all = new ArrayList<>();
        for (Future<List<Sample>> f : futures) {
            all.addAll(f.get());
        }
        pool.shutdown();
        return all;
    }

    static Sample call(HttpClient client, String base, String tag) throws Exception {
        String body = "{\"prompt\":\"Describe the Black Rose hoodie in two lines (" + tag + ").\",\"judge\":\"never\"}";
        HttpRequest.Builder builder = HttpRequest.newBuilder(URI.create(base + "/api/v1/round-table/query"))
                .timeout(Duration.ofSeconds(30)).header("Content-Type", "application/json")
                .header("Cache-Control", "no-cache").POST(HttpRequest.BodyPublishers.ofString(body));
        String auth = System.getenv("BENCH_AUTH_HEADER");
        if (auth != null && auth.contains(":")) {
            builder.header(auth.substring(0, auth.indexOf(':')).trim(), auth.substring(auth.indexOf(':') + 1).trim());
        }
        HttpRequest request = builder.build();
        long start = System.nanoTime();
        HttpResponse<String> response = client.send(request, HttpResponse.BodyHandlers.ofString());
        double e2e = (System.nanoTime() - start) / 1e6;
        if (response.statusCode() != 200) {
            throw new IllegalStateException("HTTP " + response.statusCode() + ": " + response.body());
        }
        Matcher err = ERROR.matcher(response.body());
        if (err.find()) {
            throw new IllegalStateException("a provider failed (" + err.group(1) + "): the benchmark needs all three");
        }
        Matcher m = LATENCY.matcher(response.body());
        double slowest = 0;
        while (m.find()) {
            slowest = Math.max(slowest, Double.parseDouble(m.group(1)));
        }
        return new Sample(e2e, slowest);
    }

    static void report(int concurrency, List<Sample> samples, double hubCpuMsPerRound, double jitSeconds) {
        List<Double> e2e = new ArrayList<>();
        List<Double> ovh = new ArrayList<>();
        List<Double> ovhSlowest = new ArrayList<>();
        for (Sample s : samples) {
            e2e.add(s.e2eMs());
            ovh.add(s.e2eMs() - PROVIDER_MS);
            ovhSlowest.add(s.e2eMs() - s.slowestProviderMs());
        }
        System.out.printf(Locale.ROOT, "%-12d %8d %7.0fms %7.0fms %7.0fms %12.0fms %12.0fms %8.0f/%.0fms %12.1fms %6.1f%n",
                concurrency, samples.size(), pct(e2e, 50), pct(e2e, 99), Collections.max(e2e), pct(ovh, 50),
                pct(ovh, 99), pct(ovhSlowest, 50), pct(ovhSlowest, 99), hubCpuMsPerRound, jitSeconds);
    }

    static double pct(List<Double> values, double p) {
        List<Double> sorted = new ArrayList<>(values);
        Collections.sort(sorted);
        int index = (int) Math.ceil(p / 100.0 * sorted.size()) - 1;
        return sorted.get(Math.max(0, Math.min(sorted.size() - 1, index)));
    }
}
