package com.skyyrose.hub.support;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Optional;

/** A small HTTP client for tests: real requests over loopback, JSON parsed on demand. */
public final class TestHttp {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient CLIENT = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private final String base;

    public TestHttp(String base) {
        this.base = base;
    }

    /** One response: status, headers and body, with the body as JSON when asked. */
    public record Reply(int status, java.net.http.HttpHeaders headers, String body) {
        public JsonNode json() {
            try {
                return JSON.readTree(body);
            } catch (IOException e) {
                throw new AssertionError("not JSON (" + status + "): " + body, e);
            }
        }

        public Optional<String> header(String name) {
            return headers.firstValue(name);
        }

        public String contentType() {
            return header("Content-Type").orElse("");
        }
    }

    public String base() {
        return base;
    }

    public HttpRequest.Builder request(String path) {
        return HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(30));
    }

    public Reply get(String path, String... headers) {
        HttpRequest.Builder b = request(path).GET();
        withHeaders(b, headers);
        return send(b.build());
    }

    public Reply post(String path, String contentType, String body, String... headers) {
        HttpRequest.Builder b = request(path).POST(HttpRequest.BodyPublishers.ofString(body))
                .header("Content-Type", contentType);
        withHeaders(b, headers);
        return send(b.build());
    }

    public Reply postJson(String path, String json, String... headers) {
        return post(path, "application/json", json, headers);
    }

    public Reply method(String method, String path, String... headers) {
        HttpRequest.Builder b = request(path).method(method, HttpRequest.BodyPublishers.noBody());
        withHeaders(b, headers);
        return send(b.build());
    }

    public Reply send(HttpRequest request) {
        try {
            HttpResponse<String> r = CLIENT.send(request, HttpResponse.BodyHandlers.ofString());
            return new Reply(r.statusCode(), r.headers(), r.body());
        } catch (IOException e) {
            throw new AssertionError("request failed: " + request.uri(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted", e);
        }
    }

    private static void withHeaders(HttpRequest.Builder b, String... headers) {
        for (int i = 0; i + 1 < headers.length; i += 2) {
            b.header(headers[i], headers[i + 1]);
        }
    }

    public static ObjectMapper json() {
        return JSON;
    }
}
