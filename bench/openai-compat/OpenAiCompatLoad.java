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
 * java OpenAiCompatLoad.java <concurrency> <warmup-s> <measure-s> <rounds> name|url|model|header:value;header:value ...
 */
public class OpenAiCompatLoad {

    record Target(String name, String url, String model, String[] headers) {
    }

    static final String[] WORDS = {"hoodie", "tee", "Black Rose", "Love Hurts", "Oakland", "fleece", "size", "drop",
            "shipping", "returns", "gift", "colour", "fit", "collection", "price", "restock"};

    public static void main(String[] args) throws Exception {
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
        for (int r = 1; r <= rounds; r++) {
            for (Target t : targets) {
                Result res = run(client, t, concurrency, measure, true);
                System.out.printf("%-10s %5d %8.2f %8.2f %8.2f %8.0f %9d %7d%n", t.name(), r, res.p(50), res.p(90),
                        res.p(99), res.count / (double) measure, res.count, res.errors);
            }
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
