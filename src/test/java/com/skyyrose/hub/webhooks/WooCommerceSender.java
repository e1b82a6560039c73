package com.skyyrose.hub.webhooks;

import com.fasterxml.jackson.databind.node.ObjectNode;
import com.skyyrose.hub.support.TestHttp;
import java.io.IOException;
import java.io.InputStream;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Sends webhook deliveries the way WooCommerce's WC_Webhook::deliver does: JSON from wp_json_encode (slashes
 * escaped as \/), the X-WC-Webhook-* headers, signature = base64(HMAC-SHA256(body, decoded secret)).
 * The signing here is independent of the hub's code.
 */
public final class WooCommerceSender {

    private static final AtomicLong DELIVERY = new AtomicLong(System.currentTimeMillis());

    private final TestHttp http;
    private final String signingKey;

    /** @param signingKey the secret as WooCommerce uses it (after html_entity_decode) */
    public WooCommerceSender(TestHttp http, String signingKey) {
        this.http = http;
        this.signingKey = signingKey;
    }

    public static ObjectNode sample(String name) {
        try (InputStream in = WooCommerceSender.class.getResourceAsStream("/webhooks/" + name + ".json")) {
            return (ObjectNode) TestHttp.json().readTree(in);
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    /** The body bytes WooCommerce would send for this resource state (wp_json_encode escapes '/'). */
    public static String wpJson(ObjectNode resource) {
        try {
            return TestHttp.json().writeValueAsString(resource).replace("/", "\\/");
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    public static String sign(String key, String body) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(key.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
            return Base64.getEncoder().encodeToString(mac.doFinal(body.getBytes(StandardCharsets.UTF_8)));
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    public TestHttp.Reply deliver(String source, String topic, String body) {
        return deliver(source, topic, body, sign(signingKey, body));
    }

    TestHttp.Reply deliver(String source, String topic, String body, String signature) {
        HttpRequest.Builder b = http.request("/webhooks/woocommerce/" + source)
                .POST(HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8))
                .header("Content-Type", "application/json")
                .header("User-Agent", "WooCommerce/8.3.1 Hookshot (WordPress/6.4.2)")
                .header("X-WC-Webhook-Source", "https://shop.skyyrose.example/")
                .header("X-WC-Webhook-Topic", topic)
                .header("X-WC-Webhook-Resource", topic.substring(0, topic.indexOf('.')))
                .header("X-WC-Webhook-Event", topic.substring(topic.indexOf('.') + 1))
                .header("X-WC-Webhook-ID", "12")
                .header("X-WC-Webhook-Delivery-ID", UUID.nameUUIDFromBytes(
                        Long.toString(DELIVERY.incrementAndGet()).getBytes(StandardCharsets.UTF_8)).toString()
                        .replace("-", ""));
        if (signature != null) {
            b.header("X-WC-Webhook-Signature", signature);
        }
        return http.send(b.build());
    }

    /** The activation ping: form post webhook_id=N, no X-WC-* headers, unsigned. */
    TestHttp.Reply ping(String source, int webhookId) {
        return http.send(http.request("/webhooks/woocommerce/" + source)
                .POST(HttpRequest.BodyPublishers.ofString("webhook_id=" + webhookId))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .header("User-Agent", "WooCommerce/8.3.1 Hookshot (WordPress/6.4.2)").build());
    }
}
