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
 * The HTTP client under every langchain4j provider model: JDK HTTP, retrying only 429, 5xx and connection errors,
 * with exponential backoff that honours the vendor's {@code Retry-After}, and never past the round's deadline
 * (set per calling thread with {@link #withDeadline}). langchain4j's own retries are switched off
 * ({@code maxRetries(0)}) because its exceptions no longer carry the response headers.
 */
final class RetryingHttpClient implements HttpClient {

    private static final Set<String> RESTRICTED = Set.of("content-length", "host", "connection", "upgrade",
            "expect", "te", "trailer", "transfer-encoding");
    private static final ThreadLocal<Long> DEADLINE = new ThreadLocal<>();

    private final java.net.http.HttpClient jdk;
    private final Duration readTimeout;
    private final LlmProperties.Retry retry;

    RetryingHttpClient(java.net.http.HttpClient jdk, Duration readTimeout, LlmProperties.Retry retry) {
        this.jdk = jdk;
        this.readTimeout = readTimeout;
        this.retry = retry;
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

    /** One attempt's outcome the retry loop needs: status and the Retry-After delay if any. */
    static final class RetryableFailure extends HttpException {
        private final Duration retryAfter;

        RetryableFailure(int status, String body, Duration retryAfter) {
            super(status, body);
            this.retryAfter = retryAfter;
        }
    }

    @Override
    public SuccessfulHttpResponse execute(HttpRequest request) {
        int attempts = Math.max(1, retry.getMaxAttempts());
        Duration backoff = retry.getBackoff();
        RuntimeException last = null;
        for (int attempt = 1; attempt <= attempts; attempt++) {
            Duration remaining = remaining();
            if (remaining.isNegative() || remaining.isZero()) {
                throw last != null ? last : new HttpException(504, "deadline reached before the call");
            }
            Duration wait;
            try {
                return once(request, min(readTimeout, remaining));
            } catch (RetryableFailure e) {
                last = new HttpException(e.statusCode(), e.getMessage());
                wait = e.retryAfter != null ? e.retryAfter : backoff;
            } catch (ConnectionFailure e) {
                last = e;
                wait = backoff;
            }
            if (attempt == attempts || wait.compareTo(retry.getMaxWait()) > 0
                    || wait.plusMillis(50).compareTo(remaining()) >= 0) {
                break;
            }
            sleep(wait);
            backoff = backoff.multipliedBy(2);
        }
        throw last;
    }

    /** A connection-level failure (refused, reset, read timeout). */
    static final class ConnectionFailure extends RuntimeException {
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

    private static Duration remaining() {
        Long deadline = DEADLINE.get();
        return deadline == null ? Duration.ofDays(1) : Duration.ofNanos(deadline - System.nanoTime());
    }

    private static Duration min(Duration a, Duration b) {
        return a.compareTo(b) <= 0 ? a : b;
    }

    private static void sleep(Duration d) {
        try {
            Thread.sleep(Math.max(0, d.toMillis()));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ConnectionFailure("interrupted", e);
        }
    }

    @Override
    public void execute(HttpRequest request, ServerSentEventParser parser, ServerSentEventListener listener) {
        throw new UnsupportedOperationException("the round table does not stream");
    }

    /** Builder langchain4j model builders accept; the timeouts they set are ignored in favour of ours. */
    static final class Builder implements HttpClientBuilder {
        private final java.net.http.HttpClient jdk;
        private final Duration readTimeout;
        private final LlmProperties.Retry retry;
        private Duration connect = Duration.ofSeconds(5);
        private Duration read;

        Builder(java.net.http.HttpClient jdk, Duration readTimeout, LlmProperties.Retry retry) {
            this.jdk = jdk;
            this.readTimeout = readTimeout;
            this.retry = retry;
        }

        @Override public Duration connectTimeout() { return connect; }
        @Override public HttpClientBuilder connectTimeout(Duration d) { if (d != null) { connect = d; } return this; }
        @Override public Duration readTimeout() { return read == null ? readTimeout : read; }
        @Override public HttpClientBuilder readTimeout(Duration d) { read = d; return this; }
        @Override public HttpClient build() { return new RetryingHttpClient(jdk, readTimeout, retry); }
    }
}
