package com.skyyrose.hub.webhooks;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Locale;
import java.util.Set;

/**
 * Whether a delivery's topic and resource headers fit its body. Only the body is signed (WooCommerce signs the
 * raw bytes, nothing else), so a captured body re-sent with other headers must not become another event: the
 * resource named by the headers has to be the one the body is. Field lookups on the already parsed body only,
 * so the intake stays as cheap as it was.
 *
 * <p>WooCommerce bodies (VENDOR-APIS.md; the REST representation): a {@code deleted} event carries
 * {@code {"id": N}} and nothing else; an order has {@code order_key}, a customer {@code email} and
 * {@code username}, a product {@code sku} and {@code type}, a coupon {@code code} and {@code discount_type};
 * an {@code action.<name>} body names its action. Topics of other resources (extensions) are not checked: no
 * handler acts on them.
 */
final class WebhookFit {

    static final Set<String> WOO_RESOURCES = Set.of("order", "customer", "product", "coupon");

    private WebhookFit() {
    }

    /** Why the headers do not fit the body, or null when they do. */
    static String wooCommerce(String topic, String resource, JsonNode body) {
        if (body == null) {
            return "the body is not a JSON object";
        }
        int dot = topic.indexOf('.');
        if (dot <= 0 || dot == topic.length() - 1) {
            return "the topic '" + topic + "' is not <resource>.<event>";
        }
        String topicResource = topic.substring(0, dot);
        String event = topic.substring(dot + 1);
        if (!topicResource.equals(resource)) {
            return "the resource header '" + resource + "' does not match the topic '" + topic + "'";
        }
        if ("action".equals(topicResource)) {
            JsonNode action = body.get("action");
            return action != null && action.isTextual() && action.asText().equals(event) ? null
                    : "an action." + event + " body names its action '" + event + "'; this one does not";
        }
        boolean deleteShape = body.size() == 1 && body.path("id").canConvertToLong();
        if ("deleted".equals(event)) {
            return deleteShape ? null : "a deleted event carries only {\"id\": …}; this body has more";
        }
        if (!WOO_RESOURCES.contains(topicResource)) {
            return null;
        }
        if (deleteShape) {
            return "a body of only {\"id\": …} is a deletion, not " + topic;
        }
        String kind = wooCommerceKind(body);
        return topicResource.equals(kind) ? null
                : "the body is " + (kind == null ? "not a recognisable resource" : article(kind)) + ", not "
                        + article(topicResource);
    }

    private static String article(String noun) {
        return ("aeiou".indexOf(noun.charAt(0)) >= 0 ? "an " : "a ") + noun;
    }

    /** The WooCommerce resource the body is (by the fields only that resource has), or null (none or several). */
    static String wooCommerceKind(JsonNode body) {
        String kind = null;
        int matches = 0;
        if (body.has("order_key")) {
            kind = "order";
            matches++;
        }
        if (body.has("email") && body.has("username")) {
            kind = "customer";
            matches++;
        }
        if (body.has("sku") && body.has("type")) {
            kind = "product";
            matches++;
        }
        if (body.has("code") && body.has("discount_type")) {
            kind = "coupon";
            matches++;
        }
        return matches == 1 ? kind : null;
    }

    /** WordPress: when the post names its type, the topic's resource must be that type. */
    static String wordPress(String topic, JsonNode post) {
        if (post == null) {
            return "the body is not a JSON object";
        }
        String type = WebhookIntake.text(post, "post_type");
        if (type == null) {
            type = WebhookIntake.text(post, "type");
        }
        int dot = topic.indexOf('.');
        String resource = dot > 0 ? topic.substring(0, dot) : topic;
        if (type != null && !type.toLowerCase(Locale.ROOT).equals(resource)) {
            return "the topic '" + topic + "' is not about a " + type.toLowerCase(Locale.ROOT) + ", which the body is";
        }
        return null;
    }
}
