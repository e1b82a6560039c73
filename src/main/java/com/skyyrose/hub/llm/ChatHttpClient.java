package com.skyyrose.hub.llm;

import dev.langchain4j.exception.HttpException;
import dev.langchain4j.http.client.HttpClient;
import dev.langchain4j.http.client.HttpClientBuilder;
import dev.langchain4j.http.client.HttpRequest;
import dev.langchain4j.http.client.SuccessfulHttpResponse;
import dev.langchain4j.http.client.sse.ServerSentEventListener;
import dev.langchain4j.http.client.sse.ServerSentEventParser;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.Locale;
import java.util.Set;

/**
 * The HTTP client under every langchain4j provider model: JDK HTTP, one attempt bounded by the round's deadline
 * (set per calling thread with {@link #withDeadline}). Retries are the provider route's (the routeConfiguration
 * {@code llm-provider-retries} in routes/round-table/llm-providers.camel.yaml); this client only tells them what
 * langchain4j's exceptions lose: whether the failure is retryable (429, 5xx, connection) and the vendor's
 * {@code Retry-After}. langchain4j's own retries are off ({@code maxRetries(0)}).
 */
public final class ChatHttpClient implements HttpClient {

    private static final Set<String> RESTRICTED = Set.of("content-length", "host", "connection", "upgrade",
            "expect", "te", "trailer", "transfer-encoding");
    private static final ThreadLocal<Long> DEADLINE = new ThreadLocal<>();

    /** One JDK client for every provider model (HTTP/1.1: the fakes and some local servers speak only that). */
    private static final java.net.http.HttpClient JDK = java.net.http.HttpClient.newBuilder()
            .connectTimeout(Duration.ofSeconds(5))
            .version(java.net.http.HttpClient.Version.HTTP_1_1)
            .build();

    private final java.net.http.HttpClient jdk;
    private final Duration readTimeout;

    ChatHttpClient(java.net.http.HttpClient jdk, Duration readTimeout) {
        this.jdk = jdk;
        this.readTimeout = readTimeout;
    }

    /** Runs {@code call} with calls on this thread bounded by {@code deadlineNanos} (System.nanoTime based). */
    static <T> T withDeadline(long deadlineNanos, java.util.function.Supplier<T> call) {
        Long previous = DEADLINE.get();
        DEADLINE.set(deadlineNanos);
        try {
            return call.get();
        } finally {
            if (previous == null) {
                DEADLINE.remove();
            } else {
                DEADLINE.set(previous);
            }
        }
    }

    /** A 429 or 5xx answer: worth another attempt, after the vendor's {@code Retry-After} if it sent one. */
    public static final class RetryableFailure extends HttpException {
        private final Duration retryAfter;

        RetryableFailure(int status, String body, Duration retryAfter) {
            super(status, body);
            this.retryAfter = retryAfter;
        }

        /** The vendor's Retry-After, or null. */
        public Duration retryAfter() {
            return retryAfter;
        }
    }

    @Override
    public SuccessfulHttpResponse execute(HttpRequest request) {
        Duration remaining = remaining();
        if (remaining.isNegative() || remaining.isZero()) {
            throw new HttpException(504, "deadline reached before the call");
        }
        return once(request, min(readTimeout, remaining));
    }

    /** A connection-level failure (refused, reset, read timeout). */
    public static final class ConnectionFailure extends RuntimeException {
        ConnectionFailure(String message, Throwable cause) {
            super(message, cause);
        }
    }

    private SuccessfulHttpResponse once(HttpRequest request, Duration timeout) {
        java.net.http.HttpRequest.Builder b = java.net.http.HttpRequest.newBuilder(URI.create(request.url()))
                .timeout(timeout);
        request.headers().forEach((name, values) -> {
            if (!RESTRICTED.contains(name.toLowerCase(Locale.ROOT))) {
                values.forEach(v -> b.header(name, v));
            }
        });
        // the GenAI span of this call (current on this thread) continues at the vendor
        com.skyyrose.hub.observability.TraceHeaders.inject(b::header);
        String body = request.body();
        b.method(request.method().name(), body == null ? java.net.http.HttpRequest.BodyPublishers.noBody()
                : java.net.http.HttpRequest.BodyPublishers.ofString(body));
        HttpResponse<String> response;
        try {
            response = jdk.send(b.build(), HttpResponse.BodyHandlers.ofString());
        } catch (java.net.http.HttpTimeoutException e) {
            throw new ConnectionFailure("timeout", e);
        } catch (IOException e) {
            throw new ConnectionFailure("connection failed: " + e.getClass().getSimpleName()
                    + (e.getMessage() == null ? "" : " " + e.getMessage()), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ConnectionFailure("interrupted", e);
        }
        int status = response.statusCode();
        if (status >= 200 && status < 300) {
            return SuccessfulHttpResponse.builder().statusCode(status).headers(response.headers().map())
                    .body(response.body()).build();
        }
        if (status == 429 || status >= 500) {
            throw new RetryableFailure(status, response.body(),
                    retryAfter(response.headers().firstValue("retry-after").orElse(null)));
        }
        throw new HttpException(status, response.body());
    }

    static Duration retryAfter(String value) {
        if (value == null || value.isBlank()) {
            return null;
        }
        try {
            return Duration.ofMillis((long) (Double.parseDouble(value.trim()) * 1000));
        } catch (NumberFormatException e) {
            try {
                ZonedDateTime at = ZonedDateTime.parse(value.trim(), DateTimeFormatter.RFC_1123_DATE_TIME);
                Duration d = Duration.between(ZonedDateTime.now(at.getZone()), at);
                return d.isNegative() ? Duration.ZERO : d;
            } catch (RuntimeException ignored) {
                return null;
            }
        }
    }

    /** Time left before this thread's deadline (a day when none is set). */
    static Duration remaining() {
        Long deadline = DEADLINE.get();
        return deadline == null ? Duration.ofDays(1) : Duration.ofNanos(deadline - System.nanoTime());
    }

    private static Duration min(Duration a, Duration b) {
        return a.compareTo(b) <= 0 ? a : b;
    }

    @Override
    public void execute(HttpRequest request, ServerSentEventParser parser, ServerSentEventListener listener) {
        throw new UnsupportedOperationException("the round table does not stream");
    }

    /** Builder langchain4j model builders accept: the model's timeout bounds each attempt. */
    public static final class Builder implements HttpClientBuilder {
        private Duration connect = Duration.ofSeconds(5);
        private Duration read = Duration.ofSeconds(20);

        @Override public Duration connectTimeout() { return connect; }
        @Override public HttpClientBuilder connectTimeout(Duration d) { if (d != null) { connect = d; } return this; }
        @Override public Duration readTimeout() { return read; }
        @Override public HttpClientBuilder readTimeout(Duration d) { if (d != null) { read = d; } return this; }
        @Override public HttpClient build() { return new ChatHttpClient(JDK, read); }
    }
}
