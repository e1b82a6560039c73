package com.skyyrose.hub.security;

import com.skyyrose.hub.api.Problem;
import com.skyyrose.hub.api.ProblemException;
import com.skyyrose.hub.api.ProblemType;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Base64;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.springframework.security.crypto.argon2.Argon2PasswordEncoder;

/**
 * Argon2id with a cap on concurrent hashes. Each hash holds {@code memoryKib} of memory (19 MiB with the OWASP
 * parameters) for its whole run, so twenty parallel wrong sign-ins used to take 380 MiB: an unauthenticated way
 * to run a 512 MB instance out of memory. At most {@code maxConcurrent} hashes run at once (memory ≤ cap ×
 * memoryKib); a caller waits at most {@code maxWait} for a slot and then gets 503 with {@code Retry-After}
 * rather than queueing without bound.
 */
public final class PasswordHasher {

    private static final int SALT_BYTES = 16;
    private static final int HASH_BYTES = 32;
    private static final int PARALLELISM = 1;

    private final Argon2PasswordEncoder argon2;
    private final int iterations;
    private final int maxConcurrent;
    private final int memoryKib;
    private final Duration maxWait;
    private final Semaphore permits;
    private final AtomicInteger inFlight = new AtomicInteger();
    private final AtomicInteger highWater = new AtomicInteger();
    private final Counter busy;

    public PasswordHasher(int memoryKib, int iterations, int maxConcurrent, Duration maxWait, MeterRegistry meters) {
        if (maxConcurrent < 1) {
            throw new IllegalArgumentException("hub.security.password-hash.max-concurrent must be at least 1");
        }
        this.argon2 = new Argon2PasswordEncoder(SALT_BYTES, HASH_BYTES, PARALLELISM, memoryKib, iterations);
        this.memoryKib = memoryKib;
        this.iterations = iterations;
        this.maxConcurrent = maxConcurrent;
        this.maxWait = maxWait;
        this.permits = new Semaphore(maxConcurrent, true);
        this.busy = Counter.builder("hub.auth.password_hash_busy")
                .description("Password hashes refused because the concurrent-hash cap was reached").register(meters);
        Gauge.builder("hub.auth.password_hashes_in_flight", inFlight, AtomicInteger::get)
                .description("Argon2 hashes running now (each holds the configured memory)").register(meters);
    }

    public String encode(CharSequence password) {
        return limited(() -> {
            byte[] salt = new byte[SALT_BYTES];
            RANDOM.nextBytes(salt);
            return encoded(salt, Argon2idNative.hash(utf8(password), salt, memoryKib, iterations, HASH_BYTES));
        });
    }

    /**
     * Checks {@code password} against a PHC string. Argon2id version 19 with one lane (what {@link #encode} writes)
     * runs in {@link Argon2idNative} (working memory off the heap); any other form goes to Spring's encoder, as
     * before (other Argon2 types and versions, several lanes, malformed strings).
     */
    public boolean matches(CharSequence password, String hash) {
        java.util.regex.Matcher m = hash == null ? null : OWN_FORM.matcher(hash);
        if (m == null || !m.matches()) {
            return limited(() -> argon2.matches(password, hash));
        }
        int memory;
        int passes;
        byte[] salt;
        byte[] expected;
        try {
            memory = Integer.parseInt(m.group(1));
            passes = Integer.parseInt(m.group(2));
            salt = Base64.getDecoder().decode(m.group(3));
            expected = Base64.getDecoder().decode(m.group(4));
        } catch (IllegalArgumentException e) {
            return limited(() -> argon2.matches(password, hash));
        }
        // forms libargon2 refuses (salts under 8 bytes, ...) are Spring's encoder's to judge, as before
        if (memory < 8 || passes < 1 || expected.length < 4 || salt.length < 8) {
            return limited(() -> argon2.matches(password, hash));
        }
        return limited(() -> java.security.MessageDigest.isEqual(expected,
                Argon2idNative.hash(utf8(password), salt, memory, passes, expected.length)));
    }

    /** What Spring's encoder and Bouncy Castle hash: the password's UTF-8 bytes. */
    private static byte[] utf8(CharSequence password) {
        return password.toString().getBytes(java.nio.charset.StandardCharsets.UTF_8);
    }

    private static final java.util.regex.Pattern OWN_FORM = java.util.regex.Pattern.compile(
            "\\$argon2id\\$v=19\\$m=([0-9]{1,8}),t=([0-9]{1,4}),p=1\\$([A-Za-z0-9+/]+)\\$([A-Za-z0-9+/]+)");
    private static final SecureRandom RANDOM = new SecureRandom();

    /**
     * A well-formed hash with this hasher's parameters, a random salt and a random digest: checking a password
     * against it costs a full Argon2 run, as against a real hash, and never matches. Made without hashing (an Argon2
     * run at start-up took ~0.6 s of the main thread), for sign-ins with an unknown e-mail.
     */
    String unmatchableHash() {
        SecureRandom random = new SecureRandom();
        byte[] salt = new byte[SALT_BYTES];
        byte[] digest = new byte[HASH_BYTES];
        random.nextBytes(salt);
        random.nextBytes(digest);
        return encoded(salt, digest);
    }

    /** Argon2id's PHC string, as Spring's Argon2PasswordEncoder writes and reads it. */
    String encoded(byte[] salt, byte[] digest) {
        Base64.Encoder b64 = Base64.getEncoder().withoutPadding();
        return "$argon2id$v=19$m=" + memoryKib + ",t=" + iterations + ",p=" + PARALLELISM + "$"
                + b64.encodeToString(salt) + "$" + b64.encodeToString(digest);
    }

    private <T> T limited(Supplier<T> hash) {
        boolean acquired;
        try {
            acquired = permits.tryAcquire(maxWait.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            acquired = false;
        }
        if (!acquired) {
            busy.increment();
            throw busy();
        }
        try {
            highWater.accumulateAndGet(inFlight.incrementAndGet(), Math::max);
            return hash.get();
        } finally {
            inFlight.decrementAndGet();
            permits.release();
        }
    }

    static ProblemException busy() {
        return new ProblemException(Problem.of(ProblemType.UNAVAILABLE, 503,
                "Too many password checks are running; try again in a moment.").withHeader("Retry-After", "1"));
    }

    public int maxConcurrent() {
        return maxConcurrent;
    }

    /** Upper bound of the memory all running hashes hold together, in KiB. */
    public long memoryBoundKib() {
        return (long) maxConcurrent * memoryKib;
    }

    /** The most hashes ever seen running at once (for tests and diagnostics). */
    int highWater() {
        return highWater.get();
    }

    /** The slots themselves (tests hold them to fill the cap deterministically). */
    Semaphore permits() {
        return permits;
    }
}
