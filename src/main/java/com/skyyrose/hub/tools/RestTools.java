package com.skyyrose.hub.tools;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.skyyrose.hub.api.Problem;
import com.skyyrose.hub.api.ProblemException;
import com.skyyrose.hub.api.ProblemType;
import io.github.resilience4j.circuitbreaker.CallNotPermittedException;
import io.opentelemetry.api.trace.propagation.W3CTraceContextPropagator;
import io.opentelemetry.context.Context;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import org.apache.camel.AggregationStrategy;
import org.apache.camel.Exchange;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.convert.DurationStyle;
import org.springframework.stereotype.Component;

/**
 * The Java steps of a REST tool written in YAML (routes/tools/rest-tools.camel.yaml): a tool route sets the
 * variables {@code rest.vendor}, {@code rest.method}, {@code rest.path} (and {@code rest.body}) and calls
 * {@code direct:rest-<vendor>}; the shared routes then call the vendor with camel-http. This bean
 * <ul>
 *   <li>{@link #check} (before the breaker) is the SSRF guard: the target must stay on the vendor's configured
 *   origin; a {@code rest.userUrl} passes {@link SsrfGuard};</li>
 *   <li>{@link #request} builds the call: the vendor's base URL and authentication (the connector's settings and
 *   keys), W3C {@code traceparent}, and no caller header;</li>
 *   <li>{@link #response} reads at most {@code HUB_CONNECTOR_MAX_RESPONSE_BYTES} and maps the status: 2xx → JSON,
 *   vendor errors → problem types (404, 400 with the vendor's field errors, 409, 429 + Retry-After, 502), thrown
 *   by {@link #raise} after the breaker unless retryable;</li>
 *   <li>{@link #retry} is the {@code retryWhile}: idempotent tools only (the descriptor's {@code idempotent}), 429,
 *   5xx and connection failures, the vendor's {@code Retry-After} or backoff with jitter, within the deadline;</li>
 *   <li>{@link #fallback} is the breaker's fallback: an open circuit is 503, any other failure goes on as it is.</li>
 * </ul>
 */
@Component("restTools")
public class RestTools implements AggregationStrategy {

    static final String VENDOR = "rest.vendor";
    static final String METHOD = "rest.method";
    static final String PATH = "rest.path";
    static final String BODY = "rest.body";
    static final String USER_URL = "rest.userUrl";
    private static final String RETRY_AFTER = "rest.retryAfter";

    private final Map<String, Connector> vendors = new LinkedHashMap<>();
    private final SsrfGuard guard;
    private final ObjectMapper json;
    private final long maxResponseBytes;
    private final Duration retryBase;
    private final Duration retryMaxWait;

    public RestTools(WooCommerceConnector wooCommerce, WordPressConnector wordPress, SsrfGuard guard,
            ObjectMapper json, @Value("${hub.tools.http.max-response-bytes:10485760}") long maxResponseBytes,
            @Value("${hub.tools.http.retry-base:200ms}") String retryBase,
            @Value("${hub.tools.http.retry-max-wait:10s}") String retryMaxWait,
            @Value("${hub.tools.http.breaker-min-calls:5}") int breakerMinCalls,
            @Value("${hub.tools.http.breaker-failure-rate:50}") float breakerFailureRate,
            @Value("${hub.tools.http.breaker-open-for:30s}") String breakerOpenFor,
            org.apache.camel.CamelContext camel) {
        vendors.put("woocommerce", wooCommerce);
        vendors.put("wordpress", wordPress);
        this.guard = guard;
        this.json = json;
        this.maxResponseBytes = maxResponseBytes;
        this.retryBase = DurationStyle.detectAndParse(retryBase);
        this.retryMaxWait = DurationStyle.detectAndParse(retryMaxWait);
        // the vendor routes' breaker settings: circuitBreaker: configuration: rest-tool
        org.apache.camel.model.Resilience4jConfigurationDefinition breaker =
                new org.apache.camel.model.Resilience4jConfigurationDefinition();
        breaker.setSlidingWindowType("COUNT_BASED");
        breaker.setSlidingWindowSize(String.valueOf(Math.max(1, breakerMinCalls)));
        breaker.setMinimumNumberOfCalls(String.valueOf(Math.max(1, breakerMinCalls)));
        breaker.setFailureRateThreshold(String.valueOf(breakerFailureRate));
        breaker.setWaitDurationInOpenState(String.valueOf(
                Math.max(1, DurationStyle.detectAndParse(breakerOpenFor).toSeconds())));
        breaker.setAutomaticTransitionFromOpenToHalfOpenEnabled("true");
        ((org.apache.camel.model.ModelCamelContext) camel).addResilience4jConfiguration("rest-tool", breaker);
    }

    /**
     * Before the vendor's breaker: the vendor is known and configured, and the SSRF guard — a tool route calls only
     * its vendor's configured origin whatever its arguments hold, and a {@code rest.userUrl} passes {@link SsrfGuard}.
     * Refusals here are problems of the call, not failures of the vendor, so they stay outside its breaker.
     */
    public void check(Exchange exchange) {
        target(exchange, vendor(exchange));
        String userUrl = text(exchange, USER_URL, null);
        if (userUrl != null) {
            guard.check("url", userUrl);
        }
    }

    private Connector vendor(Exchange exchange) {
        String vendorName = text(exchange, VENDOR, null);
        Connector vendor = vendorName == null ? null : vendors.get(vendorName);
        if (vendor == null) {
            throw new IllegalStateException("rest.vendor must be one of " + vendors.keySet());
        }
        if (!vendor.http.configured()) {
            throw new ProblemException(ProblemType.UNAVAILABLE, 503, vendor.displayName() + " is not configured.");
        }
        return vendor;
    }

    private URI target(Exchange exchange, Connector vendor) {
        String path = text(exchange, PATH, "");
        if (!path.startsWith("/")) {
            throw new IllegalStateException("rest.path must start with '/': " + path);
        }
        URI base = vendor.http.uri("/");
        URI target = vendor.http.uri(path).normalize();
        if (!sameOrigin(base, target) || target.getRawPath().contains("/../")) {
            throw new ProblemException(ProblemType.VALIDATION_FAILED, 400,
                    "The tool's request leaves " + vendor.displayName() + "'s configured address.");
        }
        return target;
    }

    /** Before the HTTP call (inside the breaker): method, URI, query, headers (authentication, traceparent), body. */
    public void request(Exchange exchange) throws IOException {
        Connector vendor = vendor(exchange);
        String method = text(exchange, METHOD, "GET").toUpperCase(Locale.ROOT);
        URI target = target(exchange, vendor);
        Object body = exchange.getVariable(BODY);
        byte[] bytes = body == null ? null : body instanceof byte[] b ? b
                : body instanceof String text ? text.getBytes(java.nio.charset.StandardCharsets.UTF_8)
                : json.writeValueAsBytes(body);
        VendorHttp.Request call = new VendorHttp.Request(method, target, new LinkedHashMap<>(), bytes,
                bytes == null ? null : "application/json", false, "rest");
        call = vendor.authorizeRequest(call);

        var message = exchange.getMessage();
        // nothing of the caller's request (its Authorization above all) reaches the vendor
        message.removeHeaders("*", Exchange.REDELIVERY_COUNTER, Exchange.REDELIVERY_MAX_COUNTER, Exchange.REDELIVERED);
        call.headers().forEach(message::setHeader);
        message.setHeader("Accept", "application/json");
        W3CTraceContextPropagator.getInstance().inject(Context.current(), message, (m, k, v) -> m.setHeader(k, v));
        message.setHeader(Exchange.HTTP_METHOD, method);
        URI uri = call.uri();
        message.setHeader(Exchange.HTTP_URI, uri.getScheme() + "://" + uri.getRawAuthority()
                + (uri.getRawPath() == null ? "" : uri.getRawPath()));
        if (uri.getRawQuery() != null) {
            message.setHeader(Exchange.HTTP_QUERY, uri.getRawQuery());
        }
        if (bytes != null) {
            message.setHeader(Exchange.CONTENT_TYPE, "application/json");
        }
        message.setBody(bytes);
        exchange.setVariable("rest.displayName", vendor.displayName());
        exchange.setVariable("rest.maxRetries", vendor.http.settings().maxRetries());
    }

    /**
     * After the HTTP call: the JSON body of a 2xx answer as maps and lists (what the tool route's jsonpath reads);
     * 429/5xx fail the attempt (retryable, counted by the breaker); any other vendor error is a {@link VendorProblem}
     * body — the vendor answered, so the breaker passes it on and {@link #raise} throws it after the breaker.
     */
    public Object response(Exchange exchange) throws IOException {
        var message = exchange.getMessage();
        int status = message.getHeader(Exchange.HTTP_RESPONSE_CODE, 0, Integer.class);
        byte[] bytes;
        try (InputStream in = message.getBody(InputStream.class)) {
            bytes = in == null ? new byte[0] : in.readNBytes((int) Math.min(Integer.MAX_VALUE - 8, maxResponseBytes + 1));
        }
        String name = exchange.getVariable("rest.displayName", "The vendor", String.class);
        if (bytes.length > maxResponseBytes) {
            throw new ProblemException(ProblemType.UPSTREAM_FAILED, 502,
                    name + "'s answer is larger than " + maxResponseBytes + " bytes.");
        }
        if (status >= 200 && status < 300) {
            return bytes.length == 0 ? null : json.readValue(bytes, Object.class);
        }
        JsonNode body;
        try {
            body = json.readTree(bytes);
        } catch (IOException notJson) {
            body = null;
        }
        Map<String, String> headers = new LinkedHashMap<>();
        String retryAfter = message.getHeader("Retry-After", String.class);
        if (retryAfter != null) {
            headers.put("retry-after", retryAfter);
        }
        ProblemException problem = vendors.get(exchange.getVariable(VENDOR, String.class))
                .vendorError(new VendorHttp.Response(status, headers, bytes), body);
        if (status == 429 || status >= 500) {
            message.setHeader(RETRY_AFTER, retryAfter);
            throw new RetryableVendorStatus(problem.problem());
        }
        return new VendorProblem(problem);
    }

    /** A vendor's answer that is the caller's problem (400, 404, 409…), carried through the breaker as a body. */
    public record VendorProblem(ProblemException problem) {
    }

    /** After the breaker: a vendor's own error answer becomes the tool call's problem. */
    public void raise(Exchange exchange) {
        if (exchange.getMessage().getBody() instanceof VendorProblem vendorProblem) {
            throw vendorProblem.problem();
        }
    }

    /**
     * A 429 or 5xx answer the retries may try again; the vendor's breaker counts it and its fallback turns it into
     * its problem.
     */
    public static final class RetryableVendorStatus extends RuntimeException {
        private final Problem problem;

        RetryableVendorStatus(Problem problem) {
            super(problem.detail(), null, false, false);
            this.problem = problem;
        }

        Problem problem() {
            return problem;
        }
    }

    /** {@code retryWhile}: idempotent tools, retryable failures, within attempts, wait and deadline. */
    public boolean retry(Exchange exchange) {
        ToolDescriptor tool = exchange.getProperty(ToolDispatcher.TOOL, ToolDescriptor.class);
        if (tool == null || !tool.idempotent()) {
            return false;
        }
        // Camel's redelivery has moved the failure off the exchange when it asks retryWhile
        Throwable failure = exchange.getException() != null ? exchange.getException()
                : exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Throwable.class);
        boolean retryable = false;
        for (Throwable t = failure; t != null && t.getCause() != t; t = t.getCause()) {
            if (t instanceof RetryableVendorStatus || t instanceof IOException) {
                retryable = true;
                break;
            }
        }
        // when retryWhile runs, Camel's counter holds the attempts that failed so far
        int attempt = Math.max(1, exchange.getIn().getHeader(Exchange.REDELIVERY_COUNTER, 0, Integer.class));
        int maxRetries = exchange.getVariable("rest.maxRetries", 3, Integer.class);
        if (!retryable || attempt > maxRetries) {
            return false;
        }
        Duration wait = VendorHttp.retryAfter(exchange.getMessage().getHeader(RETRY_AFTER, String.class));
        if (wait == null) {
            long cap = retryBase.toMillis() << Math.min(10, attempt - 1);
            wait = Duration.ofMillis(ThreadLocalRandom.current().nextLong(cap / 2, cap + 1));
        }
        if (wait.compareTo(retryMaxWait) > 0 || wait.toMillis() + 50 >= remainingMillis(exchange, retryMaxWait)) {
            return false;
        }
        exchange.getIn().setHeader(Exchange.REDELIVERY_DELAY, wait.toMillis());
        return true;
    }

    /** The breaker's fallback: an open circuit answers 503; any other failure goes on unchanged. */
    public void fallback(Exchange exchange) throws Exception {
        Throwable cause = exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Throwable.class);
        String name = vendorName(exchange);
        if (cause == null || cause instanceof CallNotPermittedException) {
            throw new ProblemException(Problem.of(ProblemType.UNAVAILABLE, 503,
                    name + " is failing: circuit open, not called.").withHeader("Retry-After", "30"));
        }
        if (cause instanceof ProblemException p) {
            throw p;
        }
        if (cause instanceof RetryableVendorStatus r) {
            throw new ProblemException(r.problem());
        }
        if (cause instanceof java.net.SocketTimeoutException) {
            throw new ProblemException(ProblemType.UPSTREAM_FAILED, 504, name + " did not answer in time.");
        }
        if (cause instanceof IOException) {
            throw new ProblemException(ProblemType.UPSTREAM_FAILED, 502, name + " could not be reached: "
                    + cause.getClass().getSimpleName());
        }
        throw cause instanceof Exception e ? e : new IllegalStateException(cause);
    }

    /**
     * The vendor route enriches the tool's exchange with the call made on a copy (so the caller's headers stay
     * with the caller and never reach the vendor): the copy's body becomes the tool's result, its failure the
     * tool's failure.
     */
    @Override
    public Exchange aggregate(Exchange original, Exchange call) {
        if (call == null) {
            return original;
        }
        if (call.getException() != null) {
            original.setException(call.getException());
        } else {
            original.getMessage().setBody(call.getMessage().getBody());
        }
        return original;
    }

    private String vendorName(Exchange exchange) {
        Connector vendor = vendors.get(exchange.getVariable(VENDOR, String.class));
        return vendor == null ? "The vendor" : vendor.displayName();
    }

    private static boolean sameOrigin(URI a, URI b) {
        return a.getScheme() != null && a.getScheme().equalsIgnoreCase(b.getScheme())
                && a.getHost() != null && a.getHost().equalsIgnoreCase(b.getHost()) && a.getPort() == b.getPort()
                && b.getRawUserInfo() == null;
    }

    private static long remainingMillis(Exchange exchange, Duration fallback) {
        Long deadline = exchange.getProperty(ToolDispatcher.DEADLINE, Long.class);
        return deadline == null ? fallback.toMillis() : (deadline - System.nanoTime()) / 1_000_000;
    }

    private static String text(Exchange exchange, String variable, String fallback) {
        Object v = exchange.getVariable(variable);
        if (v == null) {
            return fallback;
        }
        String s = v instanceof JsonNode n ? n.asText() : v.toString();
        return s.isBlank() ? fallback : s.trim();
    }
}
