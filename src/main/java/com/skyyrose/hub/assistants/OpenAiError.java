package com.skyyrose.hub.assistants;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * An error of the OpenAI-compatible API, answered in OpenAI's shape
 * {@code {"error":{"message","type","param","code"}}} so SDKs raise their usual exceptions.
 */
public class OpenAiError extends RuntimeException {

    private final int status;
    private final String type;
    private final String code;
    private final String param;
    private final Map<String, String> headers = new LinkedHashMap<>();

    public OpenAiError(int status, String type, String code, String param, String message) {
        super(message);
        this.status = status;
        this.type = type;
        this.code = code;
        this.param = param;
    }

    public static OpenAiError invalid(String param, String code, String message) {
        return new OpenAiError(400, "invalid_request_error", code, param, message);
    }

    public OpenAiError withHeader(String name, String value) {
        headers.put(name, value);
        return this;
    }

    public int status() {
        return status;
    }

    public Map<String, String> headers() {
        return headers;
    }

    public Map<String, Object> body() {
        Map<String, Object> error = new LinkedHashMap<>();
        error.put("message", getMessage());
        error.put("type", type);
        error.put("param", param);
        error.put("code", code);
        return Map.of("error", error);
    }
}
