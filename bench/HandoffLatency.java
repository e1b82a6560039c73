import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Webhook → knowledge base latency: signed WooCommerce product.updated deliveries, each a different product with its
 * own generated name and description, sent one at a time at random intervals (0-1 s, so each lands at another point
 * of the hand-off worker's poll); after each 2xx the knowledge search API is asked every 50 ms for the product's own
 * description until its document (wc-product-<id>) is the top hit. Prints one JSON line: p50/p95/max ms from
 * sending the delivery to the first search that finds it.
 * Run: java bench/HandoffLatency.java BASE_URL SECRET COUNT ADMIN_EMAIL ADMIN_PASSWORD. 127.0.0.1 only.
 */
public class HandoffLatency {

    static final String[] ADJ = {"Midnight", "Crimson", "Velvet", "Gilded", "Silent", "Wild", "Oakland", "Thorned",
            "Blooming", "Golden", "Shadow", "Satin"};
    static final String[] THING = {"Rose", "Petal", "Thorn", "Garden", "Bloom", "Stem", "Bud", "Vine"};
    static final String[] GARMENT = {"Hoodie", "Bomber", "Tee", "Joggers", "Parka", "Crewneck", "Cap", "Cardigan"};
    static final String[] WORDS = {"quilted", "embroidered", "heavyweight", "brushed", "cotton", "fleece", "silk",
            "lined", "oversized", "cropped", "hand-finished", "limited", "reflective", "tonal", "crimson", "black",
            "ivory", "pleated", "ribbed", "drop-shoulder", "waterproof", "recycled", "organic", "garment-dyed"};

    public static void main(String[] args) throws Exception {
        String base = args[0];
        String secret = args[1];
        int count = Integer.parseInt(args[2]);
        String host = URI.create(base).getHost();
        if (!host.equals("127.0.0.1") && !host.equals("localhost")) {
            throw new IllegalArgumentException("loopback only");
        }
        HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
        String form = "grant_type=password&username=" + URLEncoder.encode(args[3], StandardCharsets.UTF_8)
                + "&password=" + URLEncoder.encode(args[4], StandardCharsets.UTF_8);
        String tokenReply = client.send(HttpRequest.newBuilder(URI.create(base + "/api/v1/auth/token"))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString(form)).build(), HttpResponse.BodyHandlers.ofString()).body();
        Matcher t = Pattern.compile("\"access_token\":\"([^\"]+)\"").matcher(tokenReply);
        if (!t.find()) {
            throw new IllegalStateException("no token: " + tokenReply);
        }
        String token = t.group(1);
        Random random = new Random();
        long firstId = System.currentTimeMillis() % 1_000_000_000L;
        List<Long> latencies = new ArrayList<>();
        int missed = 0;
        for (int i = 0; i < count; i++) {
            Thread.sleep(random.nextInt(1000));
            long id = firstId + i;
            String name = ADJ[random.nextInt(ADJ.length)] + " " + THING[random.nextInt(THING.length)] + " "
                    + GARMENT[random.nextInt(GARMENT.length)] + " " + (i + 1);
            StringBuilder description = new StringBuilder();
            for (int w = 0; w < 12 + random.nextInt(30); w++) {
                description.append(WORDS[random.nextInt(WORDS.length)]).append(' ');
            }
            String text = description.toString().strip();
            String body = "{\"id\":" + id + ",\"name\":\"" + name + "\",\"sku\":\"BENCH-" + id + "\",\"type\":\"simple\","
                    + "\"status\":\"publish\",\"price\":\"" + (40 + random.nextInt(400)) + ".00\",\"stock_quantity\":"
                    + (20 + random.nextInt(200)) + ",\"manage_stock\":true,\"description\":\"<p>" + name + ": " + text
                    + ".</p>\",\"date_modified_gmt\":\"" + LocalDateTime.now(ZoneOffset.UTC).withNano(0) + "\"}";
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
            String signature = Base64.getEncoder().encodeToString(mac.doFinal(body.getBytes(StandardCharsets.UTF_8)));
            long start = System.nanoTime();
            int status = client.send(HttpRequest.newBuilder(URI.create(base + "/webhooks/woocommerce/default"))
                    .header("Content-Type", "application/json").header("X-WC-Webhook-Topic", "product.updated")
                    .header("X-WC-Webhook-Resource", "product").header("X-WC-Webhook-Event", "updated")
                    .header("X-WC-Webhook-Signature", signature)
                    .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.discarding())
                    .statusCode();
            if (status != 200) {
                throw new IllegalStateException("delivery answered " + status);
            }
            String query = "{\"query\":\"" + name + " " + text + "\",\"k\":1}";
            boolean found = false;
            while (System.nanoTime() - start < Duration.ofSeconds(30).toNanos()) {
                String hits = client.send(HttpRequest.newBuilder(URI.create(base + "/api/v1/knowledge/search"))
                        .header("Content-Type", "application/json").header("Authorization", "Bearer " + token)
                        .POST(HttpRequest.BodyPublishers.ofString(query)).build(),
                        HttpResponse.BodyHandlers.ofString()).body();
                if (hits.contains("\"source_id\":\"wc-product-" + id + "\"")) {
                    found = true;
                    break;
                }
                Thread.sleep(50);
            }
            if (found) {
                latencies.add((System.nanoTime() - start) / 1_000_000);
            } else {
                missed++;
            }
        }
        Collections.sort(latencies);
        int n = latencies.size();
        System.out.printf("{\"deliveries\":%d,\"found\":%d,\"not_found_within_30s\":%d,\"p50_ms\":%d,\"p95_ms\":%d,"
                + "\"max_ms\":%d}%n", count, n, missed, n == 0 ? -1 : latencies.get(n / 2),
                n == 0 ? -1 : latencies.get(Math.min(n - 1, (int) Math.ceil(n * 0.95) - 1)),
                n == 0 ? -1 : latencies.get(n - 1));
    }
}
