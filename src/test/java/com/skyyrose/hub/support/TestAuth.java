package com.skyyrose.hub.support;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Credentials for tests that call {@code /api/v1} operations. Every such call in a test goes through here, so the
 * identity capability decides in one place how a test authenticates (it returns the headers to add).
 *
 * <p>{@link #admin} signs in as the first administrator, which every test hub creates from
 * {@link #ADMIN_EMAIL}/{@link #ADMIN_PASSWORD} (set for all test hubs in {@code src/test/resources/config/
 * application.properties}). {@link #withPermissions} has that admin create a partner API key whose scopes are
 * exactly the given permissions. Both are cached per hub (base URL), so a test class signs in once.
 */
public final class TestAuth {

    public static final String ADMIN_EMAIL = "test-admin@skyyrose.test";
    public static final String ADMIN_PASSWORD = "test-admin-password-0001";

    private static final Map<String, Cached> CACHE = new ConcurrentHashMap<>();
    private static final long TOKEN_REUSE_MILLIS = 10 * 60 * 1000;

    private record Cached(String[] headers, long at) {
    }

    private TestAuth() {
    }

    /** Headers of an administrator (every permission). */
    public static String[] admin(TestHttp http) {
        Cached cached = CACHE.get(http.base() + " admin");
        if (cached != null && System.currentTimeMillis() - cached.at() < TOKEN_REUSE_MILLIS) {
            return cached.headers().clone();
        }
        String[] headers = bearer(login(http, ADMIN_EMAIL, ADMIN_PASSWORD).get("access_token").asText());
        CACHE.put(http.base() + " admin", new Cached(headers, System.currentTimeMillis()));
        return headers.clone();
    }

    /** Headers of a caller (a partner API key) holding exactly these permissions. */
    public static String[] withPermissions(TestHttp http, String... permissions) {
        String[] sorted = permissions.clone();
        Arrays.sort(sorted);
        String cacheKey = http.base() + " key " + String.join(",", sorted);
        Cached cached = CACHE.get(cacheKey);
        if (cached != null) {
            return cached.headers().clone();
        }
        ObjectNode body = TestHttp.json().createObjectNode();
        body.put("name", "test key " + String.join(",", sorted));
        body.putArray("scopes").addAll(Arrays.stream(sorted).map(p -> TestHttp.json().getNodeFactory().textNode(p))
                .toList());
        TestHttp.Reply created = http.postJson("/api/v1/api-keys", body.toString(), admin(http));
        if (created.status() != 201) {
            throw new AssertionError("could not create a test API key: " + created.status() + " " + created.body());
        }
        String[] headers = {"X-API-Key", created.json().get("secret").asText()};
        CACHE.put(cacheKey, new Cached(headers, System.currentTimeMillis()));
        return headers.clone();
    }

    /** Signs in with the password grant (JSON); returns the token response. */
    public static JsonNode login(TestHttp http, String email, String password) {
        ObjectNode body = TestHttp.json().createObjectNode();
        body.put("grant_type", "password");
        body.put("username", email);
        body.put("password", password);
        TestHttp.Reply reply = http.postJson("/api/v1/auth/token", body.toString());
        if (reply.status() != 200) {
            throw new AssertionError("sign-in as " + email + " failed: " + reply.status() + " " + reply.body());
        }
        return reply.json();
    }

    public static String[] bearer(String token) {
        return new String[] {"Authorization", "Bearer " + token};
    }

    /** Headers combined (credentials plus others). */
    public static String[] plus(String[] headers, String... more) {
        String[] all = Arrays.copyOf(headers, headers.length + more.length);
        System.arraycopy(more, 0, all, headers.length, more.length);
        return all;
    }
}
