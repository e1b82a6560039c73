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
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.hc.client5.http.classic.methods.HttpUriRequestBase;
import org.apache.hc.client5.http.config.ConnectionConfig;
import org.apache.hc.client5.http.config.RequestConfig;
import org.apache.hc.client5.http.impl.classic.CloseableHttpClient;
import org.apache.hc.client5.http.impl.classic.HttpClients;
import org.apache.hc.client5.http.impl.io.PoolingHttpClientConnectionManagerBuilder;
import org.apache.hc.core5.http.ContentType;
import org.apache.hc.core5.http.Header;
import org.apache.hc.core5.http.HttpEntity;
import org.apache.hc.core5.http.io.entity.ByteArrayEntity;
import org.apache.hc.core5.http.io.entity.EntityUtils;
import org.apache.hc.core5.http.io.entity.StringEntity;
import org.apache.hc.core5.util.TimeValue;
import org.apache.hc.core5.util.Timeout;
import java.time.Duration;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.Locale;
import java.util.Set;

/**
 * The HTTP client under every langchain4j provider model: pooled Apache HttpClient 5, one attempt bounded by the round's deadline
 * (set per calling thread with {@link #withDeadline}). Retries are the provider route's (the routeConfiguration
 * {@code llm-provider-retries} in routes/round-table/llm-providers.camel.yaml); this client only tells them what
 * langchain4j's exceptions lose: whether the failure is retryable (429, 5xx, connection) and the vendor's
 * {@code Retry-After}. langchain4j's own retries are off ({@code maxRetries(0)}).
 */
public final class ChatHttpClient implements HttpClient {

    private static final Set<String> RESTRICTED = Set.of("content-length", "host", "connection", "upgrade",
            "expect", "te", "trailer", "transfer-encoding");
    private static final ThreadLocal<Long> DEADLINE = new ThreadLocal<>();

    /**
     * One pooled client for every provider model: Apache HttpClient 5 classic (blocking on the calling thread, HTTP/1.1
     * keep-alive, the client camel-http and the tools' VendorHttp use). The JDK client it replaced hands every call
     * to its selector and worker threads and back, which cost more CPU per call than the rest of a pass-through
     * chat completion. Pool: 256 connections, 64 per vendor host (the request threads are 200 at most); idle ones
     * are closed after 30 s and re-checked after 2 s of rest.
     */
    private static final CloseableHttpClient HTTP = HttpClients.custom()
            .setConnectionManager(PoolingHttpClientConnectionManagerBuilder.create()
                    .setDefaultConnectionConfig(ConnectionConfig.custom()
                            .setConnectTimeout(Timeout.ofSeconds(5))
                            .setValidateAfterInactivity(TimeValue.ofSeconds(2)).build())
                    .setMaxConnTotal(256).setMaxConnPerRoute(64).build())
            .evictIdleConnections(TimeValue.ofSeconds(30))
            .disableRedirectHandling()
            .disableAutomaticRetries()
            .disableCookieManagement()
            .disableAuthCaching()
            .disableContentCompression()
            .build();

    private final CloseableHttpClient http;
    private final Duration readTimeout;

    ChatHttpClient(CloseableHttpClient http, Duration readTimeout) {
        this.http = http;
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
        public ConnectionFailure(String message, Throwable cause) {
            super(message, cause);
        }
    }

    private SuccessfulHttpResponse once(HttpRequest request, Duration timeout) {
        HttpUriRequestBase http = new HttpUriRequestBase(request.method().name(), URI.create(request.url()));
        request.headers().forEach((name, values) -> {
            if (!RESTRICTED.contains(name.toLowerCase(Locale.ROOT))) {
                values.forEach(v -> http.addHeader(name, v));
            }
        });
        String body = request.body();
        if (body != null) {
            http.setEntity(new StringEntity(body, ContentType.APPLICATION_JSON));
        }
        Answer answer = send(this.http, http, timeout);
        return SuccessfulHttpResponse.builder().statusCode(answer.status()).headers(answer.headers())
                .body(answer.body()).build();
    }

    /**
     * One JSON POST on the shared pool, without langchain4j (the assistants' pass-through of an OpenAI-wire vendor):
     * the 2xx body, or the same failures as a model's call ({@link RetryableFailure} for 429/5xx,
     * {@link ConnectionFailure}, {@link HttpException}), so {@link ProviderAttempt#retryDelay} and
     * {@link ProviderCaller#describe} treat both alike.
     */
    public static String postJson(String url, Map<String, String> headers, byte[] body, Duration timeout) {
        HttpUriRequestBase http = new HttpUriRequestBase("POST", URI.create(url));
        headers.forEach(http::addHeader);
        http.setEntity(new ByteArrayEntity(body, ContentType.APPLICATION_JSON));
        return send(HTTP, http, timeout).body();
    }

    /** Sends on {@code client}; a 2xx answer is returned, anything else thrown as the matching failure. */
    private static Answer send(CloseableHttpClient client, HttpUriRequestBase http, Duration timeout) {
        Timeout t = Timeout.ofMilliseconds(Math.max(1, timeout.toMillis()));
        // each read waits at most the time left (a vendor that stops sending fails with "timeout")
        http.setConfig(RequestConfig.custom().setResponseTimeout(t).setConnectionRequestTimeout(t).build());
        // the GenAI span of this call (current on this thread) continues at the vendor
        com.skyyrose.hub.observability.TraceHeaders.inject(http::setHeader);
        Answer answer;
        try {
            answer = client.execute(http, r -> {
                HttpEntity entity = r.getEntity();
                String text = entity == null ? "" : EntityUtils.toString(entity, StandardCharsets.UTF_8);
                Map<String, List<String>> headers = new LinkedHashMap<>();
                for (Header h : r.getHeaders()) {
                    headers.computeIfAbsent(h.getName().toLowerCase(Locale.ROOT), k -> new ArrayList<>(1))
                            .add(h.getValue());
                }
                return new Answer(r.getCode(), headers, text);
            });
        } catch (java.io.InterruptedIOException e) {
            // read, connect or pool-wait timeout (all InterruptedIOExceptions in HttpClient 5)
            throw new ConnectionFailure("timeout", e);
        } catch (IOException e) {
            throw new ConnectionFailure("connection failed: " + e.getClass().getSimpleName()
                    + (e.getMessage() == null ? "" : " " + e.getMessage()), e);
        }
        int status = answer.status();
        if (status >= 200 && status < 300) {
            return answer;
        }
        if (status == 429 || status >= 500) {
            List<String> retryAfter = answer.headers().get("retry-after");
            throw new RetryableFailure(status, answer.body(),
                    retryAfter(retryAfter == null || retryAfter.isEmpty() ? null : retryAfter.get(0)));
        }
        throw new HttpException(status, answer.body());
    }

    private record Answer(int status, Map<String, List<String>> headers, String body) {
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
        @Override public HttpClient build() { return new ChatHttpClient(HTTP, read); }
    }
}
