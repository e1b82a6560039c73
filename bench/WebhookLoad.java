import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicLong;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Load generator for the webhook intake: distinct, correctly signed WooCommerce deliveries over loopback, as
 * WooCommerce sends them (JSON body, X-WC-Webhook-* headers, base64 HMAC-SHA256 signature).
 * Run: java bench/WebhookLoad.java URL SECRET CONCURRENCY WARMUP_SECONDS SECONDS [TOPIC]
 * (URL e.g. http://127.0.0.1:8080/webhooks/woocommerce/bench). Prints one JSON line of results. With BENCH_HUB_PID
 * set, also the hub's CPU per delivery over exactly the measured window (from /proc, read at its start and end), and
 * how much of it the JIT compiler threads took: warm-up and compilation stay out of the comparison, and the same CPU
 * split by thread: request (Tomcat's), export (OpenTelemetry's batch processor and HTTP sender), collector, JIT and
 * other. With BENCH_RATE set (deliveries per second, all senders together) each sender paces itself to its share
 * instead of sending as fast as it can, as real shops do: both sides of a comparison then do the same work per second,
 * and CPU per delivery is not moved by how saturated the two cores were.
 * With BENCH_SWITCH_URL (the hub's PUT /api/v1/ops/tracing) and BENCH_SWITCH_TOKEN (an admin's access token) set too,
 * span recording is switched on and off every BENCH_WINDOW seconds (default 10), from the warm-up on, and the measured
 * time is a row of windows, on and off in turn: each window's CPU by thread group and deliveries are read after
 * BENCH_SETTLE seconds (default 2) from its switch to its end. The export threads' CPU is read over the whole measured
 * time plus a last untraced window, long enough for the batch processor to send the last traced window's spans
 * (BENCH_FLUSH, default 7 s). bench/tracing-switch.sh turns the windows into figures.
 * 127.0.0.1 only; stops by itself.
 */
public class WebhookLoad {

    public static void main(String[] args) throws Exception {
        String url = args[0];
        String secret = args[1];
        int concurrency = Integer.parseInt(args[2]);
        int warmup = Integer.parseInt(args[3]);
        int seconds = Integer.parseInt(args[4]);
        String topic = args.length > 5 ? args[5] : "action.woocommerce_bench";
        if (!URI.create(url).getHost().equals("127.0.0.1") && !URI.create(url).getHost().equals("localhost")) {
            throw new IllegalArgumentException("loopback only");
        }
        HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(5)).build();
        AtomicLong ids = new AtomicLong(System.currentTimeMillis() * 1000);
        AtomicLong ok = new AtomicLong();
        AtomicLong failed = new AtomicLong();
        String switchUrl = System.getenv("BENCH_SWITCH_URL");
        Windows windows = switchUrl == null || switchUrl.isBlank() ? null : new Windows(switchUrl,
                System.getenv("BENCH_SWITCH_TOKEN"), envInt("BENCH_WINDOW", 10), envInt("BENCH_SETTLE", 2),
                envInt("BENCH_FLUSH", 7), warmup, seconds);
        if (windows != null) { // whole windows; an even number in the warm-up, so the measured row starts traced
            warmup = windows.warmupWindows * windows.window;
            seconds = windows.measuredWindows * windows.window + windows.flush;
        }
        long start = System.nanoTime();
        long measureFrom = start + warmup * 1_000_000_000L;
        long end = measureFrom + seconds * 1_000_000_000L;
        List<long[]> latencies = new ArrayList<>();
        long[] measuredOk = new long[concurrency];
        String hubPid = System.getenv("BENCH_HUB_PID");
        long[][] hubCpu = new long[2][];
        List<java.util.Map<String, Long>> hubThreads = new java.util.concurrent.CopyOnWriteArrayList<>();
        String rateSetting = System.getenv("BENCH_RATE");
        long gapNanos = rateSetting == null || rateSetting.isBlank() ? 0
                : (long) (1e9 * concurrency / Double.parseDouble(rateSetting)); // between one sender's requests
        Thread sampler = null;
        if (windows != null) {
            sampler = new Thread(() -> windows.run(client, hubPid, start, ok));
            sampler.start();
        } else if (hubPid != null && !hubPid.isBlank()) {
            sampler = new Thread(() -> {
                try {
                    sleepUntil(measureFrom);
                    hubThreads.add(threadGroupTicks(hubPid));
                    hubCpu[0] = ticks(hubPid, hubThreads.get(0));
                    sleepUntil(end);
                    hubThreads.add(threadGroupTicks(hubPid));
                    hubCpu[1] = ticks(hubPid, hubThreads.get(1));
                } catch (Exception e) {
                    e.printStackTrace();
                }
            });
            sampler.start();
        }
        CountDownLatch done = new CountDownLatch(concurrency);
        for (int t = 0; t < concurrency; t++) {
            long[] lat = new long[4_000_000 / concurrency];
            latencies.add(lat);
            int thread = t;
            Thread worker = new Thread(() -> {
                int n = 0;
                long next = start + (gapNanos * thread) / concurrency; // senders spread over the gap
                try {
                    Mac mac = Mac.getInstance("HmacSHA256");
                    mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
                    while (System.nanoTime() < end) {
                        if (gapNanos > 0) {
                            java.util.concurrent.locks.LockSupport.parkNanos(next - System.nanoTime());
                            next += gapNanos;
                        }
                        long id = ids.incrementAndGet();
                        String body = "{\"action\":\"woocommerce_bench\",\"arg\":" + id + ",\"id\":" + id
                                + ",\"date_modified_gmt\":\"2026-11-27T12:00:00\",\"note\":\"https:\\/\\/shop.example\\/"
                                + id + "\"}";
                        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
                        String signature = Base64.getEncoder().encodeToString(mac.doFinal(bytes));
                        HttpRequest request = HttpRequest.newBuilder(URI.create(url))
                                .timeout(Duration.ofSeconds(30))
                                .header("Content-Type", "application/json")
                                .header("User-Agent", "WooCommerce/8.3.1 Hookshot (WordPress/6.4.2)")
                                .header("X-WC-Webhook-Source", "https://shop.example/")
                                .header("X-WC-Webhook-Topic", topic)
                                .header("X-WC-Webhook-Resource", topic.substring(0, topic.indexOf('.')))
                                .header("X-WC-Webhook-Event", topic.substring(topic.indexOf('.') + 1))
                                .header("X-WC-Webhook-ID", "1")
                                .header("X-WC-Webhook-Delivery-ID", Long.toHexString(id))
                                .header("X-WC-Webhook-Signature", signature)
                                .POST(HttpRequest.BodyPublishers.ofByteArray(bytes)).build();
                        long t0 = System.nanoTime();
                        int status;
                        try {
                            status = client.send(request, HttpResponse.BodyHandlers.discarding()).statusCode();
                        } catch (Exception e) {
                            status = -1;
                        }
                        long t1 = System.nanoTime();
                        if (status / 100 == 2) {
                            ok.incrementAndGet();
                            if (t0 >= measureFrom && t1 <= end) {
                                measuredOk[thread]++;
                                if (n < lat.length) {
                                    lat[n++] = t1 - t0;
                                }
                            }
                        } else {
                            failed.incrementAndGet();
                        }
                    }
                } catch (Exception e) {
                    e.printStackTrace();
                } finally {
                    latencies.set(thread, Arrays.copyOf(lat, n));
                    done.countDown();
                }
            });
            worker.start();
        }
        done.await();
        if (sampler != null) {
            sampler.join();
        }
        long[] all = latencies.stream().flatMapToLong(Arrays::stream).sorted().toArray();
        long measured = Arrays.stream(measuredOk).sum();
        double rate = measured / (double) seconds;
        String window = "";
        if (hubCpu[0] != null && hubCpu[1] != null && measured > 0) {
            double tick = 1000.0 / 100; // USER_HZ: 100 ticks per second on Linux
            window = String.format(java.util.Locale.ROOT, ",\"measured_deliveries\":%d,"
                    + "\"hub_cpu_ms_per_delivery_measured\":%.3f,\"hub_jit_cpu_ms_per_delivery_measured\":%.3f",
                    measured, (hubCpu[1][0] - hubCpu[0][0]) * tick / measured,
                    (hubCpu[1][1] - hubCpu[0][1]) * tick / measured);
            StringBuilder split = new StringBuilder();
            for (String group : new String[] {"request", "export", "collector", "jit", "other"}) {
                long used = hubThreads.get(1).getOrDefault(group, 0L) - hubThreads.get(0).getOrDefault(group, 0L);
                split.append(split.length() == 0 ? "" : ",").append(String.format(java.util.Locale.ROOT,
                        "\"%s\":%.4f", group, used * tick / measured));
            }
            window += ",\"hub_cpu_ms_per_delivery_by_thread\":{" + split + "}";
        }
        if (windows != null) {
            window += windows.json();
        }
        System.out.printf("{\"concurrency\":%d,\"seconds\":%d,\"accepted_total\":%d,\"failed_total\":%d,"
                + "\"rate_setting\":%s,\"accepted_per_s\":%.0f,\"p50_ms\":%.2f,\"p99_ms\":%.2f,\"max_ms\":%.2f%s}%n",
                concurrency, seconds, ok.get(), failed.get(), gapNanos > 0 ? rateSetting : "null", rate, pct(all, 0.50), pct(all, 0.99),
                all.length == 0 ? 0 : all[all.length - 1] / 1e6, window);
    }

    static int envInt(String name, int otherwise) {
        String v = System.getenv(name);
        return v == null || v.isBlank() ? otherwise : Integer.parseInt(v);
    }

    /** Span recording switched on and off in turn, and the hub's CPU and deliveries of each window. */
    static final class Windows {
        final String url;
        final String token;
        final int window;
        final int settle;
        final int flush;
        final int warmupWindows;
        final int measuredWindows;
        final List<String> rows = new java.util.concurrent.CopyOnWriteArrayList<>();
        long exportTicks;
        long tracedDeliveries;
        long tracedInAll; // the warm-up's traced windows too: the sink's spans come from all of them

        Windows(String url, String token, int window, int settle, int flush, int warmup, int seconds) {
            if (!URI.create(url).getHost().equals("127.0.0.1")) {
                throw new IllegalArgumentException("loopback only");
            }
            this.url = url;
            this.token = token;
            this.window = window;
            this.settle = settle;
            this.flush = flush;
            int w = (warmup + window - 1) / window;
            this.warmupWindows = w + (w % 2);
            int m = Math.max(3, seconds / window);
            // on, off, ..., on: each untraced window has a traced one on both sides
            this.measuredWindows = m + (m % 2 == 0 ? 1 : 0);
        }

        void run(HttpClient client, String pid, long start, AtomicLong ok) {
            try {
                long windowNanos = window * 1_000_000_000L;
                int total = warmupWindows + measuredWindows;
                long exportFrom = 0;
                long okAtSwitch = 0;
                for (int i = 0; i <= total; i++) {
                    long switchAt = start + i * windowNanos;
                    sleepUntil(switchAt);
                    boolean measured = i >= warmupWindows && i < total;
                    boolean recording = i < total && i % 2 == 0; // the last switch: off, for the flush
                    if (i > 0 && (i - 1) % 2 == 0) { // the traced window that just ended, whole
                        tracedInAll += ok.get() - okAtSwitch;
                        if (i > warmupWindows) {
                            tracedDeliveries += ok.get() - okAtSwitch;
                        }
                    }
                    if (i == warmupWindows) {
                        exportFrom = threadGroupTicks(pid).getOrDefault("export", 0L);
                    }
                    okAtSwitch = ok.get();
                    put(client, recording);
                    if (!measured) {
                        continue;
                    }
                    sleepUntil(switchAt + settle * 1_000_000_000L);
                    java.util.Map<String, Long> from = threadGroupTicks(pid);
                    long okFrom = ok.get();
                    long t0 = System.nanoTime();
                    sleepUntil(switchAt + windowNanos - 50_000_000L); // read before the next switch
                    java.util.Map<String, Long> to = threadGroupTicks(pid);
                    long okTo = ok.get();
                    long t1 = System.nanoTime();
                    StringBuilder row = new StringBuilder("{\"recording\":" + recording + ",\"deliveries\":"
                            + (okTo - okFrom) + String.format(java.util.Locale.ROOT, ",\"seconds\":%.3f",
                            (t1 - t0) / 1e9) + ",\"ticks\":{");
                    String sep = "";
                    for (String group : new String[] {"request", "export", "collector", "jit", "other"}) {
                        row.append(sep).append('"').append(group).append("\":")
                                .append(to.getOrDefault(group, 0L) - from.getOrDefault(group, 0L));
                        sep = ",";
                    }
                    rows.add(row.append("}}").toString());
                }
                sleepUntil(start + total * windowNanos + flush * 1_000_000_000L);
                exportTicks = threadGroupTicks(pid).getOrDefault("export", 0L) - exportFrom;
            } catch (Exception e) {
                e.printStackTrace();
            }
        }

        void put(HttpClient client, boolean recording) throws Exception {
            HttpResponse<String> r = client.send(HttpRequest.newBuilder(URI.create(url))
                    .header("Authorization", "Bearer " + token).header("Content-Type", "application/json")
                    .PUT(HttpRequest.BodyPublishers.ofString("{\"recording\":" + recording + "}")).build(),
                    HttpResponse.BodyHandlers.ofString());
            if (r.statusCode() != 200) {
                throw new IllegalStateException("switching recording: " + r.statusCode() + " " + r.body());
            }
        }

        String json() {
            return ",\"window_s\":" + window + ",\"settle_s\":" + settle + ",\"export_ticks\":" + exportTicks
                    + ",\"traced_deliveries\":" + tracedDeliveries + ",\"traced_deliveries_with_warmup\":"
                    + tracedInAll + ",\"windows\":[" + String.join(",", rows) + "]";
        }
    }

    static void sleepUntil(long nanoTime) throws InterruptedException {
        long left;
        while ((left = nanoTime - System.nanoTime()) > 0) {
            Thread.sleep(Math.max(1, left / 1_000_000));
        }
    }

    /** The process's CPU ticks (user + system) and those of its JIT compiler threads, from /proc. */
    static long[] ticks(String pid, java.util.Map<String, Long> threadGroups) throws java.io.IOException {
        return new long[] {statTicks(java.nio.file.Path.of("/proc", pid, "stat")), threadGroups.getOrDefault("jit", 0L)};
    }

    /**
     * CPU ticks of the hub's live threads by group. A thread that ended inside the window takes its ticks with it
     * (the hub's pools keep theirs), so the groups may add up to a little less than the process's total.
     */
    static java.util.Map<String, Long> threadGroupTicks(String pid) throws java.io.IOException {
        java.util.Map<String, Long> groups = new java.util.HashMap<>();
        try (var tasks = java.nio.file.Files.list(java.nio.file.Path.of("/proc", pid, "task"))) {
            for (java.nio.file.Path task : tasks.toList()) {
                try {
                    String stat = java.nio.file.Files.readString(task.resolve("stat"));
                    String comm = stat.substring(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
                    groups.merge(threadGroup(comm), statTicks(task.resolve("stat")), Long::sum);
                } catch (java.io.IOException gone) {
                    // the thread ended meanwhile
                }
            }
        }
        return groups;
    }

    /** Which part of the hub a thread (its Linux name, at most 15 characters) works for. */
    static String threadGroup(String comm) {
        if (comm.startsWith("http-nio-") || comm.startsWith("tomcat-")) {
            return "request";
        }
        if (comm.startsWith("BatchSpanProce") || comm.startsWith("OkHttp") || comm.startsWith("okhttp")
                || comm.startsWith("HttpClient-")) {
            return "export";
        }
        if (comm.startsWith("GC Thread") || comm.startsWith("G1 ") || comm.equals("VM Thread")) {
            return "collector";
        }
        if (comm.startsWith("C1 CompilerThre") || comm.startsWith("C2 CompilerThre")) {
            return "jit";
        }
        return "other";
    }

    static long statTicks(java.nio.file.Path stat) throws java.io.IOException {
        String s = java.nio.file.Files.readString(stat);
        String[] f = s.substring(s.lastIndexOf(')') + 2).split(" ");
        return Long.parseLong(f[11]) + Long.parseLong(f[12]); // utime, stime (fields 14 and 15 of stat)
    }

    private static double pct(long[] sorted, double p) {
        if (sorted.length == 0) {
            return 0;
        }
        return sorted[Math.min(sorted.length - 1, (int) Math.ceil(p * sorted.length) - 1)] / 1e6;
    }
}
