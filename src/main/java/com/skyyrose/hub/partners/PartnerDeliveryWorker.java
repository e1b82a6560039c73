package com.skyyrose.hub.partners;

import com.skyyrose.hub.api.ProblemException;
import com.skyyrose.hub.security.FieldCrypto;
import com.skyyrose.hub.tools.GuardedHttp;
import com.skyyrose.hub.tools.SsrfGuard;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ThreadLocalRandom;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Sends queued partner deliveries. A worker claims due deliveries with {@code FOR UPDATE SKIP LOCKED} and a lease
 * (as the webhook inbox and tool jobs do across instances), commits, sends them concurrently outside any
 * transaction, then records each result. A delivery is due only when no older delivery of the same resource to the
 * same subscription is still pending, so one resource's events reach a subscription in order. A failure is
 * retried with exponential backoff and jitter until {@code retry-window} after the event, then dead-lettered; after
 * {@code disable-after-dead-letters} dead letters in a row (or a {@code 410 Gone}) the subscription is disabled with
 * the reason. Paused and disabled subscriptions keep their deliveries queued.
 */
@Component("partnerDeliveryWorker")
public class PartnerDeliveryWorker implements DisposableBean {

    private static final Logger LOG = LoggerFactory.getLogger(PartnerDeliveryWorker.class);
    private static final int MAX_ERROR = 500;

    private final JdbcTemplate jdbc;
    private final TransactionTemplate transactions;
    private final PartnerProperties.Delivery settings;
    private final FieldCrypto crypto;
    private final SsrfGuard ssrf;
    private final PartnerUsage usage;
    /** Made at the first delivery: its client (TLS set-up, an I/O thread) is not needed to start, nor without partners. */
    private volatile GuardedHttp http;

    public PartnerDeliveryWorker(JdbcTemplate jdbc, PartnerProperties properties, FieldCrypto crypto, SsrfGuard ssrf,
            PartnerUsage usage, TransactionTemplate transactions) {
        this.jdbc = jdbc;
        this.transactions = transactions;
        this.settings = properties.getDelivery();
        this.crypto = crypto;
        this.ssrf = ssrf;
        this.usage = usage;
    }

    private GuardedHttp http() {
        GuardedHttp client = http;
        if (client == null) {
            synchronized (this) {
                if (http == null) {
                    // every connection's address is validated as it is resolved (a DNS answer cannot change after the check)
                    http = new GuardedHttp(ssrf.connectTimeResolver(), settings.getTimeout(),
                            Math.max(2, settings.getConcurrency()));
                }
                client = http;
            }
        }
        return client;
    }

    public static String webhookId(long deliveryId) {
        return "msg_" + deliveryId;
    }

    record Claimed(long id, String subscriptionId, String partnerId, String url, String secretEnc,
            String previousSecretEnc, Instant previousUntil, int attempt, String body, Instant occurredAt,
            String resourceKey) {
    }

    record Result(Claimed delivery, Integer status, long latencyMs, String error) {
        boolean ok() {
            return status != null && status >= 200 && status < 300;
        }
    }

    /** Sends batch after batch until nothing is due; returns how many deliveries were attempted. */
    public int drain() {
        int total = 0;
        while (true) {
            List<Claimed> batch = claim();
            if (batch.isEmpty()) {
                return total;
            }
            List<CompletableFuture<Result>> sent = new ArrayList<>();
            for (Claimed c : batch) {
                sent.add(send(c));
            }
            List<Result> results = new ArrayList<>();
            for (CompletableFuture<Result> f : sent) {
                results.add(f.join());
            }
            // one commit per batch: the results of a batch are written together
            transactions.executeWithoutResult(tx -> record(results));
            total += batch.size();
        }
    }

    /**
     * Claims up to a batch of due deliveries. Only a bounded window of the oldest due rows is considered, so a
     * claim costs the same with 10 or 100,000 queued: a delivery is never due before the older pending ones of its
     * resource (a retry pushes them back, a new one starts no earlier, see {@link PartnerEvents}), so each window
     * holds the heads it needs; in-flight (leased) rows and paused or disabled subscriptions are not in it.
     */
    private List<Claimed> claim() {
        return jdbc.query("WITH candidates AS (SELECT d.id FROM partner_delivery d"
                + "   JOIN partner_subscription s ON s.id = d.subscription_id"
                + "   WHERE d.status = 'pending' AND d.next_attempt_at <= now() AND s.status = 'active'"
                + "   AND (d.lease_until IS NULL OR d.lease_until < now())"
                + "   ORDER BY d.next_attempt_at, d.id LIMIT ?),"
                + " due AS (SELECT d.id FROM partner_delivery d JOIN candidates c ON c.id = d.id"
                + "   WHERE d.status = 'pending' AND d.next_attempt_at <= now()"
                + "   AND (d.lease_until IS NULL OR d.lease_until < now())"
                + "   AND NOT EXISTS (SELECT 1 FROM partner_delivery e WHERE e.subscription_id = d.subscription_id"
                + "     AND e.resource_key = d.resource_key AND e.status = 'pending' AND e.id < d.id)"
                + "   ORDER BY d.next_attempt_at, d.id LIMIT ? FOR UPDATE OF d SKIP LOCKED),"
                + " leased AS (UPDATE partner_delivery d SET lease_until = now() + ? * interval '1 millisecond',"
                + "   attempts = d.attempts + 1 FROM due WHERE d.id = due.id"
                + "   RETURNING d.id, d.subscription_id, d.event_id, d.attempts, d.resource_key)"
                + " SELECT l.id, l.subscription_id, l.attempts, l.resource_key, s.partner_id, s.url, s.secret_enc,"
                + " s.previous_secret_enc, s.previous_secret_until, e.body, e.occurred_at"
                + " FROM leased l JOIN partner_subscription s ON s.id = l.subscription_id"
                + " JOIN partner_event e ON e.id = l.event_id ORDER BY l.id",
                (rs, i) -> {
                    Timestamp until = rs.getTimestamp("previous_secret_until");
                    return new Claimed(rs.getLong("id"), rs.getString("subscription_id"), rs.getString("partner_id"),
                            rs.getString("url"), rs.getString("secret_enc"), rs.getString("previous_secret_enc"),
                            until == null ? null : until.toInstant(), rs.getInt("attempts"), rs.getString("body"),
                            rs.getTimestamp("occurred_at").toInstant(), rs.getString("resource_key"));
                }, settings.getBatchSize() * 10, settings.getBatchSize(), settings.getLease().toMillis());
    }

    private CompletableFuture<Result> send(Claimed c) {
        long started = System.nanoTime();
        SsrfGuard.Target target;
        Map<String, String> headers;
        try {
            target = ssrf.check("url", c.url()); // the address may have changed since the subscription
            long ts = Instant.now().getEpochSecond();
            String msgId = webhookId(c.id());
            String signature = StandardWebhooks.sign(key(c.subscriptionId(), "secret_enc", c.secretEnc()), msgId, ts,
                    c.body());
            if (c.previousSecretEnc() != null && c.previousUntil() != null && c.previousUntil().isAfter(Instant.now())) {
                signature += " " + StandardWebhooks.sign(key(c.subscriptionId(), "previous_secret_enc",
                        c.previousSecretEnc()), msgId, ts, c.body());
            }
            headers = Map.of("User-Agent", "DevSkyy-Hub-Webhooks/1", "webhook-id", msgId,
                    "webhook-timestamp", Long.toString(ts), "webhook-signature", signature);
        } catch (ProblemException e) {
            return CompletableFuture.completedFuture(new Result(c, null, 0, "refused by the SSRF guard: "
                    + e.getMessage()));
        } catch (RuntimeException e) {
            return CompletableFuture.completedFuture(new Result(c, null, 0, e.toString()));
        }
        return http().post(target.uri(), headers, c.body(), settings.getTimeout())
                .handle((status, error) -> {
                    long ms = (System.nanoTime() - started) / 1_000_000;
                    if (error != null) {
                        Throwable cause = error.getCause() != null ? error.getCause() : error;
                        return new Result(c, null, ms, cause.getClass().getSimpleName() + ": " + cause.getMessage());
                    }
                    return new Result(c, status, ms, status >= 200 && status < 300 ? null : "HTTP " + status);
                });
    }

    private byte[] key(String subscription, String column, String stored) {
        return StandardWebhooks.key(crypto.decrypt(stored, FieldCrypto.aad("partner_subscription", column,
                subscription)));
    }

    /** Writes every result of a batch (attempt log, delivery state, subscription streak) in batched statements. */
    private void record(List<Result> results) {
        Instant now = Instant.now();
        List<Object[]> attempts = new ArrayList<>();
        List<Object[]> delivered = new ArrayList<>();
        List<Object[]> retried = new ArrayList<>();
        List<Object[]> dead = new ArrayList<>();
        List<Object[]> pushedBack = new ArrayList<>();
        Map<String, Integer> deadPerSubscription = new HashMap<>();
        Map<String, String> lastError = new HashMap<>();
        List<String> succeeded = new ArrayList<>();
        List<String> gone = new ArrayList<>();
        for (Result r : results) {
            Claimed c = r.delivery();
            String error = r.error() == null ? null : truncate(r.error());
            attempts.add(new Object[] {c.id(), c.attempt(), r.status(), (int) r.latencyMs(), error});
            if (r.ok()) {
                long lag = Math.max(0, Duration.between(c.occurredAt(), now).toMillis());
                delivered.add(new Object[] {r.status(), (int) r.latencyMs(), lag, c.id()});
                succeeded.add(c.subscriptionId());
                usage.delivered(c.partnerId(), Duration.ofMillis(lag));
                continue;
            }
            Instant next = now.plus(backoff(c.attempt()));
            boolean isDead = next.isAfter(c.occurredAt().plus(settings.getRetryWindow()));
            if (isDead) {
                dead.add(new Object[] {r.status(), (int) r.latencyMs(), error, c.id()});
                deadPerSubscription.merge(c.subscriptionId(), 1, Integer::sum);
                lastError.put(c.subscriptionId(), error);
                LOG.warn("Partner delivery {} to {} dead-lettered after {} attempts: {}", c.id(), c.subscriptionId(),
                        c.attempt(), error);
            } else {
                retried.add(new Object[] {r.status(), (int) r.latencyMs(), error, Timestamp.from(next), c.id()});
                pushedBack.add(new Object[] {Timestamp.from(next), c.subscriptionId(), c.resourceKey(), c.id()});
            }
            if (r.status() != null && r.status() == 410) {
                gone.add(c.subscriptionId());
            }
            usage.failed(c.partnerId(), isDead);
        }
        jdbc.batchUpdate("INSERT INTO partner_delivery_attempt (delivery_id, attempt, status_code, latency_ms, error)"
                + " VALUES (?, ?, ?, ?, ?) ON CONFLICT DO NOTHING", attempts);
        jdbc.batchUpdate("UPDATE partner_delivery SET status = 'delivered', last_status_code = ?, last_latency_ms = ?,"
                + " last_error = NULL, lag_ms = ?, delivered_at = now(), lease_until = NULL WHERE id = ?", delivered);
        jdbc.batchUpdate("UPDATE partner_delivery SET last_status_code = ?, last_latency_ms = ?, last_error = ?,"
                + " next_attempt_at = ?, lease_until = NULL WHERE id = ?", retried);
        // the resource's later deliveries wait for this one: not due before its retry
        jdbc.batchUpdate("UPDATE partner_delivery SET next_attempt_at = GREATEST(next_attempt_at, ?)"
                + " WHERE subscription_id = ? AND resource_key = ? AND status = 'pending' AND id > ?", pushedBack);
        jdbc.batchUpdate("UPDATE partner_delivery SET status = 'dead', last_status_code = ?, last_latency_ms = ?,"
                + " last_error = ?, lease_until = NULL WHERE id = ?", dead);
        for (String subscription : succeeded.stream().distinct().toList()) {
            if (!deadPerSubscription.containsKey(subscription)) {
                jdbc.update("UPDATE partner_subscription SET consecutive_dead = 0 WHERE id = ? AND consecutive_dead > 0",
                        subscription);
            }
        }
        for (var e : deadPerSubscription.entrySet()) {
            jdbc.update("UPDATE partner_subscription SET consecutive_dead = consecutive_dead + ?, updated_at = now(),"
                    + " status = CASE WHEN consecutive_dead + ? >= ? AND status = 'active' THEN 'disabled' ELSE status END,"
                    + " disabled_reason = CASE WHEN consecutive_dead + ? >= ? AND status = 'active' THEN ? ELSE"
                    + " disabled_reason END WHERE id = ?", e.getValue(), e.getValue(),
                    settings.getDisableAfterDeadLetters(), e.getValue(), settings.getDisableAfterDeadLetters(),
                    truncate("deliveries kept failing: " + settings.getDisableAfterDeadLetters()
                            + " dead letters in a row; last error: " + lastError.get(e.getKey())), e.getKey());
        }
        for (String subscription : gone.stream().distinct().toList()) {
            jdbc.update("UPDATE partner_subscription SET status = 'disabled', updated_at = now(),"
                    + " disabled_reason = 'the receiver answered 410 Gone' WHERE id = ? AND status = 'active'",
                    subscription);
        }
    }

    /** base · 2^(attempt-1), capped, with "equal jitter" (half fixed, half random), as the webhook inbox does. */
    Duration backoff(int attempt) {
        long base = settings.getBackoffBase().toMillis();
        long cap = settings.getBackoffMax().toMillis();
        long exp = Math.min(cap, base * (1L << Math.min(30, Math.max(0, attempt - 1))));
        long half = Math.max(1, exp / 2);
        return Duration.ofMillis(half + ThreadLocalRandom.current().nextLong(half + 1));
    }

    private static String truncate(String s) {
        return s == null || s.length() <= MAX_ERROR ? s : s.substring(0, MAX_ERROR);
    }

    @Override
    public void destroy() {
        GuardedHttp client = http;
        if (client != null) {
            client.close();
        }
    }
}
