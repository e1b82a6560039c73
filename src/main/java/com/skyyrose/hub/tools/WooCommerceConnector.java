package com.skyyrose.hub.tools;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.skyyrose.hub.api.ProblemException;
import com.skyyrose.hub.api.ProblemType;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.apache.camel.Exchange;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.stereotype.Component;

/**
 * WooCommerce REST v3 ({@code /wp-json/wc/v3}). Basic auth with the consumer key/secret over https; OAuth 1.0a
 * one-legged (HMAC-SHA256, signed query parameters) over plain http, as WooCommerce requires. Lists follow
 * {@code Link rel="next"} / {@code X-WP-TotalPages}; batches are split into requests of at most 100 objects.
 */
@Component("wooCommerce")
public class WooCommerceConnector extends Connector {

    public static final int BATCH_LIMIT = 100;
    private static final String API = "/wp-json/wc/v3";
    private static final Pattern NEXT = Pattern.compile("<([^>]+)>\\s*;\\s*rel=\"?next\"?");
    private static final SecureRandom RANDOM = new SecureRandom();

    private final String key;
    private final String secret;
    private final String authMode;
    private final int maxPages;

    public WooCommerceConnector(@Qualifier("wooCommerceHttp") VendorHttp http,
            @Value("${hub.tools.woocommerce.consumer-key:}") String key,
            @Value("${hub.tools.woocommerce.consumer-secret:}") String secret,
            @Value("${hub.tools.woocommerce.auth:auto}") String authMode,
            @Value("${hub.tools.woocommerce.max-pages:50}") int maxPages) {
        super(http, "WooCommerce", "WOOCOMMERCE_URL, WOOCOMMERCE_CONSUMER_KEY, WOOCOMMERCE_CONSUMER_SECRET");
        this.key = key;
        this.secret = secret;
        this.authMode = authMode.toLowerCase(Locale.ROOT);
        this.maxPages = maxPages;
    }

    // ---- tools -------------------------------------------------------------------------------------------

    public JsonNode listProducts(Exchange exchange) {
        return list("/products", args(exchange), List.of("search", "status", "sku", "category", "modified_after",
                "orderby", "order"), "products.list", deadline(exchange));
    }

    public JsonNode getProduct(Exchange exchange) {
        return get("/products/" + args(exchange).path("id").asLong(), "products.get", deadline(exchange));
    }

    public JsonNode createProduct(Exchange exchange) {
        return send("POST", "/products", args(exchange).get("product"), false, "products.create", deadline(exchange));
    }

    public JsonNode updateProduct(Exchange exchange) {
        JsonNode args = args(exchange);
        return send("PUT", "/products/" + args.path("id").asLong(), args.get("changes"), true, "products.update",
                deadline(exchange));
    }

    /** {create, update, delete} of any size, sent as consecutive batches of at most 100 objects. */
    public JsonNode batchProducts(Exchange exchange) {
        JsonNode args = args(exchange);
        long deadline = deadline(exchange);
        List<String[]> order = new ArrayList<>();
        List<JsonNode> items = new ArrayList<>();
        for (String kind : List.of("create", "update", "delete")) {
            for (JsonNode item : args.path(kind)) {
                order.add(new String[] {kind});
                items.add(item);
            }
        }
        ObjectNode merged = http.mapper().createObjectNode();
        merged.putArray("create");
        merged.putArray("update");
        merged.putArray("delete");
        int requests = 0;
        for (int start = 0; start < items.size(); start += BATCH_LIMIT) {
            ObjectNode chunk = http.mapper().createObjectNode();
            for (int i = start; i < Math.min(items.size(), start + BATCH_LIMIT); i++) {
                String kind = order.get(i)[0];
                (chunk.has(kind) ? (ArrayNode) chunk.get(kind) : chunk.putArray(kind)).add(items.get(i));
            }
            JsonNode reply = send("POST", "/products/batch", chunk, false, "products.batch", deadline);
            requests++;
            for (String kind : List.of("create", "update", "delete")) {
                reply.path(kind).forEach(((ArrayNode) merged.get(kind))::add);
            }
        }
        merged.put("requests", requests);
        return merged;
    }

    public JsonNode listOrders(Exchange exchange) {
        return list("/orders", args(exchange), List.of("status", "customer", "after", "before", "modified_after",
                "search", "orderby", "order"), "orders.list", deadline(exchange));
    }

    public JsonNode getOrder(Exchange exchange) {
        return get("/orders/" + args(exchange).path("id").asLong(), "orders.get", deadline(exchange));
    }

    public JsonNode updateOrderStatus(Exchange exchange) {
        JsonNode args = args(exchange);
        ObjectNode body = http.mapper().createObjectNode().put("status", args.path("status").asText());
        return send("PUT", "/orders/" + args.path("id").asLong(), body, true, "orders.update_status",
                deadline(exchange));
    }

    public JsonNode getCustomer(Exchange exchange) {
        return get("/customers/" + args(exchange).path("id").asLong(), "customers.get", deadline(exchange));
    }

    /** Records a generated 3D model on a product as meta data (used when a 3D job finishes). */
    public JsonNode attachModel(long productId, String modelUrl, String previewUrl) {
        ObjectNode body = http.mapper().createObjectNode();
        ArrayNode meta = body.putArray("meta_data");
        meta.addObject().put("key", "_skyyrose_3d_model_url").put("value", modelUrl);
        if (previewUrl != null) {
            meta.addObject().put("key", "_skyyrose_3d_preview_url").put("value", previewUrl);
        }
        return send("PUT", "/products/" + productId, body, true, "products.attach_model", deadline(null));
    }

    // ---- HTTP --------------------------------------------------------------------------------------------

    private JsonNode list(String path, JsonNode args, List<String> filters, String operation, long deadline) {
        Map<String, String> params = new LinkedHashMap<>();
        for (String f : filters) {
            if (args.hasNonNull(f)) {
                params.put(f, args.get(f).asText());
            }
        }
        boolean all = args.path("all_pages").asBoolean(false);
        int perPage = args.path("per_page").asInt(all ? 100 : 10);
        int page = args.path("page").asInt(1);
        params.put("per_page", Integer.toString(perPage));
        params.put("page", Integer.toString(page));
        requireConfigured();
        URI next = http.uri(API + path + query(params));
        ArrayNode items = http.mapper().createArrayNode();
        ObjectNode result = http.mapper().createObjectNode();
        int fetched = 0;
        while (next != null) {
            VendorHttp.Response response = http.send(authorize(VendorHttp.Request.get(next, operation)), deadline);
            JsonNode body = expectOk(response);
            if (!body.isArray()) {
                throw new ProblemException(ProblemType.UPSTREAM_FAILED, 502, "WooCommerce list is not a JSON array.");
            }
            body.forEach(items::add);
            fetched++;
            result.put("total", longHeader(response, "X-WP-Total", items.size()));
            long totalPages = longHeader(response, "X-WP-TotalPages", 1);
            result.put("total_pages", totalPages);
            next = null;
            boolean truncated = false;
            if (all) {
                URI more = nextLink(response.header("Link"));
                if (more == null && page + fetched <= totalPages) {
                    params.put("page", Integer.toString(page + fetched));
                    more = http.uri(API + path + query(params));
                }
                if (more != null && fetched >= maxPages) {
                    truncated = true;
                } else {
                    next = more;
                }
            }
            result.put("truncated", truncated);
        }
        result.put("pages_fetched", fetched);
        result.set("items", items);
        return result;
    }

    private URI nextLink(String link) {
        if (link == null) {
            return null;
        }
        Matcher m = NEXT.matcher(link);
        if (!m.find()) {
            return null;
        }
        URI uri = URI.create(m.group(1));
        URI base = URI.create(http.settings().baseUrl());
        // only follow pagination inside the configured store (a Link header must not steer the hub elsewhere)
        if (!base.getScheme().equalsIgnoreCase(uri.getScheme()) || !base.getHost().equalsIgnoreCase(uri.getHost())
                || base.getPort() != uri.getPort()) {
            return null;
        }
        return uri;
    }

    private static long longHeader(VendorHttp.Response response, String name, long fallback) {
        try {
            String v = response.header(name);
            return v == null ? fallback : Long.parseLong(v.trim());
        } catch (NumberFormatException e) {
            return fallback;
        }
    }

    private JsonNode get(String path, String operation, long deadline) {
        requireConfigured();
        return expectOk(http.send(authorize(VendorHttp.Request.get(http.uri(API + path), operation)), deadline));
    }

    private JsonNode send(String method, String path, JsonNode body, boolean idempotent, String operation,
            long deadline) {
        requireConfigured();
        byte[] bytes;
        try {
            bytes = http.mapper().writeValueAsBytes(body == null ? http.mapper().createObjectNode() : body);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
        return expectOk(http.send(authorize(VendorHttp.Request.json(method, http.uri(API + path), bytes, idempotent,
                operation)), deadline));
    }

    @Override
    VendorHttp.Request authorizeRequest(VendorHttp.Request request) {
        requireConfigured();
        return authorize(request);
    }

    /** Adds Basic auth (https) or OAuth 1.0a query parameters (http). */
    VendorHttp.Request authorize(VendorHttp.Request request) {
        if (key.isBlank() || secret.isBlank()) {
            throw new ProblemException(ProblemType.UNAVAILABLE, 503,
                    "WooCommerce is not configured (set WOOCOMMERCE_CONSUMER_KEY and WOOCOMMERCE_CONSUMER_SECRET).");
        }
        boolean https = "https".equalsIgnoreCase(request.uri().getScheme());
        boolean basic = authMode.equals("basic") || (authMode.equals("auto") && https);
        if (basic) {
            return request.header("Authorization", "Basic " + Base64.getEncoder()
                    .encodeToString((key + ":" + secret).getBytes(StandardCharsets.UTF_8)));
        }
        URI signed = OAuth1.sign(request.method(), request.uri(), key, secret, System.currentTimeMillis() / 1000,
                HexFormat.of().formatHex(nonce()));
        return new VendorHttp.Request(request.method(), signed, request.headers(), request.body(),
                request.contentType(), request.idempotent(), request.operation());
    }

    private static byte[] nonce() {
        byte[] n = new byte[16];
        RANDOM.nextBytes(n);
        return n;
    }

    /** OAuth 1.0a one-legged request signing as WooCommerce verifies it (RFC 5849, HMAC-SHA256, key "secret&"). */
    static final class OAuth1 {
        private OAuth1() {
        }

        static URI sign(String method, URI uri, String key, String secret, long timestamp, String nonce) {
            TreeMap<String, String> params = new TreeMap<>();
            if (uri.getRawQuery() != null) {
                for (String pair : uri.getRawQuery().split("&")) {
                    int eq = pair.indexOf('=');
                    params.put(decode(eq < 0 ? pair : pair.substring(0, eq)), eq < 0 ? "" : decode(pair.substring(eq + 1)));
                }
            }
            params.put("oauth_consumer_key", key);
            params.put("oauth_nonce", nonce);
            params.put("oauth_signature_method", "HMAC-SHA256");
            params.put("oauth_timestamp", Long.toString(timestamp));
            String base = baseString(method, uri, params);
            params.put("oauth_signature", hmac(secret + "&", base));
            String baseUri = uri.getScheme() + "://" + uri.getRawAuthority() + uri.getRawPath();
            StringBuilder q = new StringBuilder();
            params.forEach((k, v) -> q.append(q.length() == 0 ? "?" : "&").append(enc(k)).append('=').append(enc(v)));
            return URI.create(baseUri + q);
        }

        static String baseString(String method, URI uri, TreeMap<String, String> params) {
            String baseUri = uri.getScheme().toLowerCase(Locale.ROOT) + "://" + uri.getRawAuthority().toLowerCase(Locale.ROOT)
                    + uri.getRawPath();
            StringBuilder normalized = new StringBuilder();
            params.forEach((k, v) -> {
                if (!k.equals("oauth_signature")) {
                    normalized.append(normalized.length() == 0 ? "" : "&").append(enc(k)).append('=').append(enc(v));
                }
            });
            return method.toUpperCase(Locale.ROOT) + "&" + enc(baseUri) + "&" + enc(normalized.toString());
        }

        static String hmac(String key, String data) {
            try {
                Mac mac = Mac.getInstance("HmacSHA256");
                mac.init(new SecretKeySpec(key.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
                return Base64.getEncoder().encodeToString(mac.doFinal(data.getBytes(StandardCharsets.UTF_8)));
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }

        private static String decode(String s) {
            return java.net.URLDecoder.decode(s, StandardCharsets.UTF_8);
        }
    }
}
