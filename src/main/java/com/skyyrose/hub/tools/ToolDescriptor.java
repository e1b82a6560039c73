package com.skyyrose.hub.tools;

import com.fasterxml.jackson.databind.JsonNode;
import com.github.fge.jsonschema.main.JsonSchema;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What the registry knows about one tool. Read from a {@code *.tools.yml} file next to the tool's route
 * ({@code direct:tool-<name>}); a tool is listed only while its route is registered and started.
 *
 * @param severity {@code read_only}, {@code low}, {@code high} or {@code destructive} (approval is for risky ones)
 * @param parameters JSON Schema (draft 4) of the tool's arguments object
 * @param rateLimit at most {@code capacity} invocations per {@code period}, per caller
 * @param escalations rules that make one call riskier than the tool's default, by its arguments
 */
public record ToolDescriptor(String name, String description, String category, String severity,
        JsonNode parameters, String permission, Duration timeout, boolean idempotent, RateLimit rateLimit,
        String source, List<Escalation> escalations) {

    /** From least to most risky. */
    public static final List<String> SEVERITY_ORDER = List.of("read_only", "low", "high", "destructive");
    public static final Set<String> SEVERITIES = Set.copyOf(SEVERITY_ORDER);

    public record RateLimit(int capacity, Duration period) {
    }

    /**
     * When a call's arguments match {@code when} (a JSON Schema), the call is at least {@code severity} (so an agent's
     * call waits for approval from {@code high} on) and/or also needs {@code permission}; {@code reason} says why.
     * A tool whose risk depends on its arguments (a post that goes live, a job that writes to the shop) stays one
     * tool, and its default severity stays that of its harmless use.
     */
    public record Escalation(JsonNode when, JsonSchema schema, String severity, String permission, String reason) {

        public boolean matches(JsonNode arguments) {
            try {
                return arguments != null && schema.validInstance(arguments);
            } catch (Exception e) {
                return true; // a rule that cannot be evaluated counts as matching: fail towards more care
            }
        }

        Map<String, Object> toMap() {
            Map<String, Object> map = new LinkedHashMap<>();
            map.put("when", when);
            if (severity != null) {
                map.put("severity", severity);
            }
            if (permission != null) {
                map.put("permission", permission);
            }
            map.put("reason", reason);
            return map;
        }
    }

    /** The severity of one call: the tool's, raised by every escalation its arguments match. */
    public String severityFor(JsonNode arguments) {
        String result = severity;
        for (Escalation e : escalations) {
            if (e.severity() != null && e.matches(arguments)
                    && SEVERITY_ORDER.indexOf(e.severity()) > SEVERITY_ORDER.indexOf(result)) {
                result = e.severity();
            }
        }
        return result;
    }

    /** The permissions one call needs: the tool's, plus those of the escalations its arguments match. */
    public List<Escalation> permissionEscalations(JsonNode arguments) {
        List<Escalation> out = new ArrayList<>();
        for (Escalation e : escalations) {
            if (e.permission() != null && e.matches(arguments)) {
                out.add(e);
            }
        }
        return out;
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
        if (!escalations.isEmpty()) {
            map.put("escalations", escalations.stream().map(Escalation::toMap).toList());
        }
        return map;
    }
}
