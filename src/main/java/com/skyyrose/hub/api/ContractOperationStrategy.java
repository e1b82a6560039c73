package com.skyyrose.hub.api;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.swagger.v3.oas.models.OpenAPI;
import io.swagger.v3.oas.models.Operation;
import java.io.InputStream;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.apache.camel.AsyncCallback;
import org.apache.camel.Exchange;
import org.apache.camel.Message;
import org.apache.camel.Route;
import org.apache.camel.ServiceStatus;
import org.apache.camel.StreamCache;
import org.apache.camel.component.direct.DirectEndpoint;
import org.apache.camel.component.platform.http.spi.PlatformHttpConsumerAware;
import org.apache.camel.component.rest.openapi.DefaultRestOpenapiProcessorStrategy;
import org.apache.camel.support.processor.RestBindingAdvice;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

/**
 * How the contract-first REST facade serves an operation:
 * <ol>
 *   <li>validate the request against the contract (400/406/415 problem naming the field);</li>
 *   <li>call {@code direct:<operationId>}; an operation with no started route answers 501 — also when a route is
 *       removed later by a reload — never an empty 200;</li>
 *   <li>turn a failure into a problem document, drop every request header from the reply, and write non-text
 *       bodies as JSON.</li>
 * </ol>
 * Camel's {@code missingOperation} option is not consulted: unrouted operations are served, with 501.
 */
@Component("contractOperationStrategy")
public class ContractOperationStrategy extends DefaultRestOpenapiProcessorStrategy {

    private static final Logger LOG = LoggerFactory.getLogger(ContractOperationStrategy.class);
    /** Exchange property with the contract operation being served. */
    public static final String OPERATION_ID = "hub.operationId";
    /** Exchange property with the request's HTTP path (as in the contract, without query). */
    public static final String REQUEST_PATH = "hub.requestPath";
    /** Exchange property with the request id (also on the response as X-Request-Id). */
    public static final String REQUEST_ID = "hub.requestId";
    private static final String NEUTRAL = "served-with-501";

    private final ContractValidator validator;
    private final ProblemResponses problems;
    private final ObjectMapper json;
    private final OpenApiContract contract;
    private final List<OperationGuard> guards;

    public ContractOperationStrategy(ContractValidator validator, ProblemResponses problems, ObjectMapper json,
            OpenApiContract contract, List<OperationGuard> guards) {
        this.validator = validator;
        this.problems = problems;
        this.json = json;
        this.contract = contract;
        this.guards = List.copyOf(guards);
    }

    @Override
    public void validateOpenApi(OpenAPI openAPI, String basePath, PlatformHttpConsumerAware consumer)
            throws Exception {
        Set<String> unrouted = new TreeSet<>();
        openAPI.getPaths().values().forEach(item -> item.readOperations().forEach(op -> {
            if (!isRouted(op.getOperationId())) {
                unrouted.add(op.getOperationId());
            }
        }));
        if (!unrouted.isEmpty()) {
            LOG.info("{} contract operations have no route yet and answer 501: {}", unrouted.size(), unrouted);
        }
        // let Camel enlist the HTTP endpoints without its own missing-operation policy
        String configured = getMissingOperation();
        setMissingOperation(NEUTRAL);
        try {
            super.validateOpenApi(openAPI, basePath, consumer);
        } finally {
            setMissingOperation(configured);
        }
    }

    @Override
    public boolean process(OpenAPI openAPI, Operation operation, String verb, String path,
            RestBindingAdvice binding, Exchange exchange, AsyncCallback callback) {
        String operationId = operation.getOperationId();
        Message in = exchange.getMessage();
        exchange.setProperty(OPERATION_ID, operationId);
        exchange.setProperty(REQUEST_ID, in.getHeader(RequestIds.HEADER, String.class));
        String requestPath = requestPath(in);
        exchange.setProperty(REQUEST_PATH, requestPath);
        Map<String, Object> inboundHeaders = Map.of();
        try {
            byte[] body = readBody(in);
            Map<String, String> requestHeaders = httpHeaders(in);
            Problem badQuery = queryValues(contract.queryParameters(operationId), in);
            inboundHeaders = new HashMap<>(in.getHeaders());
            OpenApiContract.ContractOperation contractOperation = contract.operation(operationId);
            for (OperationGuard guard : guards) {
                guard.check(contractOperation, exchange);
            }
            Problem invalid = contractOperation.validateBody()
                    ? validator.validate(new ContractValidator.HttpRequest(verb.toUpperCase(Locale.ROOT),
                            requestPath, in.getHeader(Exchange.HTTP_QUERY, String.class), requestHeaders,
                            body.length == 0 ? null : new String(body, StandardCharsets.UTF_8)))
                    : mediaTypeProblem(contractOperation, in, body);
            if (invalid == null) {
                invalid = badQuery;
            }
            if (invalid != null) {
                finish(exchange, inboundHeaders, invalid);
                callback.done(true);
                return true;
            }
            ServiceStatus status = routeStatus(operationId);
            if (status == null || !status.isStarted()) {
                Problem problem = status == null
                        ? Problem.of(ProblemType.NOT_IMPLEMENTED, 501, "Operation " + operationId
                                + " is in the API contract but no route serves it yet.")
                        : Problem.of(ProblemType.UNAVAILABLE, 503, "The route serving " + operationId + " is "
                                + status.name().toLowerCase(Locale.ROOT) + ".");
                finish(exchange, inboundHeaders, problem);
                callback.done(true);
                return true;
            }
        } catch (Exception e) {
            exchange.setException(e);
            finish(exchange, inboundHeaders, null);
            callback.done(true);
            return true;
        }
        Map<String, Object> requestHeaders = inboundHeaders;
        return super.process(openAPI, operation, verb, path, binding, exchange, doneSync -> {
            try {
                finish(exchange, requestHeaders, null);
            } finally {
                callback.done(doneSync);
            }
        });
    }

    /**
     * Query values come from the query string only. Camel keeps request headers and query parameters in one map,
     * so a header {@code limit: 100000} would reach the route as if it were {@code ?limit=100000}: every query
     * parameter the operation declares is dropped from that map and set again from the query string alone. Integer
     * values are then held to the contract's bounds: above the maximum is clamped to it, below the minimum (a
     * negative offset) or not a number is a 400 problem naming the parameter.
     */
    static Problem queryValues(List<OpenApiContract.QueryParameter> declared, Message in) {
        if (declared.isEmpty()) {
            return null;
        }
        Map<String, String> query = parseQuery(in.getHeader(Exchange.HTTP_QUERY, String.class));
        Problem problem = null;
        for (OpenApiContract.QueryParameter parameter : declared) {
            in.removeHeader(parameter.name());
            String value = query.get(parameter.name());
            if (value == null) {
                continue;
            }
            if (parameter.minimum() != null || parameter.maximum() != null) {
                long number;
                try {
                    number = Long.parseLong(value.trim());
                } catch (NumberFormatException e) {
                    problem = problem != null ? problem : queryProblem(parameter.name(), "must be an integer");
                    continue;
                }
                if (parameter.minimum() != null && number < parameter.minimum()) {
                    problem = problem != null ? problem : queryProblem(parameter.name(),
                            "must be at least " + parameter.minimum());
                    continue;
                }
                if (parameter.maximum() != null && number > parameter.maximum()) {
                    number = parameter.maximum();
                }
                value = Long.toString(number);
            }
            in.setHeader(parameter.name(), value);
        }
        return problem;
    }

    private static Problem queryProblem(String name, String message) {
        return Problem.of(ProblemType.VALIDATION_FAILED, 400, name + ": " + message)
                .withErrors(List.of(new Problem.FieldError(name, message)));
    }

    /** The first value of each query parameter, URL-decoded. */
    private static Map<String, String> parseQuery(String raw) {
        Map<String, String> out = new HashMap<>();
        if (raw == null || raw.isEmpty()) {
            return out;
        }
        for (String pair : raw.split("&")) {
            if (pair.isEmpty()) {
                continue;
            }
            int eq = pair.indexOf('=');
            try {
                String name = URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
                String value = eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
                out.putIfAbsent(name, value);
            } catch (IllegalArgumentException malformed) {
                // a broken %-escape: the pair is not a value of anything
            }
        }
        return out;
    }

    /**
     * For operations marked {@code x-hub-validate-body: false}: a required body must be there (400) and come with one of
     * the media types the operation declares (415 otherwise); its content is the route's business.
     */
    private static Problem mediaTypeProblem(OpenApiContract.ContractOperation operation, Message in, byte[] body) {
        if (body.length == 0) {
            return !operation.bodyRequired() ? null : Problem.of(ProblemType.VALIDATION_FAILED, 400,
                    "body: a request body is required").withErrors(List.of(new Problem.FieldError("body",
                            "is required")));
        }
        if (operation.mediaTypes().isEmpty()) {
            return null;
        }
        String type = in.getHeader(Exchange.CONTENT_TYPE, String.class);
        String base = type == null ? "" : type.split(";", 2)[0].trim().toLowerCase(Locale.ROOT);
        if (operation.mediaTypes().contains(base)) {
            return null;
        }
        return Problem.of(ProblemType.UNSUPPORTED_MEDIA_TYPE, 415, "Content-Type: " + (type == null ? "missing"
                : "'" + type + "' is not one of " + new TreeSet<>(operation.mediaTypes())))
                .withErrors(List.of(new Problem.FieldError("Content-Type", "must be one of "
                        + new TreeSet<>(operation.mediaTypes()))));
    }

    /** Completes the reply: problem for failures, no request header echoed, JSON for structured bodies. */
    private void finish(Exchange exchange, Map<String, Object> inboundHeaders, Problem problem) {
        Message out = exchange.getMessage();
        // drop request headers the route left untouched: they must never come back as response headers
        inboundHeaders.forEach((name, value) -> {
            if (out.getHeader(name) == value) {
                out.removeHeader(name);
            }
        });
        if (problem == null && exchange.getException() != null) {
            problem = problems.fromException(exchange.getException(), exchange);
            exchange.setException(null);
        }
        if (problem != null) {
            problems.write(exchange, problem);
            return;
        }
        Object body = out.getBody();
        String contentType = out.getHeader(Exchange.CONTENT_TYPE, String.class);
        if (contentType == null || contentType.contains(",")) {
            // Camel's REST binding may fill in the operation's joined 'produces' list, which is not a media type
            out.setHeader(Exchange.CONTENT_TYPE, defaultContentType(body));
        }
        if (body != null && !(body instanceof String) && !(body instanceof byte[]) && !(body instanceof InputStream)
                && !(body instanceof StreamCache)) {
            try {
                out.setBody(json.writeValueAsBytes(body));
            } catch (Exception e) {
                problems.write(exchange, problems.fromException(e, exchange));
                return;
            }
        }
    }

    private static String defaultContentType(Object body) {
        String text = body instanceof String str ? str
                : body instanceof byte[] bytes ? new String(bytes, 0, Math.min(bytes.length, 64), StandardCharsets.UTF_8)
                : null;
        if (text == null) {
            return body == null || !(body instanceof InputStream || body instanceof StreamCache)
                    ? "application/json" : "application/octet-stream";
        }
        String start = text.stripLeading();
        return start.isEmpty() || start.charAt(0) == '{' || start.charAt(0) == '['
                ? "application/json" : "text/plain; charset=utf-8";
    }

    private ServiceStatus routeStatus(String operationId) {
        for (Route route : getCamelContext().getRoutes()) {
            if (route.getEndpoint() instanceof DirectEndpoint direct
                    && direct.getEndpointBaseUri().equals("direct://" + operationId)) {
                return getCamelContext().getRouteController().getRouteStatus(route.getRouteId());
            }
        }
        return null;
    }

    private boolean isRouted(String operationId) {
        return routeStatus(operationId) != null;
    }

    private static String requestPath(Message in) {
        String path = in.getHeader(Exchange.HTTP_PATH, String.class);
        if (path == null || path.isEmpty()) {
            return "/";
        }
        return path.startsWith("/") ? path : "/" + path;
    }

    /** Reads the body once as bytes and keeps it that way, so later steps (signatures) see the raw bytes. */
    private static byte[] readBody(Message in) {
        Object body = in.getBody();
        if (body == null) {
            return new byte[0];
        }
        byte[] bytes = in.getBody(byte[].class);
        if (bytes == null) {
            bytes = new byte[0];
        }
        in.setBody(bytes);
        return bytes;
    }

    private static Map<String, String> httpHeaders(Message in) {
        Map<String, String> headers = new LinkedHashMap<>();
        in.getHeaders().forEach((name, value) -> {
            if (!name.regionMatches(true, 0, "Camel", 0, 5) && value != null) {
                headers.put(name, value instanceof List<?> list && !list.isEmpty()
                        ? String.valueOf(list.get(0)) : String.valueOf(value));
            }
        });
        return headers;
    }
}
