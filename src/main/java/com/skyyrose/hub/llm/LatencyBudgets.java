package com.skyyrose.hub.llm;

import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Latency budgets from history: each provider's recent p95 (late and timed-out calls counted at their latency so
 * far, over the providers endpoint's window) against the median p95 of the other providers. A provider is
 * {@code slow} when its p95 exceeds both {@code factor} × and {@code margin} + that reference: far above the
 * others, not merely a little slower.
 */
final class LatencyBudgets {

    /** One provider's budget; nulls when it or the others have too few recent calls to judge. */
    record Budget(Long p95Ms, Long referenceMs, Long budgetMs, boolean slow) {

        Map<String, Object> asMap() {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("p95_ms", p95Ms);
            m.put("reference_ms", referenceMs);
            m.put("budget_ms", budgetMs);
            m.put("slow", slow);
            return m;
        }
    }

    private LatencyBudgets() {
    }

    /** Budgets of {@code providers} from their {@link RoundTableStore#recent} figures. */
    static Map<String, Budget> of(Collection<String> providers, Map<String, Map<String, Object>> recent,
            LlmProperties.LatencyBudget policy) {
        Map<String, Long> p95 = new LinkedHashMap<>();
        for (String id : providers) {
            Map<String, Object> r = recent.get(id);
            if (r != null && r.get("latency_ms_p95_with_late") instanceof Number n && r.get("calls") instanceof Number c
                    && c.longValue() >= policy.getMinimumCalls()) {
                p95.put(id, n.longValue());
            }
        }
        Map<String, Budget> out = new LinkedHashMap<>();
        for (String id : providers) {
            Long own = p95.get(id);
            List<Long> others = new ArrayList<>();
            p95.forEach((other, v) -> {
                if (!other.equals(id)) {
                    others.add(v);
                }
            });
            if (own == null || others.isEmpty()) {
                out.put(id, new Budget(own, null, null, false));
                continue;
            }
            long reference = median(others);
            long budget = Math.max(Math.round(reference * policy.getFactor()),
                    reference + policy.getMargin().toMillis());
            out.put(id, new Budget(own, reference, budget, own > budget));
        }
        return out;
    }

    static long median(List<Long> values) {
        List<Long> sorted = values.stream().sorted().toList();
        int n = sorted.size();
        return n % 2 == 1 ? sorted.get(n / 2) : Math.round((sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2.0);
    }
}
