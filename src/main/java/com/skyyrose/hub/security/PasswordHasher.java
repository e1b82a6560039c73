package com.skyyrose.hub.security;

import com.skyyrose.hub.api.Problem;
import com.skyyrose.hub.api.ProblemException;
import com.skyyrose.hub.api.ProblemType;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
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

    private final Argon2PasswordEncoder argon2;
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
        this.argon2 = new Argon2PasswordEncoder(16, 32, 1, memoryKib, iterations);
        this.memoryKib = memoryKib;
        this.maxConcurrent = maxConcurrent;
        this.maxWait = maxWait;
        this.permits = new Semaphore(maxConcurrent, true);
        this.busy = Counter.builder("hub.auth.password_hash_busy")
                .description("Password hashes refused because the concurrent-hash cap was reached").register(meters);
        Gauge.builder("hub.auth.password_hashes_in_flight", inFlight, AtomicInteger::get)
                .description("Argon2 hashes running now (each holds the configured memory)").register(meters);
    }

    public String encode(CharSequence password) {
        return limited(() -> argon2.encode(password));
    }

    public boolean matches(CharSequence password, String hash) {
        return limited(() -> argon2.matches(password, hash));
    }

    /** Hashes without taking a slot: for start-up work only (nobody can call in yet). */
    String encodeAtStartup(CharSequence password) {
        return argon2.encode(password);
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
