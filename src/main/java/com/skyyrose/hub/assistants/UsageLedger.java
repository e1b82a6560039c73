package com.skyyrose.hub.assistants;

import com.skyyrose.hub.security.Principal;
import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.time.YearMonth;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import jakarta.annotation.PreDestroy;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.data.redis.core.script.DefaultRedisScript;
import org.springframework.data.redis.core.script.RedisScript;
import org.springframework.data.redis.core.StringRedisTemplate;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;

/**
 * What the OpenAI-compatible API used, per principal: one {@code llm_usage} row per completion (the record of
 * truth, written in groups by one writer thread so a completion does not wait for its own insert; a crash loses at
 * most the rows of the last fraction of a second, which the Redis counters already counted), and two Redis counters that make the budget checks cheap and shared by every instance — tokens in the
 * current minute, and USD this month (seeded from the table when Redis lost it).
 */
@Component
public class UsageLedger {

    private static final Logger LOG = LoggerFactory.getLogger(UsageLedger.class);
    private static final String TPM = "hub:assistants:tpm:";
    private static final String SPEND = "hub:assistants:spend:";

    private final JdbcTemplate jdbc;
    private final StringRedisTemplate redis;
    private final AssistantProperties props;

    private final Writer writer = new Writer();
    private final Thread writerThread;

    public UsageLedger(JdbcTemplate jdbc, StringRedisTemplate redis, AssistantProperties props) {
        this.jdbc = jdbc;
        this.redis = redis;
        this.props = props;
        this.writerThread = new Thread(writer, "llm-usage-writer");
        writerThread.setDaemon(true);
        writerThread.start();
    }

    /** Why a principal may not spend now, or null. */
    public record Refusal(String type, String message, long retryAfterSeconds) {
    }

    public AssistantProperties.Budget budget(Principal principal) {
        return principal.kind() == Principal.Kind.API_KEY ? props.getApiKey() : props.getUser();
    }

    /**
     * Null when the principal is within its monthly USD budget and its tokens-per-minute limit. Both counters are read
     * in one round trip (MGET).
     */
    public Refusal check(Principal principal) {
        AssistantProperties.Budget budget = budget(principal);
        boolean tokens = budget.getTokensPerMinute() > 0;
        boolean usd = budget.getMonthlyUsd() > 0;
        if (!tokens && !usd) {
            return null;
        }
        List<String> values = redis.opsForValue().multiGet(List.of(minuteKey(principal.id()),
                spendKey(principal.id())));
        if (tokens) {
            String v = values == null ? null : values.get(0);
            long used = v == null ? 0 : Long.parseLong(v);
            if (used >= budget.getTokensPerMinute()) {
                long secondsLeft = 60 - Instant.now().getEpochSecond() % 60;
                return new Refusal("tokens", "Token rate limit reached: " + used + " of "
                        + budget.getTokensPerMinute() + " tokens per minute used. Try again in " + secondsLeft
                        + " s.", secondsLeft);
            }
        }
        if (usd) {
            String v = values == null ? null : values.get(1);
            double spent = v != null ? Double.parseDouble(v) : seedSpend(principal.id());
            if (spent >= budget.getMonthlyUsd()) {
                return new Refusal("insufficient_quota", String.format(java.util.Locale.ROOT,
                        "Monthly budget exhausted: %.4f of %.2f USD spent this month.", spent,
                        budget.getMonthlyUsd()), secondsToNextMonth());
            }
        }
        return null;
    }

    private static String minuteKey(String principalId) {
        return TPM + principalId + ":" + Instant.now().getEpochSecond() / 60;
    }

    /**
     * Records one completion: the minute's tokens and the month's spend in Redis at once (one script, what the budget
     * checks read), the {@code llm_usage} row through the batching writer (rows are grouped into one insert; a
     * report or a re-seed of the spend flushes it first).
     */
    public void record(Principal principal, String model, String provider, long in, long out, double costUsd,
            UUID roundTableId, UUID agentRunId) {
        Long counted = redis.execute(COUNT, List.of(minuteKey(principal.id()), spendKey(principal.id())), Long.toString(in + out),
                Double.toString(costUsd));
        // counted before the row is queued: once a report shows the row, the budget counters hold it too
        writer.add(new Row(principal.id(), principal.kind().name().toLowerCase(java.util.Locale.ROOT), model,
                provider, in, out, costUsd, roundTableId, agentRunId));
        if (counted != null && counted == 0) {
            // the month's spend is not in Redis (new month, or Redis lost it): the table has it, this row included
            seedSpend(principal.id());
        }
    }

    /** One {@code llm_usage} row waiting for the writer. */
    private record Row(String principalId, String kind, String model, String provider, long in, long out,
            double costUsd, UUID roundTableId, UUID agentRunId) {
    }

    // KEYS: minute tokens, month spend; ARGV: tokens, cost. Returns 0 when the spend key must be seeded from the table.
    private static final RedisScript<Long> COUNT = new DefaultRedisScript<>("""
            redis.call('INCRBY', KEYS[1], ARGV[1])
            redis.call('EXPIRE', KEYS[1], 120)
            if tonumber(ARGV[2]) > 0 then
              if redis.call('EXISTS', KEYS[2]) == 1 then
                redis.call('INCRBYFLOAT', KEYS[2], ARGV[2])
              else
                return 0
              end
            end
            return 1
            """, Long.class);

    /** Writes waiting rows, grouped; {@link #flush} makes every row recorded so far visible in the table. */
    private final class Writer implements Runnable {
        private final LinkedBlockingQueue<Row> queue = new LinkedBlockingQueue<>(100_000);
        private final Object lock = new Object();
        private volatile boolean running = true;

        void add(Row row) {
            if (!queue.offer(row)) {
                // the database is far behind: write this one on the caller's thread rather than lose it
                write(List.of(row));
            }
        }

        @Override
        public void run() {
            while (running) {
                try {
                    Row first = queue.poll(200, TimeUnit.MILLISECONDS);
                    if (first != null) {
                        synchronized (lock) {
                            List<Row> batch = new ArrayList<>();
                            batch.add(first);
                            queue.drainTo(batch, 499);
                            write(batch);
                        }
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                } catch (RuntimeException e) {
                    LOG.error("llm_usage writer: {}", e.toString());
                }
            }
        }

        void flush() {
            synchronized (lock) {
                List<Row> batch = new ArrayList<>();
                queue.drainTo(batch);
                if (!batch.isEmpty()) {
                    write(batch);
                }
            }
        }

        private void write(List<Row> batch) {
            for (int attempt = 1; ; attempt++) {
                try {
                    jdbc.batchUpdate("""
                            INSERT INTO llm_usage (principal_id, principal_kind, model, provider, input_tokens,
                                                   output_tokens, cost_usd, round_table_id, agent_run_id)
                            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
                            """, batch, batch.size(), (ps, r) -> {
                                ps.setString(1, r.principalId());
                                ps.setString(2, r.kind());
                                ps.setString(3, r.model());
                                ps.setString(4, r.provider());
                                ps.setLong(5, r.in());
                                ps.setLong(6, r.out());
                                ps.setBigDecimal(7, BigDecimal.valueOf(r.costUsd()));
                                ps.setObject(8, r.roundTableId());
                                ps.setObject(9, r.agentRunId());
                            });
                    return;
                } catch (RuntimeException e) {
                    if (attempt >= 3) {
                        LOG.error("llm_usage: {} rows not written after {} attempts: {}", batch.size(), attempt,
                                e.toString());
                        return;
                    }
                    try {
                        Thread.sleep(500L * attempt);
                    } catch (InterruptedException interrupted) {
                        Thread.currentThread().interrupt();
                        return;
                    }
                }
            }
        }
    }

    /** Writes every row recorded so far on this instance. */
    public void flush() {
        writer.flush();
    }

    @PreDestroy
    void stop() {
        writer.running = false;
        writerThread.interrupt();
        writer.flush();
    }

    public long tokensThisMinute(String principalId) {
        String v = redis.opsForValue().get(minuteKey(principalId));
        return v == null ? 0 : Long.parseLong(v);
    }

    public double spentThisMonth(String principalId) {
        String v = redis.opsForValue().get(spendKey(principalId));
        return v != null ? Double.parseDouble(v) : seedSpend(principalId);
    }

    /** GET /api/v1/usage (route get-usage): the caller's report. */
    public Map<String, Object> usage(org.apache.camel.Exchange exchange) {
        return report(Principal.current(exchange).orElseThrow());
    }

    /** GET /api/v1/usage: this month's spend, tokens and requests per model, the budget and the minute's tokens. */
    public Map<String, Object> report(Principal principal) {
        flush();
        YearMonth month = YearMonth.now(ZoneOffset.UTC);
        List<Map<String, Object>> byModel = jdbc.query("""
                SELECT model, count(*) AS requests, sum(input_tokens) AS input_tokens,
                       sum(output_tokens) AS output_tokens, sum(cost_usd) AS cost_usd
                  FROM llm_usage WHERE principal_id = ? AND created_at >= date_trunc('month', now() AT TIME ZONE 'UTC')
                       AT TIME ZONE 'UTC'
                 GROUP BY model ORDER BY model
                """, (rs, i) -> {
                    Map<String, Object> row = new LinkedHashMap<>();
                    row.put("model", rs.getString("model"));
                    row.put("requests", rs.getLong("requests"));
                    row.put("input_tokens", rs.getLong("input_tokens"));
                    row.put("output_tokens", rs.getLong("output_tokens"));
                    row.put("cost_usd", rs.getBigDecimal("cost_usd").doubleValue());
                    return row;
                }, principal.id());
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("principal_id", principal.id());
        out.put("principal_kind", principal.kind().name().toLowerCase(java.util.Locale.ROOT));
        out.put("month", month.toString());
        out.put("requests", byModel.stream().mapToLong(r -> (Long) r.get("requests")).sum());
        out.put("input_tokens", byModel.stream().mapToLong(r -> (Long) r.get("input_tokens")).sum());
        out.put("output_tokens", byModel.stream().mapToLong(r -> (Long) r.get("output_tokens")).sum());
        out.put("cost_usd", Math.round(byModel.stream().mapToDouble(r -> (Double) r.get("cost_usd")).sum() * 1e8)
                / 1e8);
        out.put("tokens_this_minute", tokensThisMinute(principal.id()));
        AssistantProperties.Budget budget = budget(principal);
        Map<String, Object> limits = new LinkedHashMap<>();
        limits.put("monthly_usd", budget.getMonthlyUsd() > 0 ? budget.getMonthlyUsd() : null);
        limits.put("tokens_per_minute", budget.getTokensPerMinute() > 0 ? budget.getTokensPerMinute() : null);
        out.put("budget", limits);
        out.put("by_model", byModel);
        return out;
    }

    private double seedSpend(String principalId) {
        flush();
        BigDecimal spent = jdbc.queryForObject("""
                SELECT coalesce(sum(cost_usd), 0) FROM llm_usage
                 WHERE principal_id = ? AND created_at >= date_trunc('month', now() AT TIME ZONE 'UTC') AT TIME ZONE 'UTC'
                """, BigDecimal.class, principalId);
        double value = spent == null ? 0 : spent.doubleValue();
        redis.opsForValue().set(spendKey(principalId), Double.toString(value),
                Duration.ofSeconds(secondsToNextMonth() + 60));
        return value;
    }

    private static String spendKey(String principalId) {
        return SPEND + principalId + ":" + YearMonth.now(ZoneOffset.UTC);
    }

    private static long secondsToNextMonth() {
        Instant next = YearMonth.now(ZoneOffset.UTC).plusMonths(1).atDay(1).atStartOfDay().toInstant(ZoneOffset.UTC);
        return Math.max(1, Duration.between(Instant.now(), next).getSeconds());
    }
}
