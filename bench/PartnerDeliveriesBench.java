import com.sun.net.httpserver.HttpServer;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Partner fan-out benchmark: a partner with SUBSCRIPTIONS subscriptions (product.updated) pointing at receivers in
 * this process; PRODUCTS products × UPDATES signed WooCommerce product.updated webhooks (each product's updates in
 * order, products concurrently, price and stock changing as in a restock/sale day); every delivery's Standard
 * Webhooks signature is verified here. Lag = receipt here − the event's timestamp (when the hub received the store
 * webhook). Prints one JSON line. Loopback only; stops by itself.
 * Run: java bench/PartnerDeliveriesBench.java HUB_URL STORE_SECRET ADMIN_TOKEN SUBSCRIPTIONS PRODUCTS UPDATES
 *      SENDERS RECEIVER_DELAY_MS
 */
public class PartnerDeliveriesBench {

    static final Pattern TS = Pattern.compile("\"timestamp\":\"([^\"]+)\"");
    static final HttpClient CLIENT = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();

    public static void main(String[] args) throws Exception {
        try {
            run(args);
        } catch (Exception e) {
            e.printStackTrace();
            System.exit(1); // the receiver's threads would keep the JVM alive
        }
    }

    static void run(String[] args) throws Exception {
        String hub = args[0];
        String storeSecret = args[1];
        String token = args[2];
        int subscriptions = Integer.parseInt(args[3]);
        int products = Integer.parseInt(args[4]);
        int updates = Integer.parseInt(args[5]);
        int senders = Integer.parseInt(args[6]);
        int receiverDelay = Integer.parseInt(args[7]);
        String host = URI.create(hub).getHost();
        if (!host.equals("127.0.0.1") && !host.equals("localhost")) {
            throw new IllegalArgumentException("loopback only");
        }

        // receivers: one path per subscription, signatures verified with that subscription's secret
        Map<String, byte[]> keys = new ConcurrentHashMap<>();
        List<Long> lags = java.util.Collections.synchronizedList(new ArrayList<>());
        AtomicLong received = new AtomicLong();
        AtomicLong badSignatures = new AtomicLong();
        AtomicLong firstReceived = new AtomicLong(Long.MAX_VALUE);
        AtomicLong lastReceived = new AtomicLong();
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 256);
        ExecutorService receiverThreads = Executors.newFixedThreadPool(64);
        server.setExecutor(receiverThreads);
        server.createContext("/hook/", exchange -> {
            byte[] body = exchange.getRequestBody().readAllBytes();
            long now = System.currentTimeMillis();
            String path = exchange.getRequestURI().getPath();
            String text = new String(body, StandardCharsets.UTF_8);
            String id = exchange.getRequestHeaders().getFirst("webhook-id");
            String ts = exchange.getRequestHeaders().getFirst("webhook-timestamp");
            String sig = exchange.getRequestHeaders().getFirst("webhook-signature");
            byte[] key = keys.get(path);
            if (key == null || !verifies(key, id, ts, text, sig)) {
                badSignatures.incrementAndGet();
            }
            Matcher m = TS.matcher(text);
            if (m.find()) {
                lags.add(now - Instant.parse(m.group(1)).toEpochMilli());
            }
            if (receiverDelay > 0) {
                try {
                    Thread.sleep(receiverDelay);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            exchange.sendResponseHeaders(204, -1);
            exchange.close();
            received.incrementAndGet();
            firstReceived.accumulateAndGet(now, Math::min);
            lastReceived.accumulateAndGet(System.currentTimeMillis(), Math::max);
        });
        server.start();
        int port = server.getAddress().getPort();

        String admin = "Bearer " + token;
        String partner = field(call("POST", hub + "/api/v1/partners", admin, null,
                "{\"name\":\"Bench partner " + System.currentTimeMillis() + "\",\"contact_email\":\"bench@partner.example\"}"), "id");
        String key = field(call("POST", hub + "/api/v1/partners/" + partner + "/api-keys", admin, null,
                "{\"name\":\"bench\",\"rate_per_minute\":100000}"), "key");
        for (int i = 0; i < subscriptions; i++) {
            String path = "/hook/" + i;
            String created = call("POST", hub + "/api/v1/partner/subscriptions", null, key,
                    "{\"url\":\"http://127.0.0.1:" + port + path + "\",\"topics\":[\"product.updated\"]}");
            keys.put(path, Base64.getDecoder().decode(field(created, "secret").substring("whsec_".length())));
        }

        // the store: products × updates, each product's updates in order, products in parallel
        long base = 900_000_000L + (System.currentTimeMillis() / 1000 % 1_000_000) * 1000;
        Instant modified0 = Instant.now().minusSeconds(3600);
        AtomicLong accepted = new AtomicLong();
        AtomicLong refused = new AtomicLong();
        ExecutorService store = Executors.newFixedThreadPool(senders);
        long sendStart = System.currentTimeMillis();
        for (int s = 0; s < senders; s++) {
            int sender = s;
            store.submit(() -> {
                try {
                    Mac mac = Mac.getInstance("HmacSHA256");
                    mac.init(new SecretKeySpec(storeSecret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
                    for (int p = sender; p < products; p += senders) {
                        for (int u = 0; u < updates; u++) {
                            String body = product(base + p, p, u, modified0.plusSeconds(u * 60L + 1));
                            byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
                            HttpRequest request = HttpRequest.newBuilder(URI.create(hub + "/webhooks/woocommerce/default"))
                                    .timeout(Duration.ofSeconds(30))
                                    .header("Content-Type", "application/json")
                                    .header("User-Agent", "WooCommerce/8.3.1 Hookshot (WordPress/6.4.2)")
                                    .header("X-WC-Webhook-Source", "https://shop.example/")
                                    .header("X-WC-Webhook-Topic", "product.updated")
                                    .header("X-WC-Webhook-Resource", "product")
                                    .header("X-WC-Webhook-Event", "updated")
                                    .header("X-WC-Webhook-ID", "7")
                                    .header("X-WC-Webhook-Delivery-ID", Long.toHexString((base + p) * 100 + u))
                                    .header("X-WC-Webhook-Signature", Base64.getEncoder().encodeToString(mac.doFinal(bytes)))
                                    .POST(HttpRequest.BodyPublishers.ofByteArray(bytes)).build();
                            int status = CLIENT.send(request, HttpResponse.BodyHandlers.discarding()).statusCode();
                            (status == 200 ? accepted : refused).incrementAndGet();
                        }
                    }
                } catch (Exception e) {
                    refused.incrementAndGet();
                    e.printStackTrace();
                }
            });
        }
        store.shutdown();
        store.awaitTermination(10, TimeUnit.MINUTES);
        long sendEnd = System.currentTimeMillis();

        long expected = accepted.get() * subscriptions;
        long deadline = System.currentTimeMillis() + 600_000;
        long lastCount = -1;
        long stillSince = System.currentTimeMillis();
        while (received.get() < expected && System.currentTimeMillis() < deadline) {
            Thread.sleep(200);
            if (received.get() != lastCount) {
                lastCount = received.get();
                stillSince = System.currentTimeMillis();
            } else if (System.currentTimeMillis() - stillSince > 30_000) {
                break; // nothing arrived for 30 s: report what came (e.g. stale store updates produce no event)
            }
        }
        server.stop(0);
        receiverThreads.shutdownNow();
        long[] sorted = lags.stream().mapToLong(Long::longValue).sorted().toArray();
        double seconds = (lastReceived.get() - sendStart) / 1000.0;
        System.out.printf(java.util.Locale.ROOT,
                "{\"product_updates_sent\":%d,\"refused\":%d,\"subscriptions\":%d,\"products\":%d,\"updates_per_product\":%d,"
                        + "\"deliveries_expected\":%d,\"deliveries_received\":%d,\"bad_signatures\":%d,"
                        + "\"send_seconds\":%.1f,\"first_update_to_last_delivery_seconds\":%.1f,\"deliveries_per_s\":%.0f,"
                        + "\"lag_ms_p50\":%d,\"lag_ms_p99\":%d,\"lag_ms_max\":%d,\"receiver_delay_ms\":%d,\"partner\":\"%s\"}%n",
                accepted.get(), refused.get(), subscriptions, products, updates, expected, received.get(),
                badSignatures.get(), (sendEnd - sendStart) / 1000.0, seconds, received.get() / seconds,
                pct(sorted, 0.50), pct(sorted, 0.99), sorted.length == 0 ? -1 : sorted[sorted.length - 1],
                receiverDelay, partner);
        System.exit(0);
    }

    /** A WooCommerce product body: price and stock change from update to update (sale, sell-through, restock). */
    static String product(long id, int p, int u, Instant modified) {
        int stock = Math.max(0, 40 - u * 7 - (p % 5)) + (u == 3 ? 25 : 0);
        String price = (u % 2 == 0 ? "120.00" : "96.00");
        return "{\"id\":" + id + ",\"name\":\"Rose hoodie " + p + "\",\"slug\":\"rose-hoodie-" + p + "\","
                + "\"permalink\":\"https:\\/\\/shop.example\\/product\\/rose-hoodie-" + p + "\\/\","
                + "\"date_modified_gmt\":\"" + modified.toString().substring(0, 19) + "\",\"type\":\"simple\","
                + "\"status\":\"publish\",\"sku\":\"BENCH-" + id + "\",\"price\":\"" + price + "\","
                + "\"regular_price\":\"120.00\",\"sale_price\":\"" + (price.equals("96.00") ? "96.00" : "") + "\","
                + "\"manage_stock\":true,\"stock_quantity\":" + stock + ",\"stock_status\":\""
                + (stock > 0 ? "instock" : "outofstock") + "\",\"categories\":[{\"id\":9,\"name\":\"Clothing\","
                + "\"slug\":\"clothing\"},{\"id\":" + (20 + p % 4) + ",\"name\":\"Drop " + (p % 4) + "\",\"slug\":\"drop-"
                + (p % 4) + "\"}],\"images\":[{\"id\":" + (5000 + p) + ",\"src\":\"https:\\/\\/shop.example\\/wp-content\\/uploads\\/"
                + "hoodie-" + p + ".jpg\",\"alt\":\"Rose hoodie " + p + "\"}],\"meta_data\":[]}";
    }

    static boolean verifies(byte[] key, String id, String ts, String body, String header) {
        if (id == null || ts == null || header == null) {
            return false;
        }
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(key, "HmacSHA256"));
            byte[] expected = mac.doFinal((id + "." + ts + "." + body).getBytes(StandardCharsets.UTF_8));
            for (String entry : header.split(" ")) {
                if (entry.startsWith("v1,") && MessageDigest.isEqual(expected,
                        Base64.getDecoder().decode(entry.substring(3)))) {
                    return true;
                }
            }
        } catch (Exception e) {
            return false;
        }
        return false;
    }

    static long pct(long[] sorted, double q) {
        return sorted.length == 0 ? -1 : sorted[Math.min(sorted.length - 1, (int) Math.ceil(q * sorted.length) - 1)];
    }

    static String call(String method, String url, String bearer, String apiKey, String json) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(30))
                .header("Content-Type", "application/json")
                .method(method, HttpRequest.BodyPublishers.ofString(json));
        if (bearer != null) {
            b.header("Authorization", bearer);
        }
        if (apiKey != null) {
            b.header("X-API-Key", apiKey);
        }
        HttpResponse<String> r = CLIENT.send(b.build(), HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() / 100 != 2) {
            throw new IllegalStateException(method + " " + url + " -> " + r.statusCode() + " " + r.body());
        }
        return r.body();
    }

    static String field(String json, String name) {
        Matcher m = Pattern.compile("\"" + name + "\":\"([^\"]+)\"").matcher(json);
        if (!m.find()) {
            throw new IllegalStateException("no " + name + " in " + json);
        }
        return m.group(1);
    }
}
