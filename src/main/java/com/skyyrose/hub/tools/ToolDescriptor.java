package com.skyyrose.hub.tools;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * What the registry knows about one tool. Read from a {@code *.tools.yml} file next to the tool's route
 * ({@code direct:tool-<name>}); a tool is listed only while its route is registered and started.
 *
 * @param severity {@code read_only}, {@code low}, {@code high} or {@code destructive} (approval is for risky ones)
 * @param parameters JSON Schema (draft 4) of the tool's arguments object
 * @param rateLimit at most {@code capacity} invocations per {@code period}, per caller
 */
public record ToolDescriptor(String name, String description, String category, String severity,
        JsonNode parameters, String permission, Duration timeout, boolean idempotent, RateLimit rateLimit,
        String source) {

    public static final Set<String> SEVERITIES = Set.of("read_only", "low", "high", "destructive");

    public record RateLimit(int capacity, Duration period) {
    }

    /** The route serving the tool. */
    public String endpointUri() {
        return "direct:tool-" + name;
    }

    public Map<String, Object> toMap() {
        Map<String, Object> map = new LinkedHashMap<>();
        map.put("name", name);
        map.put("description", description);
        map.put("category", category);
        map.put("severity", severity);
        map.put("permission", permission);
        map.put("timeout_ms", timeout.toMillis());
        map.put("idempotent", idempotent);
        map.put("rate_limit", Map.of("capacity", rateLimit.capacity(), "period_seconds", rateLimit.period().toSeconds()));
        map.put("parameters", parameters);
        return map;
    }
}
