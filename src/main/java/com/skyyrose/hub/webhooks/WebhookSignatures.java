package com.skyyrose.hub.webhooks;

import java.nio.charset.StandardCharsets;
import java.security.InvalidKeyException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Locale;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jsoup.nodes.Entities;

/** HMAC-SHA256 signatures as WooCommerce and WordPress webhook plugins compute them, compared in constant time. */
public final class WebhookSignatures {

    private WebhookSignatures() {
    }

    private static final Pattern ENTITY = Pattern.compile("&(#[0-9]{1,7}|#[xX][0-9a-fA-F]{1,6}|[A-Za-z][A-Za-z0-9]{1,31});");

    /**
     * WooCommerce HTML-entity-decodes the stored secret before signing ({@code &amp;} → {@code &}), like PHP's
     * {@code html_entity_decode}: only complete entities ending in ';' are decoded, so a secret pasted already
     * decoded ({@code a&b<c}) stays as it is.
     */
    public static byte[] wooCommerceKey(String configuredSecret) {
        return htmlEntityDecode(configuredSecret).getBytes(StandardCharsets.UTF_8);
    }

    static String htmlEntityDecode(String s) {
        Matcher m = ENTITY.matcher(s);
        StringBuilder out = new StringBuilder();
        while (m.find()) {
            String name = m.group(1);
            String replacement;
            if (name.charAt(0) == '#') {
                int cp = name.length() > 1 && (name.charAt(1) == 'x' || name.charAt(1) == 'X')
                        ? Integer.parseInt(name.substring(2), 16) : Integer.parseInt(name.substring(1));
                replacement = Character.isValidCodePoint(cp) ? new String(Character.toChars(cp)) : m.group();
            } else {
                replacement = Entities.isNamedEntity(name) ? Entities.getByName(name) : m.group();
            }
            m.appendReplacement(out, Matcher.quoteReplacement(replacement));
        }
        m.appendTail(out);
        return out.toString();
    }

    public static byte[] hmacSha256(byte[] key, byte[] body) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(key, "HmacSHA256"));
            return mac.doFinal(body);
        } catch (NoSuchAlgorithmException | InvalidKeyException e) {
            throw new IllegalStateException("HMAC-SHA256 unavailable", e);
        }
    }

    /** base64(HMAC-SHA256(body, key)) — the X-WC-Webhook-Signature value. */
    public static String wooCommerceSignature(String configuredSecret, byte[] body) {
        return Base64.getEncoder().encodeToString(hmacSha256(wooCommerceKey(configuredSecret), body));
    }

    /**
     * True when {@code presented} is the HMAC-SHA256 of the raw body: base64 or hex, optionally prefixed
     * {@code sha256=}. The decoded MACs are compared with {@link MessageDigest#isEqual} (constant time).
     */
    public static boolean verify(byte[] key, byte[] body, String presented) {
        if (presented == null || presented.isBlank()) {
            return false;
        }
        byte[] expected = hmacSha256(key, body);
        byte[] given = decode(presented.trim());
        return given != null && MessageDigest.isEqual(expected, given);
    }

    private static byte[] decode(String value) {
        String v = value.toLowerCase(Locale.ROOT).startsWith("sha256=") ? value.substring(7) : value;
        if (v.length() == 64 && v.chars().allMatch(c -> Character.digit(c, 16) >= 0)) {
            return HexFormat.of().parseHex(v);
        }
        try {
            return Base64.getDecoder().decode(v);
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    public static String sha256Hex(byte[] body) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(body));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
