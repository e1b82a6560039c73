package com.skyyrose.hub.api;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * An RFC 9457 problem document. {@code type} is stable per error kind (see {@link ProblemType}); {@code requestId}
 * ties it to the log line and the {@code X-Request-Id} header.
 */
public record Problem(ProblemType type, int status, String title, String detail, String instance, String requestId,
        List<FieldError> errors, Map<String, Object> extensions, Map<String, String> headers) {

    public static final String MEDIA_TYPE = "application/problem+json";

    /** One offending input: a JSON pointer or parameter name, and what is wrong with it. */
    public record FieldError(String field, String message) {
    }

    public static Problem of(ProblemType type, int status, String detail) {
        return new Problem(type, status, type.title(), detail, null, null, List.of(), Map.of(), Map.of());
    }

    public Problem withRequest(String instance, String requestId) {
        return new Problem(type, status, title, detail, instance, requestId, errors, extensions, headers);
    }

    public Problem withErrors(List<FieldError> fieldErrors) {
        return new Problem(type, status, title, detail, instance, requestId, List.copyOf(fieldErrors), extensions,
                headers);
    }

    public Problem with(String key, Object value) {
        Map<String, Object> more = new LinkedHashMap<>(extensions);
        more.put(key, value);
        return new Problem(type, status, title, detail, instance, requestId, errors, more, headers);
    }

    /** A response header that goes with this problem ({@code WWW-Authenticate}, {@code Retry-After}...). */
    public Problem withHeader(String name, String value) {
        Map<String, String> more = new LinkedHashMap<>(headers);
        more.put(name, value);
        return new Problem(type, status, title, detail, instance, requestId, errors, extensions, more);
    }

    public Map<String, Object> toMap() {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("type", type.uri());
        body.put("title", title);
        body.put("status", status);
        if (detail != null) {
            body.put("detail", detail);
        }
        if (instance != null) {
            body.put("instance", instance);
        }
        if (requestId != null) {
            body.put("requestId", requestId);
        }
        if (!errors.isEmpty()) {
            body.put("errors", errors.stream().map(e -> {
                Map<String, Object> error = new LinkedHashMap<>();
                error.put("field", e.field());
                error.put("message", e.message());
                return error;
            }).toList());
        }
        extensions.forEach(body::putIfAbsent);
        return body;
    }
}
