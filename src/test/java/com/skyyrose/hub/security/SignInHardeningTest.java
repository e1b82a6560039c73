package com.skyyrose.hub.security;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.skyyrose.hub.support.HubIntegrationTest;
import com.skyyrose.hub.support.TestAuth;
import com.skyyrose.hub.support.TestHttp;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.data.redis.core.StringRedisTemplate;

/**
 * Issue 15: refresh-token reuse is detected for the family's whole life, failed sign-ins slow down per account
 * and address without letting a stranger lock the owner out, and password hashing is capped (503 + Retry-After
 * beyond the cap), against the real hub, PostgreSQL and Redis.
 */
class SignInHardeningTest extends HubIntegrationTest {

    private static final String PASSWORD = "a long test passphrase 2";

    @Autowired
    StringRedisTemplate redis;
    @Autowired
    UserService users;
    @Autowired
    PasswordHasher hasher;

    private String newUser(String role) {
        String email = role + "-" + UUID.randomUUID() + "@skyyrose.test";
        TestHttp.Reply created = http().postJson("/api/v1/users", "{\"email\":\"" + email + "\",\"password\":\""
                + PASSWORD + "\",\"role\":\"" + role + "\"}", TestAuth.admin(http()));
        assertThat(created.status()).as(created.body()).isEqualTo(201);
        return email;
    }

    /** A documentation address (RFC 5737) of its own per test run, so runs do not share counters. */
    private static String address() {
        ThreadLocalRandom r = ThreadLocalRandom.current();
        return "203.0." + r.nextInt(1, 250) + "." + r.nextInt(1, 250);
    }

    private TestHttp.Reply signIn(String email, String password, String from) {
        return http().postJson("/api/v1/auth/token", "{\"grant_type\":\"password\",\"username\":\"" + email
                + "\",\"password\":\"" + password + "\"}", "X-Forwarded-For", from);
    }

    private TestHttp.Reply refresh(String refreshToken) {
        return http().post("/api/v1/auth/token", "application/x-www-form-urlencoded",
                "grant_type=refresh_token&refresh_token=" + refreshToken);
    }

    // ---- refresh-token reuse -----------------------------------------------------------------------------------

    @Test
    void aStolenOldRefreshTokenIsDetectedEvenAfterHundredsOfRotations() {
        String email = newUser("viewer");
        JsonNode login = signIn(email, PASSWORD, address()).json();
        String stolen = login.get("refresh_token").asText();
        String sid = stolen.substring(0, stolen.indexOf('.'));
        String current = stolen;
        String access = null;
        for (int i = 0; i < 300; i++) { // the old store forgot replaced tokens after ~120 rotations
            TestHttp.Reply r = refresh(current);
            assertThat(r.status()).as("rotation " + i + ": " + r.body()).isEqualTo(200);
            current = r.json().get("refresh_token").asText();
            access = r.json().get("access_token").asText();
        }
        assertThat(http().get("/api/v1/auth/me", TestAuth.bearer(access)).status()).isEqualTo(200);

        TestHttp.Reply reused = refresh(stolen);
        assertThat(reused.status()).isEqualTo(401);
        assertThat(reused.body()).contains("already used");
        assertThat(redis.hasKey("hub:auth:session:" + sid)).as("the family is revoked").isFalse();
        assertThat(refresh(current).status()).as("its newest token is dead too").isEqualTo(401);
        assertThat(http().get("/api/v1/auth/me", TestAuth.bearer(access)).status()).isEqualTo(401);
    }

    // ---- lock-out without denial of service ---------------------------------------------------------------------

    @Test
    void aStrangerFailingFromOneAddressCannotLockTheOwnerOutFromAnother() {
        String email = newUser("admin");
        String stranger = address();
        String owner = address();
        int last = 0;
        for (int i = 0; i < 12; i++) { // "every few minutes": each failure while closed changes nothing either
            last = signIn(email, "wrong password " + i, stranger).status();
        }
        assertThat(last).isEqualTo(429);
        // the stranger's address is closed even for the right password (guessing stays throttled) ...
        TestHttp.Reply strangerRight = signIn(email, PASSWORD, stranger);
        assertThat(strangerRight.status()).isEqualTo(429);
        assertThat(strangerRight.contentType()).startsWith("application/problem+json");
        assertThat(strangerRight.header("Retry-After")).isPresent();
        // ... while the owner signs in from their own address
        TestHttp.Reply ownerRight = signIn(email, PASSWORD, owner);
        assertThat(ownerRight.status()).as(ownerRight.body()).isEqualTo(200);
        assertThat(ownerRight.json().get("access_token").asText()).isNotBlank();
    }

    @Test
    void guessingFromOneAddressWaitsLongerAfterEveryFurtherFailure() {
        String email = newUser("viewer");
        String from = address();
        String account = users.emailHash(email);
        String lock = SignInThrottle.LOCK + account + ":" + from;
        for (int i = 0; i < 4; i++) {
            assertThat(signIn(email, "wrong " + i, from).status()).as("free failure " + i).isEqualTo(401);
        }
        assertThat(signIn(email, "wrong 4", from).status()).isEqualTo(401);
        long previous = 0;
        for (int round = 0; round < 4; round++) {
            TestHttp.Reply closed = signIn(email, "guess " + round, from);
            assertThat(closed.status()).isEqualTo(429);
            long retryAfter = Long.parseLong(closed.header("Retry-After").orElseThrow());
            long ttl = redis.getExpire(lock);
            assertThat(ttl).isPositive();
            if (round > 0) {
                assertThat(retryAfter).as("round " + round + " waits about twice as long").isGreaterThan(previous)
                        .isBetween(2 * previous - 2, 2 * previous + 2);
            }
            previous = retryAfter;
            // the delay elapses (the key expires; simulated rather than slept), then one more wrong guess
            redis.delete(lock);
            assertThat(signIn(email, "again " + round, from).status()).isEqualTo(401);
        }
        // every counter and lock has a TTL
        for (String key : List.of(lock, SignInThrottle.PAIR_FAILURES + account + ":" + from,
                "ratelimit:" + SignInThrottle.ACCOUNT_BUCKET + account)) {
            assertThat(redis.getExpire(key)).as(key).isPositive();
        }
    }

    @Test
    void guessesSpreadOverManyAddressesCloseTheAccountForEveryoneWithinTheLooserLimit() {
        String email = newUser("viewer");
        int limit = 50; // hub.security.rate-limit.login-account-failures
        int failures = 0;
        int status = 401;
        for (int i = 0; i < limit + 10 && status != 429; i++) {
            status = signIn(email, "spread " + i, "198.51.100." + (i / 4 + 1)).status(); // 4 per address: free
            if (status == 401) {
                failures++;
            }
        }
        assertThat(status).isEqualTo(429);
        assertThat(failures).isBetween(limit - 2, limit + 2);
        TestHttp.Reply fresh = signIn(email, PASSWORD, address());
        assertThat(fresh.status()).as("a distributed guess closes the account everywhere").isEqualTo(429);
        assertThat(fresh.header("Retry-After")).isPresent();
    }

    // ---- bounded Argon2 ------------------------------------------------------------------------------------------

    @Test
    void signInsBeyondTheHashCapAnswer503WithRetryAfter() throws Exception {
        String email = newUser("viewer");
        int cap = hasher.maxConcurrent();
        assertThat(cap).isBetween(1, 4);
        // Argon2 memory of all running hashes together stays far below a 512 MB instance
        assertThat(hasher.memoryBoundKib()).isLessThanOrEqualTo(64 * 1024);
        // every slot busy (held here, deterministically): the next sign-in does not queue
        hasher.permits().acquire(cap);
        try {
            TestHttp.Reply busy = signIn(email, PASSWORD, address());
            assertThat(busy.status()).isEqualTo(503);
            assertThat(busy.contentType()).startsWith("application/problem+json");
            assertThat(busy.header("Retry-After")).contains("1");
        } finally {
            hasher.permits().release(cap);
        }
        assertThat(signIn(email, PASSWORD, address()).status()).isEqualTo(200);
    }

    @Test
    void parallelWrongSignInsNeverRunMoreHashesThanTheCap() throws Exception {
        int parallel = 24;
        ExecutorService pool = Executors.newFixedThreadPool(parallel);
        CountDownLatch start = new CountDownLatch(1);
        List<Future<TestHttp.Reply>> replies = new ArrayList<>();
        for (int i = 0; i < parallel; i++) {
            String email = "nobody-" + UUID.randomUUID() + "@skyyrose.test"; // unknown: still a full hash
            String from = address();
            replies.add(pool.submit(() -> {
                start.await();
                return signIn(email, "wrong password", from);
            }));
        }
        start.countDown();
        List<Integer> statuses = new ArrayList<>();
        for (Future<TestHttp.Reply> f : replies) {
            TestHttp.Reply r = f.get();
            statuses.add(r.status());
            if (r.status() == 503) {
                assertThat(r.header("Retry-After")).isPresent();
            }
        }
        pool.shutdown();
        assertThat(Set.copyOf(statuses)).isSubsetOf(401, 503);
        assertThat(hasher.highWater()).as("hashes running at once").isBetween(1, hasher.maxConcurrent());
    }
}
