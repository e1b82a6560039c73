package com.skyyrose.hub.fakes;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.any;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathMatching;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder;
import com.github.tomakehurst.wiremock.extension.ResponseDefinitionTransformerV2;
import com.github.tomakehurst.wiremock.http.ResponseDefinition;
import com.github.tomakehurst.wiremock.stubbing.ServeEvent;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import java.net.URI;
import java.net.URLDecoder;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.atomic.AtomicLong;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * A WooCommerce store speaking REST v3 ({@code /wp-json/wc/v3}) as WooCommerce does: consumer key/secret checked
 * as Basic auth or as an OAuth 1.0a one-legged signature (HMAC-SHA1/256, key {@code secret&}, recomputed here),
 * pagination by {@code page}/{@code per_page} with {@code X-WP-Total}, {@code X-WP-TotalPages} and RFC 5988
 * {@code Link}, batch endpoints limited to 100 objects ({@code woocommerce_rest_request_entity_too_large}), and
 * the {@code {code, message, data:{status}}} error bodies. Tests may add higher-priority stubs (priority 1) to
 * inject failures.
 */
public final class WooCommerceFake implements AutoCloseable {

    public static final String KEY = "ck_0123456789abcdef0123456789abcdef01234567";
    private static final ObjectMapper JSON = new ObjectMapper();

    private final WireMockServer server;
    private final Map<Long, ObjectNode> products = new ConcurrentSkipListMap<>();
    private final Map<Long, ObjectNode> orders = new ConcurrentSkipListMap<>();
    private final Map<Long, ObjectNode> customers = new ConcurrentSkipListMap<>();
    private final Map<Long, ObjectNode> coupons = new ConcurrentSkipListMap<>();
    private final AtomicLong ids = new AtomicLong(1000);
    private volatile String secret = "cs_secret_0123456789abcdef0123456789abcdef0";

    public WooCommerceFake() {
        server = new WireMockServer(options().dynamicPort().extensions(new Store()));
        server.start();
        server.stubFor(any(urlPathMatching("/wp-json/wc/v3/.*")).atPriority(10)
                .willReturn(aResponse().withTransformers("woocommerce-store")));
    }

    public String url() {
        return "http://127.0.0.1:" + server.port();
    }

    public String secret() {
        return secret;
    }

    /** The store's secret changes: the hub's signature no longer matches (401). */
    public void rotateSecret(String newSecret) {
        this.secret = newSecret;
    }

    public WireMockServer server() {
        return server;
    }

    public void reset() {
        server.resetRequests();
        server.getStubMappings().stream().filter(m -> m.getPriority() != null && m.getPriority() < 10)
                .toList().forEach(server::removeStub);
        products.clear();
        orders.clear();
        customers.clear();
        coupons.clear();
        secret = "cs_secret_0123456789abcdef0123456789abcdef0";
    }

    public ObjectNode addProduct(String name, String price) {
        long id = ids.incrementAndGet();
        ObjectNode p = JSON.createObjectNode().put("id", id).put("name", name).put("type", "simple")
                .put("status", "publish").put("regular_price", price).put("price", price);
        p.putArray("meta_data");
        products.put(id, p);
        return p;
    }

    public ObjectNode addOrder(String status, String total) {
        long id = ids.incrementAndGet();
        ObjectNode o = JSON.createObjectNode().put("id", id).put("status", status).put("currency", "USD")
                .put("total", total);
        orders.put(id, o);
        return o;
    }

    public ObjectNode addCustomer(String email) {
        long id = ids.incrementAndGet();
        ObjectNode c = JSON.createObjectNode().put("id", id).put("email", email).put("first_name", "Ava");
        customers.put(id, c);
        return c;
    }

    /** A coupon as WooCommerce's {@code /coupons} answers it (amount is a string, as the store sends it). */
    public ObjectNode addCoupon(String code, String amount, String discountType) {
        long id = ids.incrementAndGet();
        ObjectNode c = JSON.createObjectNode().put("id", id).put("code", code).put("amount", amount)
                .put("discount_type", discountType).put("date_expires", "2027-01-31T23:59:59")
                .put("usage_count", 3).put("individual_use", false);
        c.putArray("email_restrictions").add("vip@example.com");
        coupons.put(id, c);
        return c;
    }

    public ObjectNode product(long id) {
        return products.get(id);
    }

    public ObjectNode order(long id) {
        return orders.get(id);
    }

    public int productCount() {
        return products.size();
    }

    /** The requests received, oldest first. */
    public List<LoggedRequest> requests(String method, String pathRegex) {
        List<LoggedRequest> list = new java.util.ArrayList<>(server.getAllServeEvents().stream().map(ServeEvent::getRequest)
                .filter(r -> r.getMethod().getName().equals(method) && URI.create(r.getUrl()).getPath().matches(pathRegex))
                .toList());
        java.util.Collections.reverse(list);
        return list;
    }

    @Override
    public void close() {
        server.stop();
    }

    /** WooCommerce's error body. */
    public static ResponseDefinitionBuilder error(int status, String code, String message) {
        return aResponse().withStatus(status).withHeader("Content-Type", "application/json; charset=UTF-8")
                .withBody("{\"code\":\"" + code + "\",\"message\":\"" + message + "\",\"data\":{\"status\":" + status + "}}");
    }

    private final class Store implements ResponseDefinitionTransformerV2 {
        @Override
        public String getName() {
            return "woocommerce-store";
        }

        @Override
        public boolean applyGlobally() {
            return false;
        }

        @Override
        public ResponseDefinition transform(ServeEvent event) {
            LoggedRequest r = event.getRequest();
            try {
                if (!authenticated(r)) {
                    return error(401, "woocommerce_rest_cannot_view", "Sorry, you cannot list resources.").build();
                }
                return route(r);
            } catch (Exception e) {
                return error(500, "internal_server_error", String.valueOf(e.getMessage())).build();
            }
        }
    }

    private ResponseDefinition route(LoggedRequest r) throws Exception {
        URI uri = URI.create(r.getAbsoluteUrl());
        String path = uri.getPath().substring("/wp-json/wc/v3".length());
        String method = r.getMethod().getName();
        Map<String, String> q = query(uri.getRawQuery());
        String[] parts = path.split("/");
        String resource = parts.length > 1 ? parts[1] : "";
        Map<Long, ObjectNode> store = switch (resource) {
            case "products" -> products;
            case "orders" -> orders;
            case "customers" -> customers;
            case "coupons" -> coupons;
            default -> null;
        };
        if (store == null) {
            return error(404, "rest_no_route", "No route was found matching the URL and request method.").build();
        }
        if (parts.length == 2 && method.equals("GET")) {
            return page(uri, store, q);
        }
        if (parts.length == 2 && method.equals("POST")) {
            ObjectNode created = (ObjectNode) JSON.readTree(r.getBodyAsString());
            created.put("id", ids.incrementAndGet());
            store.put(created.get("id").asLong(), created);
            return json(201, created);
        }
        if (parts.length == 3 && parts[2].equals("batch") && method.equals("POST")) {
            return batch(store, JSON.readTree(r.getBodyAsString()));
        }
        if (parts.length == 3) {
            long id;
            try {
                id = Long.parseLong(parts[2]);
            } catch (NumberFormatException e) {
                return error(404, "rest_no_route", "No route was found matching the URL and request method.").build();
            }
            ObjectNode item = store.get(id);
            String singular = resource.substring(0, resource.length() - 1);
            if (item == null) {
                return error(404, "woocommerce_rest_" + singular + "_invalid_id", "Invalid ID.").build();
            }
            if (method.equals("GET")) {
                return json(200, item);
            }
            if (method.equals("PUT") || method.equals("POST")) {
                JsonNode changes = JSON.readTree(r.getBodyAsString());
                if (changes.has("status") && resource.equals("orders") && !List.of("pending", "processing", "on-hold",
                        "completed", "cancelled", "refunded", "failed").contains(changes.get("status").asText())) {
                    return aResponse().withStatus(400).withHeader("Content-Type", "application/json")
                            .withBody("{\"code\":\"rest_invalid_param\",\"message\":\"Invalid parameter(s): status\","
                                    + "\"data\":{\"status\":400,\"params\":{\"status\":\"status is not one of pending, processing.\"}}}")
                            .build();
                }
                changes.fields().forEachRemaining(e -> {
                    if (e.getKey().equals("meta_data")) {
                        ArrayNode meta = item.withArray("meta_data");
                        e.getValue().forEach(meta::add);
                    } else {
                        item.set(e.getKey(), e.getValue());
                    }
                });
                return json(200, item);
            }
        }
        return error(404, "rest_no_route", "No route was found matching the URL and request method.").build();
    }

    private ResponseDefinition page(URI uri, Map<Long, ObjectNode> store, Map<String, String> q) {
        int perPage = Integer.parseInt(q.getOrDefault("per_page", "10"));
        int page = Integer.parseInt(q.getOrDefault("page", "1"));
        if (perPage < 1 || perPage > 100) {
            return aResponse().withStatus(400).withHeader("Content-Type", "application/json")
                    .withBody("{\"code\":\"rest_invalid_param\",\"message\":\"Invalid parameter(s): per_page\","
                            + "\"data\":{\"status\":400,\"params\":{\"per_page\":\"per_page must be between 1 (inclusive) and 100 (inclusive)\"}}}")
                    .build();
        }
        List<ObjectNode> items = store.values().stream()
                .filter(i -> !q.containsKey("status") || q.get("status").equals("any")
                        || q.get("status").equals(i.path("status").asText()))
                .toList();
        int total = items.size();
        int totalPages = (int) Math.ceil(total / (double) perPage);
        ArrayNode body = JSON.createArrayNode();
        items.stream().skip((long) (page - 1) * perPage).limit(perPage).forEach(body::add);
        String base = url() + uri.getPath();
        StringBuilder link = new StringBuilder();
        if (page > 1) {
            link.append('<').append(base).append(withPage(q, page - 1)).append(">; rel=\"prev\"");
        }
        if (page < totalPages) {
            link.append(link.length() > 0 ? ", " : "").append('<').append(base).append(withPage(q, page + 1))
                    .append(">; rel=\"next\"");
        }
        ResponseDefinitionBuilder b = aResponse().withStatus(200).withHeader("Content-Type", "application/json; charset=UTF-8")
                .withHeader("X-WP-Total", Integer.toString(total)).withHeader("X-WP-TotalPages", Integer.toString(totalPages))
                .withBody(body.toString());
        if (link.length() > 0) {
            b.withHeader("Link", link.toString());
        }
        return b.build();
    }

    private static String withPage(Map<String, String> q, int page) {
        StringBuilder s = new StringBuilder();
        q.forEach((k, v) -> {
            if (!k.startsWith("oauth_") && !k.equals("page")) {
                s.append(s.length() == 0 ? "?" : "&").append(k).append('=').append(URLEncoder.encode(v, StandardCharsets.UTF_8));
            }
        });
        return s.append(s.length() == 0 ? "?" : "&").append("page=").append(page).toString();
    }

    private ResponseDefinition batch(Map<Long, ObjectNode> store, JsonNode body) {
        int count = body.path("create").size() + body.path("update").size() + body.path("delete").size();
        if (count > 100) {
            return error(413, "woocommerce_rest_request_entity_too_large",
                    "Unable to accept more than 100 items for this request.").build();
        }
        ObjectNode reply = JSON.createObjectNode();
        ArrayNode created = reply.putArray("create");
        for (JsonNode c : body.path("create")) {
            ObjectNode item = ((ObjectNode) c.deepCopy()).put("id", ids.incrementAndGet());
            store.put(item.get("id").asLong(), item);
            created.add(item);
        }
        ArrayNode updated = reply.putArray("update");
        for (JsonNode u : body.path("update")) {
            ObjectNode item = store.get(u.path("id").asLong());
            if (item == null) {
                updated.add(JSON.createObjectNode().put("id", u.path("id").asLong()).set("error",
                        JSON.createObjectNode().put("code", "woocommerce_rest_product_invalid_id").put("message", "Invalid ID.")
                                .set("data", JSON.createObjectNode().put("status", 400))));
            } else {
                item.setAll((ObjectNode) u);
                updated.add(item);
            }
        }
        ArrayNode deleted = reply.putArray("delete");
        for (JsonNode d : body.path("delete")) {
            ObjectNode item = store.remove(d.asLong());
            deleted.add(item != null ? item : JSON.createObjectNode().put("id", d.asLong()));
        }
        return json(200, reply);
    }

    private boolean authenticated(LoggedRequest r) {
        String auth = r.getHeader("Authorization");
        if (auth != null && auth.startsWith("Basic ")) {
            String decoded = new String(Base64.getDecoder().decode(auth.substring(6)), StandardCharsets.UTF_8);
            return decoded.equals(KEY + ":" + secret);
        }
        URI uri = URI.create(r.getAbsoluteUrl());
        TreeMap<String, String> params = new TreeMap<>(query(uri.getRawQuery()));
        String signature = params.remove("oauth_signature");
        if (signature == null || !KEY.equals(params.get("oauth_consumer_key"))) {
            return false;
        }
        long ts = Long.parseLong(params.getOrDefault("oauth_timestamp", "0"));
        if (Math.abs(System.currentTimeMillis() / 1000 - ts) > 15 * 60) {
            return false;
        }
        String algorithm = switch (params.getOrDefault("oauth_signature_method", "")) {
            case "HMAC-SHA1" -> "HmacSHA1";
            case "HMAC-SHA256" -> "HmacSHA256";
            default -> null;
        };
        if (algorithm == null) {
            return false;
        }
        StringBuilder normalized = new StringBuilder();
        params.forEach((k, v) -> normalized.append(normalized.length() == 0 ? "" : "&").append(rfc3986(k)).append('=')
                .append(rfc3986(v)));
        String base = r.getMethod().getName() + "&" + rfc3986(url() + uri.getRawPath()) + "&" + rfc3986(normalized.toString());
        try {
            Mac mac = Mac.getInstance(algorithm);
            mac.init(new SecretKeySpec((secret + "&").getBytes(StandardCharsets.UTF_8), algorithm));
            String expected = Base64.getEncoder().encodeToString(mac.doFinal(base.getBytes(StandardCharsets.UTF_8)));
            return expected.equals(signature);
        } catch (Exception e) {
            return false;
        }
    }

    private static String rfc3986(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20").replace("*", "%2A").replace("%7E", "~");
    }

    private static Map<String, String> query(String raw) {
        Map<String, String> q = new TreeMap<>();
        if (raw != null) {
            for (String pair : raw.split("&")) {
                int eq = pair.indexOf('=');
                q.put(URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8),
                        eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
            }
        }
        return q;
    }

    private static ResponseDefinition json(int status, JsonNode body) {
        return aResponse().withStatus(status).withHeader("Content-Type", "application/json; charset=UTF-8")
                .withBody(body.toString()).build();
    }
}
