package com.skyyrose.hub.tools;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.skyyrose.hub.api.Problem;
import com.skyyrose.hub.api.ProblemException;
import com.skyyrose.hub.api.ProblemType;
import com.skyyrose.hub.observability.TraceHeaders;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.time.Duration;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
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
import org.apache.hc.core5.util.Timeout;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One vendor's HTTP connection: timeouts on connect and read (capped by the tool's deadline), retries only for
 * idempotent calls and only on 429, 5xx and connection errors (exponential backoff with full jitter, or the
 * vendor's {@code Retry-After}), a circuit breaker that opens on repeated 5xx/connection failures, responses read
 * up to a size cap, and metrics per connector. Redirects are never followed. Built on Apache HttpClient 5, the
 * client camel-http uses, because the retry/breaker/size policy is per call here.
 */
public final class VendorHttp implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(VendorHttp.class);

    /** How one connector talks to its vendor. */
    public record Settings(String connector, String baseUrl, Duration connectTimeout, Duration readTimeout,
            int maxRetries, long maxResponseBytes, Duration retryBase, Duration retryMaxWait, int breakerMinCalls,
            float breakerFailureRate, Duration breakerOpenFor) {
    }

    public record Request(String method, URI uri, Map<String, String> headers, byte[] body, String contentType,
            boolean idempotent, String operation) {

        public static Request get(URI uri, String operation) {
            return new Request("GET", uri, new LinkedHashMap<>(), null, null, true, operation);
        }

        public static Request json(String method, URI uri, byte[] body, boolean idempotent, String operation) {
            return new Request(method, uri, new LinkedHashMap<>(), body, "application/json", idempotent, operation);
        }

        public Request header(String name, String value) {
            headers.put(name, value);
            return this;
        }
    }

    public record Response(int status, Map<String, String> headers, byte[] body) {
        public String header(String name) {
            return headers.get(name.toLowerCase(Locale.ROOT));
        }

        public boolean ok() {
            return status >= 200 && status < 300;
        }
    }

    private final Settings settings;
    private final CloseableHttpClient client;
    private final CircuitBreaker breaker;
    private final MeterRegistry meters;
    private final ObjectMapper json;

    public VendorHttp(Settings settings, MeterRegistry meters, ObjectMapper json) {
        this.settings = settings;
        this.meters = meters;
        this.json = json;
        this.client = HttpClients.custom()
                .setConnectionManager(PoolingHttpClientConnectionManagerBuilder.create()
                        .setDefaultConnectionConfig(ConnectionConfig.custom()
                                .setConnectTimeout(Timeout.of(settings.connectTimeout()))
                                .setSocketTimeout(Timeout.of(settings.readTimeout())).build())
                        .setMaxConnTotal(64).setMaxConnPerRoute(32).build())
                .disableRedirectHandling()
                .disableAutomaticRetries()
                .disableCookieManagement()
                .setUserAgent("DevSkyyHub/0.1")
                .build();
        this.breaker = CircuitBreaker.of(settings.connector(), CircuitBreakerConfig.custom()
                .slidingWindowType(CircuitBreakerConfig.SlidingWindowType.COUNT_BASED)
                .slidingWindowSize(Math.max(10, settings.breakerMinCalls()))
                .minimumNumberOfCalls(settings.breakerMinCalls())
                .failureRateThreshold(settings.breakerFailureRate())
                .waitDurationInOpenState(settings.breakerOpenFor())
                .permittedNumberOfCallsInHalfOpenState(1)
                .build());
        Gauge.builder("hub.connector.circuit.open", breaker,
                        b -> b.getState() == CircuitBreaker.State.OPEN ? 1 : 0)
                .description("1 while the connector's circuit breaker is open").tag("connector", settings.connector())
                .register(meters);
    }

    public Settings settings() {
        return settings;
    }

    public CircuitBreaker.State circuitState() {
        return breaker.getState();
    }

    public boolean configured() {
        return settings.baseUrl() != null && !settings.baseUrl().isBlank();
    }

    /** base URL + path (path starts with '/'). */
    public URI uri(String pathAndQuery) {
        String base = settings.baseUrl();
        return URI.create((base.endsWith("/") ? base.substring(0, base.length() - 1) : base) + pathAndQuery);
    }

    /**
     * Sends the request; retries per the policy until {@code deadlineNanos} (System.nanoTime based). Any HTTP status
     * comes back as a response; connection failures and an open circuit become problems (502/503/504).
     */
    public Response send(Request request, long deadlineNanos) {
        int attempt = 0;
        while (true) {
            if (!breaker.tryAcquirePermission()) {
                meters.counter("hub.connector.errors", "connector", settings.connector(), "kind", "circuit_open").increment();
                long wait = Math.max(1, settings.breakerOpenFor().toSeconds());
                throw new ProblemException(Problem.of(ProblemType.UNAVAILABLE, 503, "The " + settings.connector()
                        + " connector is paused after repeated failures (circuit open); retry later.")
                        .withHeader("Retry-After", Long.toString(wait)).with("connector", settings.connector()));
            }
            long started = System.nanoTime();
            Response response = null;
            Exception failure = null;
            try {
                response = execute(request, deadlineNanos);
            } catch (IOException e) {
                failure = e;
            } catch (RuntimeException e) {
                breaker.releasePermission();
                throw e;
            }
            long elapsed = System.nanoTime() - started;
            String outcome;
            if (failure != null) {
                breaker.onError(elapsed, TimeUnit.NANOSECONDS, failure);
                outcome = "io_error";
            } else if (response.status() >= 500) {
                breaker.onError(elapsed, TimeUnit.NANOSECONDS, new IOException("HTTP " + response.status()));
                outcome = "5xx";
            } else {
                breaker.onSuccess(elapsed, TimeUnit.NANOSECONDS);
                outcome = response.status() == 429 ? "429" : response.status() >= 400 ? "4xx" : "2xx";
            }
            Timer.builder("hub.connector.calls").description("Vendor HTTP calls by connector, operation, outcome")
                    .tag("connector", settings.connector()).tag("operation", request.operation()).tag("outcome", outcome)
                    .register(meters).record(elapsed, TimeUnit.NANOSECONDS);
            if (!"2xx".equals(outcome) && !"4xx".equals(outcome)) {
                meters.counter("hub.connector.errors", "connector", settings.connector(), "kind", outcome).increment();
            }
            boolean retryable = failure != null || response.status() == 429 || response.status() >= 500;
            if (!retryable) {
                return response;
            }
            Duration wait = backoff(attempt, response);
            boolean canRetry = request.idempotent() && attempt < settings.maxRetries()
                    && System.nanoTime() + wait.toNanos() < deadlineNanos;
            if (!canRetry) {
                if (failure != null) {
                    boolean timeout = failure instanceof java.net.SocketTimeoutException
                            || failure instanceof java.io.InterruptedIOException;
                    throw new ProblemException(Problem.of(ProblemType.UPSTREAM_FAILED, timeout ? 504 : 502,
                            "Could not reach " + settings.connector() + " (" + failure.getClass().getSimpleName()
                                    + (failure.getMessage() == null ? "" : ": " + failure.getMessage()) + ").")
                            .with("connector", settings.connector()));
                }
                return response;
            }
            attempt++;
            meters.counter("hub.connector.retries", "connector", settings.connector()).increment();
            LOG.debug("{} {} retry {} in {} ms", settings.connector(), request.operation(), attempt, wait.toMillis());
            sleep(wait);
        }
    }

    /** Retry-After (seconds or HTTP date) when the vendor sent one, else full-jitter exponential backoff. */
    Duration backoff(int attempt, Response response) {
        Duration max = settings.retryMaxWait();
        if (response != null) {
            Duration retryAfter = retryAfter(response.header("Retry-After"));
            if (retryAfter != null) {
                return retryAfter.compareTo(max) > 0 ? max : retryAfter;
            }
        }
        long ceiling = Math.min(max.toMillis(), settings.retryBase().toMillis() * (1L << Math.min(attempt, 16)));
        return Duration.ofMillis(ThreadLocalRandom.current().nextLong(ceiling / 2, Math.max(ceiling / 2 + 1, ceiling + 1)));
    }

    static Duration retryAfter(String value) {
        if (value == null || value.isBlank()) {
            return null;
        }
        try {
            return Duration.ofSeconds(Math.max(0, Long.parseLong(value.trim())));
        } catch (NumberFormatException e) {
            try {
                ZonedDateTime at = ZonedDateTime.parse(value.trim(), DateTimeFormatter.RFC_1123_DATE_TIME);
                Duration d = Duration.between(ZonedDateTime.now(at.getZone()), at);
                return d.isNegative() ? Duration.ZERO : d;
            } catch (Exception ignored) {
                return null;
            }
        }
    }

    private Response execute(Request request, long deadlineNanos) throws IOException {
        long remainingMs = TimeUnit.NANOSECONDS.toMillis(deadlineNanos - System.nanoTime());
        if (remainingMs <= 0) {
            throw new java.net.SocketTimeoutException("tool deadline reached before the call");
        }
        HttpUriRequestBase http = new HttpUriRequestBase(request.method(), request.uri());
        long responseTimeout = Math.min(settings.readTimeout().toMillis(), remainingMs);
        http.setConfig(RequestConfig.custom().setResponseTimeout(Timeout.ofMilliseconds(responseTimeout)).build());
        request.headers().forEach(http::addHeader);
        // W3C traceparent of the current span (none when tracing is off): the vendor's side joins our trace
        TraceHeaders.inject(http::setHeader);
        if (request.body() != null) {
            http.setEntity(new ByteArrayEntity(request.body(), request.contentType() == null ? null
                    : ContentType.parse(request.contentType())));
        }
        return client.execute(http, r -> {
            Map<String, String> headers = new LinkedHashMap<>();
            for (Header h : r.getHeaders()) {
                headers.putIfAbsent(h.getName().toLowerCase(Locale.ROOT), h.getValue());
            }
            return new Response(r.getCode(), headers, read(r.getEntity()));
        });
    }

    private byte[] read(HttpEntity entity) throws IOException {
        if (entity == null) {
            return new byte[0];
        }
        long cap = settings.maxResponseBytes();
        if (entity.getContentLength() > cap) {
            throw new ResponseTooLarge(settings.connector(), cap);
        }
        try (InputStream in = entity.getContent()) {
            byte[] bytes = in.readNBytes((int) Math.min(Integer.MAX_VALUE - 8, cap + 1));
            if (bytes.length > cap) {
                throw new ResponseTooLarge(settings.connector(), cap);
            }
            return bytes;
        }
    }

    /** A response over the size cap: not retried, not a breaker failure of the vendor's health. */
    static final class ResponseTooLarge extends ProblemException {
        ResponseTooLarge(String connector, long cap) {
            super(Problem.of(ProblemType.UPSTREAM_FAILED, 502, "The " + connector + " response exceeded " + cap
                    + " bytes and was refused."));
        }
    }

    /** The body as JSON, or a 502 naming the connector when it is not JSON. */
    public JsonNode json(Response response) {
        try {
            return json.readTree(response.body());
        } catch (Exception e) {
            throw new ProblemException(ProblemType.UPSTREAM_FAILED, 502,
                    "The " + settings.connector() + " response (HTTP " + response.status() + ") is not valid JSON.");
        }
    }

    public ObjectMapper mapper() {
        return json;
    }

    private static void sleep(Duration wait) {
        try {
            Thread.sleep(wait.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ProblemException(ProblemType.UNAVAILABLE, 503, "interrupted while waiting to retry");
        }
    }

    public static List<String> headerList(String value) {
        return value == null ? List.of() : List.of(value.split(","));
    }

    @Override
    public void close() throws IOException {
        client.close();
    }
}
