package com.skyyrose.hub.tools;

import com.fasterxml.jackson.databind.JsonNode;
import com.skyyrose.hub.api.Problem;
import com.skyyrose.hub.api.ProblemException;
import com.skyyrose.hub.api.ProblemType;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.camel.Exchange;

/** What every connector bean shares: arguments and deadline from the exchange, vendor errors as hub problems. */
abstract class Connector {

    protected final VendorHttp http;
    private final String displayName;
    private final String configHint;

    protected Connector(VendorHttp http, String displayName, String configHint) {
        this.http = http;
        this.displayName = displayName;
        this.configHint = configHint;
    }

    /**
     * The vendor's authentication on a request a YAML tool route builds (routes/tools/rest-tools.camel.yaml):
     * connectors that serve such routes override it.
     */
    VendorHttp.Request authorizeRequest(VendorHttp.Request request) {
        throw new ProblemException(ProblemType.UNAVAILABLE, 503, displayName + " cannot be called from a tool route");
    }

    String displayName() {
        return displayName;
    }

    protected static JsonNode args(Exchange exchange) {
        JsonNode args = exchange.getMessage().getBody(JsonNode.class);
        if (args == null) {
            throw new IllegalStateException("tool route received no JSON arguments");
        }
        return args;
    }

    /** The tool's deadline (set by the dispatcher), or the connector's read timeout times 4 outside a tool call. */
    protected long deadline(Exchange exchange) {
        Long deadline = exchange == null ? null : exchange.getProperty(ToolDispatcher.DEADLINE, Long.class);
        return deadline != null ? deadline
                : System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(http.settings().readTimeout().toMillis() * 4);
    }

    protected void requireConfigured() {
        if (!http.configured()) {
            throw new ProblemException(ProblemType.UNAVAILABLE, 503,
                    displayName + " is not configured (set " + configHint + ").");
        }
    }

    protected static String query(Map<String, String> params) {
        if (params.isEmpty()) {
            return "";
        }
        StringBuilder q = new StringBuilder("?");
        params.forEach((k, v) -> q.append(q.length() > 1 ? "&" : "").append(enc(k)).append('=').append(enc(v)));
        return q.toString();
    }

    protected static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20").replace("*", "%2A").replace("%7E", "~");
    }

    /**
     * WordPress-style error bodies {@code {code, message, data:{status, params?}}} as hub problems: 404 stays 404,
     * the vendor's 400 names the offending arguments, 429 keeps Retry-After, credentials and server failures are
     * upstream failures (502) since the caller cannot fix them.
     */
    protected ProblemException vendorError(VendorHttp.Response response, JsonNode body) {
        String code = body == null ? null : body.path("code").asText(null);
        String message = body == null ? null : body.path("message").asText(null);
        if (message == null && body != null && body.has("error")) {
            JsonNode error = body.get("error");
            message = error.isTextual() ? error.asText() : error.path("message").asText(null);
            code = error.isObject() ? error.path("name").asText(code) : code;
        }
        String what = displayName + (message == null ? " answered HTTP " + response.status() : ": " + message)
                + (code == null ? "" : " (" + code + ")");
        int status = response.status();
        Problem problem;
        if (status == 404) {
            problem = Problem.of(ProblemType.NOT_FOUND, 404, what);
        } else if (status == 400) {
            List<Problem.FieldError> errors = new ArrayList<>();
            JsonNode params = body == null ? null : body.path("data").path("params");
            if (params != null && params.isObject()) {
                for (Iterator<Map.Entry<String, JsonNode>> it = params.fields(); it.hasNext(); ) {
                    Map.Entry<String, JsonNode> e = it.next();
                    errors.add(new Problem.FieldError("/arguments/" + e.getKey(), e.getValue().asText()));
                }
            }
            problem = Problem.of(ProblemType.VALIDATION_FAILED, 400, what).withErrors(errors);
        } else if (status == 429) {
            problem = Problem.of(ProblemType.RATE_LIMITED, 429, what);
            String retryAfter = response.header("Retry-After");
            problem = problem.withHeader("Retry-After", retryAfter != null ? retryAfter : "30");
        } else if (status == 401 || status == 403) {
            problem = Problem.of(ProblemType.UPSTREAM_FAILED, 502, displayName
                    + " refused the hub's credentials: " + (message == null ? "HTTP " + status : message)
                    + (code == null ? "" : " (" + code + ")"));
        } else if (status == 409) {
            problem = Problem.of(ProblemType.CONFLICT, 409, what);
        } else {
            problem = Problem.of(ProblemType.UPSTREAM_FAILED, 502, what);
        }
        problem = problem.with("vendor_status", status);
        if (code != null) {
            problem = problem.with("vendor_code", code);
        }
        return new ProblemException(problem);
    }

    /** The JSON body of a 2xx response, else the mapped vendor error. */
    protected JsonNode expectOk(VendorHttp.Response response) {
        if (response.ok()) {
            return http.json(response);
        }
        JsonNode body;
        try {
            body = http.mapper().readTree(response.body());
        } catch (Exception e) {
            body = null;
        }
        throw vendorError(response, body);
    }
}
