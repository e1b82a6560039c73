package com.skyyrose.hub.webhooks;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.skyyrose.hub.api.Problem;
import com.skyyrose.hub.api.ProblemException;
import com.skyyrose.hub.api.ProblemResponses;
import com.skyyrose.hub.api.ProblemType;
import com.skyyrose.hub.observability.TraceContinuation;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import org.apache.camel.Exchange;
import org.apache.camel.Message;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.dao.DataAccessException;
import org.springframework.stereotype.Component;

/**
 * The request path of a webhook delivery: source → signature on the raw bytes → one INSERT → 200. Nothing else
 * (no LLM, no vendor call): processing is the workers' job. A 2xx is only ever sent for a committed row; when
 * PostgreSQL is unavailable the sender gets 503.
 */
@Component("webhookIntake")
public class WebhookIntake {

    private static final Logger LOG = LoggerFactory.getLogger(WebhookIntake.class);
    public static final String WOOCOMMERCE = "woocommerce";
    public static final String WORDPRESS = "wordpress";

    private final WebhookProperties properties;
    private final WebhookStoreBatcher batcher;
    private final WebhookMetrics metrics;
    private final ObjectMapper json;
    private final ProblemResponses problems;

    public WebhookIntake(WebhookProperties properties, WebhookStoreBatcher batcher, WebhookMetrics metrics, ObjectMapper json,
            ProblemResponses problems) {
        this.problems = problems;
        this.properties = properties;
        this.batcher = batcher;
        this.metrics = metrics;
        this.json = json;
    }

    /** POST /webhooks/woocommerce/{source}. */
    public Object receiveWooCommerce(Exchange exchange) {
        try {
            return wooCommerce(exchange);
        } catch (ProblemException rejected) {
            return answer(exchange, rejected);
        }
    }

    /** POST /webhooks/wordpress/{source}. */
    public Object receiveWordPress(Exchange exchange) {
        try {
            return wordPress(exchange);
        } catch (ProblemException rejected) {
            return answer(exchange, rejected);
        }
    }

    /**
     * Rejections are answered here rather than thrown: a flood of forged deliveries must not become a flood of
     * ERROR logs from Camel's error handler (they are counted in hub.webhooks.rejected instead).
     */
    private Object answer(Exchange exchange, ProblemException rejected) {
        problems.write(exchange, rejected.problem());
        return exchange.getMessage().getBody();
    }

    private Object wooCommerce(Exchange exchange) {
        Message in = exchange.getMessage();
        String source = in.getHeader("source", String.class);
        WebhookProperties.Source config = configured(properties.getWoocommerce(), WOOCOMMERCE, source);
        String signature = in.getHeader("X-WC-Webhook-Signature", String.class);
        if (signature == null && isForm(in)) {
            // activation ping: unsigned form post webhook_id=N; WooCommerce activates the webhook only on a 200
            metrics.ping(WOOCOMMERCE, source);
            in.setHeader(Exchange.HTTP_RESPONSE_CODE, 200);
            return Map.of("status", "ok", "ping", true);
        }
        byte[] body = rawBody(in);
        if (!WebhookSignatures.verify(config.wooCommerceKey(), body, signature)) {
            throw rejected(WOOCOMMERCE, source, signature == null ? "missing-signature" : "bad-signature");
        }
        String topic = orDefault(in.getHeader("X-WC-Webhook-Topic", String.class), "unknown");
        String resource = orDefault(in.getHeader("X-WC-Webhook-Resource", String.class), prefix(topic));
        JsonNode payload = parse(body);
        String resourceId = text(payload, "id");
        if (resourceId == null && payload != null && payload.path("arg").isValueNode()) {
            resourceId = payload.path("arg").asText(); // action.* topics: {"action": ..., "arg": id}
        }
        String modified = text(payload, "date_modified_gmt");
        String rejection = WebhookFit.wooCommerce(topic, resource, payload);
        Map<String, String> headers = new LinkedHashMap<>();
        for (String name : new String[] {"X-WC-Webhook-Source", "X-WC-Webhook-Topic", "X-WC-Webhook-Resource",
                "X-WC-Webhook-Event", "X-WC-Webhook-ID", "X-WC-Webhook-Delivery-ID", "User-Agent",
                "Content-Type"}) {
            String value = in.getHeader(name, String.class);
            if (value != null) {
                headers.put(name, value);
            }
        }
        // the worker that processes the event later continues this request's trace
        headers.putAll(TraceContinuation.current());
        String sha256 = WebhookSignatures.sha256Hex(body);
        return store(exchange, new WebhookInbox.NewEvent(WOOCOMMERCE, source, "webhook", topic, resource,
                resourceId, in.getHeader("X-WC-Webhook-ID", String.class),
                in.getHeader("X-WC-Webhook-Delivery-ID", String.class), modified,
                dedupeKey(source, resource, resourceId, modified, sha256), sha256, toJson(headers), body, rejection));
    }

    private Object wordPress(Exchange exchange) {
        Message in = exchange.getMessage();
        String source = in.getHeader("source", String.class);
        WebhookProperties.Source config = configured(properties.getWordpress(), WORDPRESS, source);
        String signature = in.getHeader(properties.getWordpressSignatureHeader(), String.class);
        byte[] body = rawBody(in);
        if (!WebhookSignatures.verify(config.getSecret().getBytes(StandardCharsets.UTF_8), body, signature)) {
            throw rejected(WORDPRESS, source, signature == null ? "missing-signature" : "bad-signature");
        }
        JsonNode payload = parse(body);
        JsonNode post = payload != null && payload.path("post").isObject() ? payload.path("post") : payload;
        String topic = in.getHeader(properties.getWordpressTopicHeader(), String.class);
        if (topic == null) {
            topic = firstText(payload, "topic", "action", "event");
        }
        topic = normaliseWordPressTopic(topic, firstText(post, "post_type", "type"));
        String resourceId = firstText(post, "ID", "id", "post_id");
        String modified = firstText(post, "post_modified_gmt", "modified_gmt");
        String rejection = WebhookFit.wordPress(topic, post);
        Map<String, String> headers = new LinkedHashMap<>();
        for (String name : new String[] {properties.getWordpressTopicHeader(), "User-Agent", "Content-Type"}) {
            String value = in.getHeader(name, String.class);
            if (value != null) {
                headers.put(name, value);
            }
        }
        headers.putAll(TraceContinuation.current());
        String sha256 = WebhookSignatures.sha256Hex(body);
        return store(exchange, new WebhookInbox.NewEvent(WORDPRESS, source, "webhook", topic, prefix(topic),
                resourceId, null, null, modified, dedupeKey(source, prefix(topic), resourceId, modified, sha256),
                sha256, toJson(headers), body, rejection));
    }

    private Object store(Exchange exchange, WebhookInbox.NewEvent event) {
        long id;
        try {
            id = batcher.store(event);
        } catch (DataAccessException e) {
            metrics.rejected(event.provider(), event.source(), "store-unavailable");
            LOG.warn("Webhook {} {} not stored, answering 503: {}", event.provider(), event.topic(), e.getMessage());
            throw new ProblemException(Problem.of(ProblemType.UNAVAILABLE, 503,
                    "The event could not be stored; deliver it again later.").withHeader("Retry-After", "5"));
        }
        exchange.getMessage().setHeader(Exchange.HTTP_RESPONSE_CODE, 200);
        if (event.rejection() != null) {
            // signed, so kept (and answered 2xx: a store is never made to disable its webhook), but never acted on
            metrics.rejected(event.provider(), event.source(), "topic-does-not-fit-body");
            LOG.warn("Webhook {} {} event {} rejected: {}", event.provider(), event.topic(), id, event.rejection());
            return Map.of("received", true, "eventId", id, "status", "rejected", "reason", event.rejection());
        }
        metrics.received(event.provider(), event.source(), event.topic());
        return Map.of("received", true, "eventId", id);
    }

    /**
     * Same resource state, same key, whatever the unsigned headers say: resource + id + date_modified_gmt (the
     * resource checked against the body by {@link WebhookFit}), or the body's SHA-256 when the payload has no
     * id/modification time (deletions, actions). The topic is not part of it: a captured body re-sent under
     * another topic is a duplicate. (So two deletions with the same id in different resource types are one key:
     * a delete body is only {"id": N}; an operator replay processes the second.)
     */
    static String dedupeKey(String source, String resource, String resourceId, String modified, String bodySha256) {
        if (resourceId != null && modified != null) {
            return source + "|" + resource + "|" + resourceId + "|" + modified;
        }
        return source + "|sha256:" + bodySha256;
    }

    private WebhookProperties.Source configured(Map<String, WebhookProperties.Source> sources, String provider,
            String source) {
        WebhookProperties.Source config = source == null ? null : sources.get(source);
        if (config == null || !config.configured()) {
            metrics.rejected(provider, "unknown", "unknown-source");
            throw new ProblemException(Problem.of(ProblemType.NOT_FOUND, 404,
                    "No " + provider + " webhook source is configured under this name."));
        }
        return config;
    }

    private ProblemException rejected(String provider, String source, String reason) {
        metrics.rejected(provider, source, reason);
        return new ProblemException(Problem.of(ProblemType.UNAUTHORIZED, 401,
                "The webhook signature is missing or does not match the body."));
    }

    private static boolean isForm(Message in) {
        String type = in.getHeader(Exchange.CONTENT_TYPE, String.class);
        return type != null && type.toLowerCase(Locale.ROOT).startsWith("application/x-www-form-urlencoded");
    }

    private static byte[] rawBody(Message in) {
        byte[] body = in.getBody(byte[].class);
        return body == null ? new byte[0] : body;
    }

    private JsonNode parse(byte[] body) {
        try {
            JsonNode node = json.readTree(body);
            return node != null && node.isObject() ? node : null;
        } catch (Exception e) {
            return null;
        }
    }

    private String toJson(Map<String, String> headers) {
        try {
            return json.writeValueAsString(headers);
        } catch (Exception e) {
            return "{}";
        }
    }

    static String text(JsonNode node, String field) {
        if (node == null) {
            return null;
        }
        JsonNode v = node.get(field);
        return v == null || v.isNull() || v.isContainerNode() || v.asText().isEmpty() ? null : v.asText();
    }

    private static String firstText(JsonNode node, String... fields) {
        for (String f : fields) {
            String v = text(node, f);
            if (v != null) {
                return v;
            }
        }
        return null;
    }

    /** "post_update" / "post.updated" / "update" + type → "post.updated". */
    static String normaliseWordPressTopic(String raw, String postType) {
        String type = postType == null || postType.isBlank() ? "post" : postType.toLowerCase(Locale.ROOT);
        if (raw == null || raw.isBlank()) {
            return type + ".updated";
        }
        String t = raw.trim().toLowerCase(Locale.ROOT).replace('_', '.');
        String[] parts = t.split("\\.");
        String resource = parts.length > 1 ? parts[0] : type;
        String verb = parts[parts.length - 1];
        verb = switch (verb) {
            case "create", "created", "publish", "published", "insert" -> "created";
            case "delete", "deleted", "trash", "trashed" -> "deleted";
            case "restore", "restored", "untrash" -> "restored";
            default -> "updated";
        };
        return resource + "." + verb;
    }

    private static String prefix(String topic) {
        int dot = topic.indexOf('.');
        return dot > 0 ? topic.substring(0, dot) : topic;
    }

    private static String orDefault(String v, String d) {
        return v == null || v.isBlank() ? d : v.trim();
    }
}
