package com.skyyrose.hub.security;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.PlainHeader;
import com.nimbusds.jose.crypto.ECDSASigner;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.PlainJWT;
import com.nimbusds.jwt.SignedJWT;
import com.skyyrose.hub.support.HubIntegrationTest;
import com.skyyrose.hub.support.RunningHub;
import com.skyyrose.hub.support.TestAuth;
import com.skyyrose.hub.support.TestHttp;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import java.util.UUID;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.jdbc.core.JdbcTemplate;

/** The security suite: each attack or misuse gets the right status, against the real hub, PostgreSQL and Redis. */
class SecuritySuiteTest extends HubIntegrationTest {

    private static final String PASSWORD = "a long test passphrase 1";

    @Autowired
    HubSecrets secrets;
    @Autowired
    JdbcTemplate jdbc;
    @Value("${hub.security.jwt.issuer}")
    String issuer;
    @Value("${hub.security.jwt.audience}")
    String audience;

    record TestUser(String id, String email, String accessToken, String refreshToken) {
        String[] auth() {
            return TestAuth.bearer(accessToken);
        }
    }

    private TestUser newUser(String role) {
        String email = role + "-" + UUID.randomUUID() + "@skyyrose.test";
        TestHttp.Reply created = http().postJson("/api/v1/users", "{\"email\":\"" + email + "\",\"password\":\""
                + PASSWORD + "\",\"role\":\"" + role + "\"}", TestAuth.admin(http()));
        assertThat(created.status()).as(created.body()).isEqualTo(201);
        JsonNode tokens = TestAuth.login(http(), email, PASSWORD);
        return new TestUser(created.json().get("id").asText(), email, tokens.get("access_token").asText(),
                tokens.get("refresh_token").asText());
    }

    private String key(String scopes, String extra) {
        TestHttp.Reply created = http().postJson("/api/v1/api-keys", "{\"name\":\"suite\",\"scopes\":" + scopes
                + (extra == null ? "" : "," + extra) + "}", TestAuth.admin(http()));
        assertThat(created.status()).as(created.body()).isEqualTo(201);
        return created.json().get("secret").asText();
    }

    // ---- tokens ------------------------------------------------------------------------------------------------

    @Test
    void loginReturnsOAuthTokenResponseFromFormAndJson() {
        TestUser user = newUser("viewer");
        TestHttp.Reply form = http().post("/api/v1/auth/token", "application/x-www-form-urlencoded",
                "grant_type=password&username=" + user.email().replace("@", "%40") + "&password="
                        + PASSWORD.replace(" ", "+"));
        assertThat(form.status()).as(form.body()).isEqualTo(200);
        assertThat(form.json().get("token_type").asText()).isEqualTo("Bearer");
        assertThat(form.json().get("expires_in").asInt()).isEqualTo(900);
        assertThat(form.json().get("refresh_token").asText()).isNotBlank();
        assertThat(form.header("Cache-Control")).contains("no-store");
        TestHttp.Reply me = http().get("/api/v1/auth/me", TestAuth.bearer(form.json().get("access_token").asText()));
        assertThat(me.status()).isEqualTo(200);
        assertThat(me.json().get("email").asText()).isEqualTo(user.email());
        assertThat(me.json().get("role").asText()).isEqualTo("viewer");

        TestHttp.Reply wrong = http().postJson("/api/v1/auth/token", "{\"grant_type\":\"password\",\"username\":\""
                + user.email() + "\",\"password\":\"not the password\"}");
        assertThat(wrong.status()).isEqualTo(401);
        assertThat(wrong.body()).doesNotContain("not the password");
    }

    @Test
    void garbageAndForgedTokensAre401() throws Exception {
        TestUser user = newUser("viewer");
        String sid = sidOf(user.accessToken());
        assertThat(call(user.auth())).as("control: the real token works").isEqualTo(200);
        // control: a token we craft with the real key and right claims works, so each rejection below is for its flaw
        assertThat(call(TestAuth.bearer(forge(user.id(), sid, b -> { }, null)))).isEqualTo(200);

        assertThat(call(TestAuth.bearer("garbage"))).isEqualTo(401);
        assertThat(call(TestAuth.bearer("a.b.c"))).isEqualTo(401);
        String none = new PlainJWT(new PlainHeader.Builder().type(TokenService.ACCESS_TOKEN_TYPE).build(),
                claims(user.id(), sid).build()).serialize();
        assertThat(call(TestAuth.bearer(none))).as("alg none").isEqualTo(401);
        // HS256 keyed with the public key (the classic RS/HS confusion), same kid
        ECKey publicKey = ((ECKey) secrets.jwtKeys().getKeyByKeyId(secrets.signingKid())).toPublicJWK();
        SignedJWT hs = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.HS256).keyID(secrets.signingKid())
                .type(TokenService.ACCESS_TOKEN_TYPE).build(), claims(user.id(), sid).build());
        byte[] secret = (publicKey.toJSONString() + publicKey.toJSONString()).getBytes(StandardCharsets.UTF_8);
        hs.sign(new MACSigner(secret));
        assertThat(call(TestAuth.bearer(hs.serialize()))).as("HS/RS confusion").isEqualTo(401);

        Instant now = Instant.now();
        assertThat(call(TestAuth.bearer(forge(user.id(), sid,
                b -> b.expirationTime(Date.from(now.minusSeconds(120))), null)))).as("expired").isEqualTo(401);
        assertThat(call(TestAuth.bearer(forge(user.id(), sid, b -> b.expirationTime(null), null))))
                .as("no exp").isEqualTo(401);
        assertThat(call(TestAuth.bearer(forge(user.id(), sid, b -> b.audience("someone-else"), null))))
                .as("wrong audience").isEqualTo(401);
        assertThat(call(TestAuth.bearer(forge(user.id(), sid, b -> b.issuer("https://evil.example"), null))))
                .as("wrong issuer").isEqualTo(401);
        assertThat(call(TestAuth.bearer(forge(user.id(), sid,
                b -> b.notBeforeTime(Date.from(now.plusSeconds(600))), null)))).as("future nbf").isEqualTo(401);
        assertThat(call(TestAuth.bearer(forge(user.id(), sid, b -> { }, "JWT")))).as("not typed at+jwt")
                .isEqualTo(401);
        // signed by a key not in the keyset, with the configured kid
        ECKey stranger = HubSecrets.newJwtKey(secrets.signingKid());
        SignedJWT foreign = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.ES256).keyID(secrets.signingKid())
                .type(TokenService.ACCESS_TOKEN_TYPE).build(), claims(user.id(), sid).build());
        foreign.sign(new ECDSASigner(stranger));
        assertThat(call(TestAuth.bearer(foreign.serialize()))).as("unknown key").isEqualTo(401);
        // valid signature but a session that does not exist, or another user's session
        assertThat(call(TestAuth.bearer(forge(user.id(), UUID.randomUUID().toString(), b -> { }, null))))
                .as("no session").isEqualTo(401);
        TestUser other = newUser("viewer");
        assertThat(call(TestAuth.bearer(forge(other.id(), sid, b -> { }, null)))).as("session of another user")
                .isEqualTo(401);
        TestHttp.Reply reply = http().get("/api/v1/auth/me", TestAuth.bearer("garbage"));
        assertThat(reply.header("WWW-Authenticate")).hasValueSatisfying(v -> assertThat(v).contains("invalid_token"));
    }

    @Test
    void logoutEndsTheSessionAtOnce() {
        TestUser user = newUser("viewer");
        assertThat(call(user.auth())).isEqualTo(200);
        assertThat(http().postJson("/api/v1/auth/logout", "", user.auth()).status()).isEqualTo(204);
        assertThat(call(user.auth())).isEqualTo(401);
        TestHttp.Reply refresh = refresh(user.refreshToken());
        assertThat(refresh.status()).isEqualTo(401);
    }

    @Test
    void logoutOnOneInstanceIsSeenByAnotherAtOnce() {
        TestUser user = newUser("viewer");
        try (RunningHub other = RunningHub.start("DATABASE_URL=" + TEST_DATABASE_URL, "REDIS_URL=" + TEST_REDIS_URL,
                "HUB_ROUTES_RELOAD=false")) {
            assertThat(other.http().get("/api/v1/auth/me", user.auth()).status()).as("same token, other instance")
                    .isEqualTo(200);
            assertThat(http().postJson("/api/v1/auth/logout", "", user.auth()).status()).isEqualTo(204);
            assertThat(other.http().get("/api/v1/auth/me", user.auth()).status()).isEqualTo(401);
        }
    }

    @Test
    void refreshRotatesAndReuseRevokesTheFamily() {
        TestUser user = newUser("viewer");
        TestHttp.Reply first = refresh(user.refreshToken());
        assertThat(first.status()).as(first.body()).isEqualTo(200);
        String second = first.json().get("refresh_token").asText();
        assertThat(second).isNotEqualTo(user.refreshToken());
        String access = first.json().get("access_token").asText();
        assertThat(call(TestAuth.bearer(access))).isEqualTo(200);

        // a made-up secret for this session is simply invalid and does not end it
        String sid = second.substring(0, second.indexOf('.'));
        assertThat(refresh(sid + ".made-up").status()).isEqualTo(401);
        assertThat(call(TestAuth.bearer(access))).isEqualTo(200);

        // the replaced token shown again: the whole family is revoked
        TestHttp.Reply reused = refresh(user.refreshToken());
        assertThat(reused.status()).isEqualTo(401);
        assertThat(refresh(second).status()).as("the newest token of the family is dead too").isEqualTo(401);
        assertThat(call(TestAuth.bearer(access))).as("and its access tokens").isEqualTo(401);
        assertThat(call(user.auth())).isEqualTo(401);
    }

    @Test
    void passwordChangeAndAdminRevokeEndSessions() {
        TestUser user = newUser("viewer");
        TestHttp.Reply wrong = http().postJson("/api/v1/auth/password",
                "{\"currentPassword\":\"wrong wrong wrong\",\"newPassword\":\"a brand new passphrase\"}", user.auth());
        assertThat(wrong.status()).isEqualTo(400);
        TestHttp.Reply changed = http().postJson("/api/v1/auth/password", "{\"currentPassword\":\"" + PASSWORD
                + "\",\"newPassword\":\"a brand new passphrase\"}", user.auth());
        assertThat(changed.status()).isEqualTo(204);
        assertThat(call(user.auth())).isEqualTo(401);
        JsonNode again = TestAuth.login(http(), user.email(), "a brand new passphrase");

        String[] auth = TestAuth.bearer(again.get("access_token").asText());
        assertThat(call(auth)).isEqualTo(200);
        TestHttp.Reply revoked = http().method("DELETE", "/api/v1/users/" + user.id() + "/sessions",
                TestAuth.admin(http()));
        assertThat(revoked.status()).isEqualTo(200);
        assertThat(revoked.json().get("revoked").asInt()).isEqualTo(1);
        assertThat(call(auth)).isEqualTo(401);
    }

    // ---- permissions -------------------------------------------------------------------------------------------

    @Test
    void viewerCallingAnOperatorOperationIs403() {
        TestUser viewer = newUser("viewer");
        TestHttp.Reply reply = http().postJson("/api/v1/3d/generate", "{\"prompt\":\"a rose\"}", viewer.auth());
        assertThat(reply.status()).isEqualTo(403);
        assertThat(reply.json().get("type").asText()).endsWith("/problems/forbidden");
        assertThat(http().get("/api/v1/agents", viewer.auth()).status()).isNotIn(401, 403);
        TestUser operator = newUser("operator");
        assertThat(http().postJson("/api/v1/3d/generate", "{\"prompt\":\"a rose\"}", operator.auth()).status())
                .isNotIn(401, 403);
        // viewers read operational data but not the admin's
        assertThat(http().get("/api/v1/audit", viewer.auth()).status()).isEqualTo(403);
        assertThat(http().get("/api/v1/users", viewer.auth()).status()).isEqualTo(403);
    }

    @Test
    void userCannotReadAnotherUserButCanReadThemself() {
        TestUser a = newUser("operator");
        TestUser b = newUser("viewer");
        assertThat(http().get("/api/v1/users/" + a.id(), a.auth()).status()).isEqualTo(200);
        TestHttp.Reply other = http().get("/api/v1/users/" + b.id(), a.auth());
        assertThat(other.status()).isEqualTo(404);
        assertThat(other.body()).doesNotContain(b.email());
        assertThat(http().get("/api/v1/users/" + b.id(), TestAuth.admin(http())).status()).isEqualTo(200);
    }

    @Test
    void nonAdminCannotCreateUsersOrChooseARole() {
        TestUser operator = newUser("operator");
        TestHttp.Reply reply = http().postJson("/api/v1/users", "{\"email\":\"x-" + UUID.randomUUID()
                + "@skyyrose.test\",\"password\":\"" + PASSWORD + "\",\"role\":\"admin\"}", operator.auth());
        assertThat(reply.status()).isEqualTo(403);
        TestHttp.Reply promote = http().send(http().request("/api/v1/users/" + operator.id())
                .method("PATCH", HttpRequest.BodyPublishers.ofString("{\"role\":\"admin\"}"))
                .header("Content-Type", "application/json").header("Authorization", "Bearer " + operator.accessToken())
                .build());
        assertThat(promote.status()).isEqualTo(403);
        assertThat(http().get("/api/v1/auth/me", operator.auth()).json().get("role").asText()).isEqualTo("operator");
    }

    @Test
    void partnerKeysAreScopedRevocableAndExpire() {
        String secret = key("[\"brand:read\"]", null);
        String[] byHeader = {"X-API-Key", secret};
        String[] byBearer = TestAuth.bearer(secret);
        assertThat(http().get("/api/v1/brand/context", byHeader).status()).isNotIn(401, 403);
        assertThat(http().get("/api/v1/brand/context", byBearer).status()).isNotIn(401, 403);
        assertThat(http().get("/api/v1/tools", byHeader).status()).as("outside its scopes").isEqualTo(403);
        String id = secret.split("_")[1];
        assertThat(jdbc.queryForObject("SELECT last_used_at IS NOT NULL FROM api_key WHERE id = ?", Boolean.class, id))
                .isTrue();
        assertThat(jdbc.queryForObject("SELECT secret_hash FROM api_key WHERE id = ?", String.class, id))
                .doesNotContain(secret.substring(secret.lastIndexOf('_') + 1));
        TestHttp.Reply listed = http().get("/api/v1/api-keys?limit=200", TestAuth.admin(http()));
        assertThat(listed.body()).doesNotContain(secret.substring(secret.lastIndexOf('_') + 1));

        assertThat(http().method("DELETE", "/api/v1/api-keys/" + id, TestAuth.admin(http())).status()).isEqualTo(204);
        assertThat(http().get("/api/v1/brand/context", byHeader).status()).as("revoked").isEqualTo(401);
        assertThat(http().method("DELETE", "/api/v1/api-keys/" + id, TestAuth.admin(http())).status()).isEqualTo(404);

        String expiring = key("[\"brand:read\"]", "\"expiresAt\":\"" + Instant.now().plusSeconds(1) + "\"");
        assertThat(http().get("/api/v1/brand/context", "X-API-Key", expiring).status()).isNotIn(401, 403);
        jdbc.update("UPDATE api_key SET expires_at = now() - interval '1 second' WHERE id = ?",
                expiring.split("_")[1]);
        assertThat(http().get("/api/v1/brand/context", "X-API-Key", expiring).status()).as("expired").isEqualTo(401);
        assertThat(http().get("/api/v1/brand/context", "X-API-Key", "hub_nosuch_key").status()).isEqualTo(401);
        assertThat(http().get("/api/v1/brand/context", "X-API-Key", secret + "x").status()).isEqualTo(401);
    }

    @Test
    void keyScopesCannotBeEverything() {
        TestHttp.Reply reply = http().postJson("/api/v1/api-keys", "{\"name\":\"all\",\"scopes\":[\"*\"]}",
                TestAuth.admin(http()));
        assertThat(reply.status()).isEqualTo(400);
    }

    // ---- limits and hardening ------------------------------------------------------------------------------------

    @Test
    void burstOverThePerKeyLimitIs429WithRetryAfter() {
        String secret = key("[\"brand:read\"]", "\"ratePerMinute\":3");
        for (int i = 0; i < 3; i++) {
            TestHttp.Reply ok = http().get("/api/v1/brand/context", "X-API-Key", secret);
            assertThat(ok.status()).isNotIn(401, 403, 429);
            assertThat(ok.header("RateLimit-Limit")).contains("3");
        }
        TestHttp.Reply limited = http().get("/api/v1/brand/context", "X-API-Key", secret);
        assertThat(limited.status()).isEqualTo(429);
        assertThat(limited.header("Retry-After")).hasValueSatisfying(v -> assertThat(Long.parseLong(v)).isPositive());
        assertThat(limited.header("RateLimit-Remaining")).contains("0");
        assertThat(limited.header("X-RateLimit-Limit")).contains("3");
        assertThat(limited.json().get("type").asText()).endsWith("/problems/rate-limited");
    }

    @Test
    void repeatedFailedLoginsLockTheAccount() {
        TestUser user = newUser("viewer");
        String bad = "{\"grant_type\":\"password\",\"username\":\"" + user.email() + "\",\"password\":\"nope nope\"}";
        int last = 0;
        for (int i = 0; i < 6; i++) {
            last = http().postJson("/api/v1/auth/token", bad).status();
        }
        assertThat(last).isEqualTo(429);
        TestHttp.Reply good = http().postJson("/api/v1/auth/token", "{\"grant_type\":\"password\",\"username\":\""
                + user.email() + "\",\"password\":\"" + PASSWORD + "\"}");
        assertThat(good.status()).as("even the right password waits").isEqualTo(429);
        assertThat(good.header("Retry-After")).isPresent();
    }

    @Test
    void oversizedBodyIs413() {
        String big = "{\"query\":\"" + "x".repeat(2 * 1024 * 1024) + "\"}";
        TestHttp.Reply reply = http().postJson("/api/v1/round-table/query", big, TestAuth.admin(http()));
        assertThat(reply.status()).isEqualTo(413);
        assertThat(reply.contentType()).startsWith("application/problem+json");
        // chunked, without a Content-Length
        TestHttp.Reply chunked = http().send(http().request("/api/v1/round-table/query")
                .POST(HttpRequest.BodyPublishers.ofInputStream(() -> new java.io.ByteArrayInputStream(
                        big.getBytes(StandardCharsets.UTF_8))))
                .header("Content-Type", "application/json")
                .header("Authorization", TestAuth.admin(http())[1]).build());
        assertThat(chunked.status()).isEqualTo(413);
    }

    @Test
    void corsOnlyForAllowListedOrigins() {
        TestHttp.Reply allowed = http().get("/health", "Origin", "https://shop.skyyrose.test");
        assertThat(allowed.header("Access-Control-Allow-Origin")).contains("https://shop.skyyrose.test");
        for (String origin : List.of("https://evil.example", "null", "https://shop.skyyrose.test.evil.example")) {
            TestHttp.Reply reply = http().get("/health", "Origin", origin);
            assertThat(reply.headers().map().keySet()).as(origin)
                    .noneMatch(h -> h.toLowerCase().startsWith("access-control-"));
            TestHttp.Reply preflight = http().method("OPTIONS", "/api/v1/agents", "Origin", origin,
                    "Access-Control-Request-Method", "GET");
            assertThat(preflight.headers().map().keySet()).noneMatch(h -> h.toLowerCase().startsWith("access-control-"));
        }
        TestHttp.Reply preflight = http().method("OPTIONS", "/api/v1/agents", "Origin", "https://shop.skyyrose.test",
                "Access-Control-Request-Method", "GET");
        assertThat(preflight.status()).isEqualTo(204);
        assertThat(preflight.header("Access-Control-Allow-Headers")).hasValueSatisfying(
                v -> assertThat(v).contains("Authorization"));
    }

    @Test
    void auditLogRecordsWhoDidWhatWithoutSecrets() {
        TestUser user = newUser("viewer");
        http().postJson("/api/v1/auth/token", "{\"grant_type\":\"password\",\"username\":\"" + user.email()
                + "\",\"password\":\"secret-that-must-not-leak\"}");
        http().get("/api/v1/users", user.auth());
        String keySecret = key("[\"brand:read\"]", null);
        http().postJson("/api/v1/auth/logout", "", user.auth());

        TestHttp.Reply all = http().get("/api/v1/audit?limit=100", TestAuth.admin(http()));
        assertThat(all.status()).isEqualTo(200);
        assertThat(all.body()).doesNotContain("secret-that-must-not-leak").doesNotContain(PASSWORD)
                .doesNotContain(keySecret).doesNotContain(user.accessToken()).doesNotContain(user.refreshToken());
        JsonNode denied = http().get("/api/v1/audit?action=permission.denied&actor=" + user.id(),
                TestAuth.admin(http())).json().get("items");
        assertThat(denied).isNotEmpty();
        assertThat(denied.get(0).get("target").asText()).isEqualTo("listUsers");
        assertThat(denied.get(0).get("ip").asText()).isNotBlank();
        assertThat(denied.get(0).get("requestId").asText()).isNotBlank();
        assertThat(http().get("/api/v1/audit?action=login&actor=" + user.id(), TestAuth.admin(http())).json()
                .get("items")).isNotEmpty();
        assertThat(http().get("/api/v1/audit?action=logout&actor=" + user.id(), TestAuth.admin(http())).json()
                .get("items")).isNotEmpty();
        assertThat(http().get("/api/v1/audit?action=login.failed&limit=5", TestAuth.admin(http())).json()
                .get("items")).isNotEmpty();
        assertThat(http().get("/api/v1/audit?action=api-key.create&limit=5", TestAuth.admin(http())).json()
                .get("items")).isNotEmpty();
        // a mutating call is audited when it ends, with its status
        JsonNode created = http().get("/api/v1/audit?action=createUser&limit=1", TestAuth.admin(http())).json()
                .get("items");
        assertThat(created.get(0).get("status").asInt()).isEqualTo(201);
        assertThat(created.get(0).get("outcome").asText()).isEqualTo("success");

        JsonNode page1 = http().get("/api/v1/audit?limit=2", TestAuth.admin(http())).json();
        long next = page1.get("next").asLong();
        JsonNode page2 = http().get("/api/v1/audit?limit=2&before=" + next, TestAuth.admin(http())).json();
        assertThat(page2.get("items").get(0).get("id").asLong()).isLessThan(next);
    }

    // ---- helpers -----------------------------------------------------------------------------------------------

    private int call(String[] auth) {
        return http().get("/api/v1/auth/me", auth).status();
    }

    private TestHttp.Reply refresh(String refreshToken) {
        return http().post("/api/v1/auth/token", "application/x-www-form-urlencoded",
                "grant_type=refresh_token&refresh_token=" + refreshToken);
    }

    private static String sidOf(String token) throws Exception {
        return SignedJWT.parse(token).getJWTClaimsSet().getStringClaim("sid");
    }

    private JWTClaimsSet.Builder claims(String sub, String sid) {
        Instant now = Instant.now();
        return new JWTClaimsSet.Builder().issuer(issuer).audience(audience).subject(sub)
                .issueTime(Date.from(now)).notBeforeTime(Date.from(now))
                .expirationTime(Date.from(now.plusSeconds(300))).jwtID(UUID.randomUUID().toString())
                .claim("sid", sid);
    }

    private String forge(String sub, String sid, Consumer<JWTClaimsSet.Builder> change, String type) throws Exception {
        JWTClaimsSet.Builder b = claims(sub, sid);
        change.accept(b);
        SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.ES256).keyID(secrets.signingKid())
                .type(type == null ? TokenService.ACCESS_TOKEN_TYPE : new JOSEObjectType(type)).build(), b.build());
        jwt.sign(new ECDSASigner((ECKey) secrets.jwtKeys().getKeyByKeyId(secrets.signingKid())));
        return jwt.serialize();
    }
}
