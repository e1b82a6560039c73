package com.skyyrose.hub.assistants;

import com.skyyrose.hub.security.Principal;
import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.time.YearMonth;
import java.time.ZoneOffset;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.springframework.data.redis.core.StringRedisTemplate;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;

/**
 * What the OpenAI-compatible API used, per principal: one {@code llm_usage} row per completion (the record of
 * truth), and two Redis counters that make the budget checks cheap and shared by every instance — tokens in the
 * current minute, and USD this month (seeded from the table when Redis lost it).
 */
@Component
public class UsageLedger {

    private static final String TPM = "hub:assistants:tpm:";
    private static final String SPEND = "hub:assistants:spend:";

    private final JdbcTemplate jdbc;
    private final StringRedisTemplate redis;
    private final AssistantProperties props;

    public UsageLedger(JdbcTemplate jdbc, StringRedisTemplate redis, AssistantProperties props) {
        this.jdbc = jdbc;
        this.redis = redis;
        this.props = props;
    }

    /** Why a principal may not spend now, or null. */
    public record Refusal(String type, String message, long retryAfterSeconds) {
    }

    public AssistantProperties.Budget budget(Principal principal) {
        return principal.kind() == Principal.Kind.API_KEY ? props.getApiKey() : props.getUser();
    }

    /** Null when the principal is within its monthly USD budget and its tokens-per-minute limit. */
    public Refusal check(Principal principal) {
        AssistantProperties.Budget budget = budget(principal);
        if (budget.getTokensPerMinute() > 0) {
            long used = tokensThisMinute(principal.id());
            if (used >= budget.getTokensPerMinute()) {
                long secondsLeft = 60 - Instant.now().getEpochSecond() % 60;
                return new Refusal("tokens", "Token rate limit reached: " + used + " of "
                        + budget.getTokensPerMinute() + " tokens per minute used. Try again in " + secondsLeft
                        + " s.", secondsLeft);
            }
        }
        if (budget.getMonthlyUsd() > 0) {
            double spent = spentThisMonth(principal.id());
            if (spent >= budget.getMonthlyUsd()) {
                return new Refusal("insufficient_quota", String.format(java.util.Locale.ROOT,
                        "Monthly budget exhausted: %.4f of %.2f USD spent this month.", spent,
                        budget.getMonthlyUsd()), secondsToNextMonth());
            }
        }
        return null;
    }

    /** Records one completion and adds it to the minute's tokens and the month's spend. */
    public void record(Principal principal, String model, String provider, long in, long out, double costUsd,
            UUID roundTableId, UUID agentRunId) {
        jdbc.update("""
                INSERT INTO llm_usage (principal_id, principal_kind, model, provider, input_tokens, output_tokens,
                                       cost_usd, round_table_id, agent_run_id)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
                """, principal.id(), principal.kind().name().toLowerCase(java.util.Locale.ROOT), model, provider, in,
                out, BigDecimal.valueOf(costUsd), roundTableId, agentRunId);
        String minuteKey = TPM + principal.id() + ":" + Instant.now().getEpochSecond() / 60;
        redis.opsForValue().increment(minuteKey, in + out);
        redis.expire(minuteKey, Duration.ofSeconds(120));
        if (costUsd > 0) {
            String spendKey = spendKey(principal.id());
            if (Boolean.TRUE.equals(redis.hasKey(spendKey))) {
                redis.opsForValue().increment(spendKey, costUsd);
            } else {
                seedSpend(principal.id());
            }
        }
    }

    public long tokensThisMinute(String principalId) {
        String v = redis.opsForValue().get(TPM + principalId + ":" + Instant.now().getEpochSecond() / 60);
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
