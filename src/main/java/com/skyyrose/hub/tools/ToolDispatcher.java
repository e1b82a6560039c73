package com.skyyrose.hub.tools;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.github.fge.jsonschema.core.report.ProcessingMessage;
import com.github.fge.jsonschema.core.report.ProcessingReport;
import com.skyyrose.hub.api.Problem;
import com.skyyrose.hub.api.ProblemException;
import com.skyyrose.hub.api.ProblemType;
import com.skyyrose.hub.platform.RedisRateLimiter;
import com.skyyrose.hub.security.Principal;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.camel.Exchange;
import org.springframework.stereotype.Component;

/**
 * The checks around every tool invocation, whoever calls ({@code POST /api/v1/tools/{name}/invocations}, the 3D and
 * try-on endpoints, or a SuperAgent sending {@code {tool, arguments}} to {@code direct:tool-dispatch}):
 * the tool exists (whitelist for the router), the caller holds its permission (403), its rate limit (429 with
 * Retry-After), the arguments match its JSON Schema (400 naming the field). Then the router sends the arguments
 * (a JSON object) to {@code direct:tool-<name>}.
 */
@Component("toolDispatcher")
public class ToolDispatcher {

    /** Exchange property: the descriptor of the tool being invoked. */
    public static final String TOOL = "hub.tool";
    /** Exchange property: the route the router sends to (only set for a registered tool). */
    public static final String TOOL_ROUTE = "hub.toolRoute";
    /** Exchange property: System.nanoTime() by which the tool must have answered. */
    public static final String DEADLINE = "hub.toolDeadline";
    private static final String STARTED = "hub.toolStarted";

    private final ToolRegistry registry;
    private final RedisRateLimiter limiter;
    private final ObjectMapper json;
    private final MeterRegistry meters;

    public ToolDispatcher(ToolRegistry registry, RedisRateLimiter limiter, ObjectMapper json, MeterRegistry meters) {
        this.registry = registry;
        this.limiter = limiter;
        this.json = json;
        this.meters = meters;
    }

    /** Body {@code {tool, arguments}} (JSON bytes, String, Map or JsonNode) → arguments, with the tool checked. */
    public void prepare(Exchange exchange) {
        JsonNode request = toJson(exchange.getMessage().getBody());
        String name = request.path("tool").asText(null);
        ToolDescriptor tool = registry.find(name)
                .orElseThrow(() -> ProblemException.notFound("No tool named '" + name + "'."));
        JsonNode arguments = request.has("arguments") && !request.get("arguments").isNull()
                ? request.get("arguments") : json.createObjectNode();
        // every tool call has a caller: a user, a partner key, or a SYSTEM principal for internal flows
        Principal principal = Principal.current(exchange).orElseThrow(() -> new ProblemException(
                ProblemType.UNAUTHORIZED, 401, "Tool " + tool.name() + " was called without a caller."));
        if (!principal.has(tool.permission())) {
            count(tool, "forbidden");
            throw new ProblemException(ProblemType.FORBIDDEN, 403,
                    "Tool " + tool.name() + " needs the permission " + tool.permission() + ".");
        }
        // some arguments need more than the tool's own permission (e.g. a 3D job that writes to a shop product)
        for (ToolDescriptor.Escalation extra : tool.permissionEscalations(arguments)) {
            if (!principal.has(extra.permission())) {
                count(tool, "forbidden");
                throw new ProblemException(ProblemType.FORBIDDEN, 403, "Tool " + tool.name()
                        + " with these arguments also needs the permission " + extra.permission() + ": "
                        + extra.reason() + ".");
            }
        }
        String who = principal.id();
        RedisRateLimiter.Decision decision = limiter.tryAcquire("tool:" + tool.name() + ":" + who,
                new RedisRateLimiter.Limit(tool.rateLimit().capacity(), tool.rateLimit().period()));
        if (!decision.allowed()) {
            count(tool, "rate_limited");
            throw new ProblemException(Problem.of(ProblemType.RATE_LIMITED, 429, "Tool " + tool.name()
                    + " allows " + tool.rateLimit().capacity() + " calls per " + tool.rateLimit().period().toSeconds()
                    + " s; retry later.").withHeader("Retry-After", Long.toString(decision.retryAfterSeconds())));
        }
        validate(tool, arguments);
        exchange.setProperty(TOOL, tool);
        exchange.setProperty(TOOL_ROUTE, tool.endpointUri());
        exchange.setProperty(DEADLINE, System.nanoTime() + tool.timeout().toNanos());
        exchange.setProperty(STARTED, System.nanoTime());
        exchange.getMessage().setBody(arguments);
    }

    /** After the tool route: {@code {tool, result}}. */
    public Map<String, Object> succeeded(Exchange exchange) {
        ToolDescriptor tool = exchange.getProperty(TOOL, ToolDescriptor.class);
        record(exchange, tool, "success");
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("tool", tool.name());
        out.put("result", exchange.getMessage().getBody());
        return out;
    }

    /** In the router's catch: count the failure and let the exception go on to the caller. */
    public void failed(Exchange exchange) throws Exception {
        Exception error = exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Exception.class);
        ToolDescriptor tool = exchange.getProperty(TOOL, ToolDescriptor.class);
        if (tool != null) {
            String outcome = error instanceof ProblemException pe ? "error_" + pe.problem().status() : "error";
            record(exchange, tool, outcome);
        }
        throw error != null ? error : new IllegalStateException("tool failed without an exception");
    }

    /** REST {@code POST /api/v1/tools/{name}/invocations} body {@code {arguments}} → dispatch request. */
    public JsonNode invocationRequest(Exchange exchange) {
        JsonNode body = toJson(exchange.getMessage().getBody());
        ObjectNode request = json.createObjectNode();
        request.put("tool", exchange.getMessage().getHeader("name", String.class));
        request.set("arguments", body.path("arguments").isMissingNode() ? json.createObjectNode() : body.get("arguments"));
        return request;
    }

    /** A REST body that is itself the arguments of one tool (the 3D and try-on endpoints). */
    public JsonNode requestFor(String toolName, Exchange exchange) {
        ObjectNode request = json.createObjectNode();
        request.put("tool", toolName);
        request.set("arguments", toJson(exchange.getMessage().getBody()));
        return request;
    }

    private void validate(ToolDescriptor tool, JsonNode arguments) {
        ProcessingReport report;
        try {
            report = registry.schema(tool).validate(arguments, true);
        } catch (Exception e) {
            throw new IllegalStateException("cannot validate arguments of " + tool.name(), e);
        }
        if (report.isSuccess()) {
            return;
        }
        List<Problem.FieldError> errors = new ArrayList<>();
        for (ProcessingMessage message : report) {
            JsonNode m = message.asJson();
            String pointer = m.path("instance").path("pointer").asText("");
            if (m.has("missing")) {
                for (JsonNode missing : m.get("missing")) {
                    errors.add(new Problem.FieldError("/arguments" + pointer + "/" + missing.asText(), "is required"));
                }
            } else if (m.has("unwanted")) {
                for (JsonNode unwanted : m.get("unwanted")) {
                    errors.add(new Problem.FieldError("/arguments" + pointer + "/" + unwanted.asText(),
                            "is not an allowed argument"));
                }
            } else {
                errors.add(new Problem.FieldError("/arguments" + pointer, message.getMessage()));
            }
        }
        count(tool, "invalid");
        String detail = errors.stream().map(e -> e.field() + ": " + e.message()).reduce((a, b) -> a + "; " + b)
                .orElse("arguments do not match the tool's schema");
        throw new ProblemException(Problem.of(ProblemType.VALIDATION_FAILED, 400, detail).withErrors(errors));
    }

    private JsonNode toJson(Object body) {
        try {
            if (body instanceof JsonNode node) {
                return node;
            }
            if (body instanceof byte[] bytes) {
                return bytes.length == 0 ? json.createObjectNode() : json.readTree(bytes);
            }
            if (body instanceof String text) {
                return text.isBlank() ? json.createObjectNode() : json.readTree(text);
            }
            if (body == null) {
                return json.createObjectNode();
            }
            return json.valueToTree(body);
        } catch (Exception e) {
            throw ProblemException.badRequest("body", "is not a JSON object");
        }
    }

    private void record(Exchange exchange, ToolDescriptor tool, String outcome) {
        Long started = exchange.getProperty(STARTED, Long.class);
        if (started != null) {
            Timer.builder("hub.tools.invocations").description("Tool invocations by tool and outcome")
                    .tag("tool", tool.name()).tag("connector", connector(tool)).tag("outcome", outcome)
                    .register(meters).record(System.nanoTime() - started, java.util.concurrent.TimeUnit.NANOSECONDS);
        }
    }

    private void count(ToolDescriptor tool, String outcome) {
        meters.counter("hub.tools.rejected", "tool", tool.name(), "connector", connector(tool), "reason", outcome)
                .increment();
    }

    private static String connector(ToolDescriptor tool) {
        return tool.name().substring(0, tool.name().indexOf('.'));
    }
}
