package com.skyyrose.hub.console;

import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.ExchangePropertyKey;
import org.apache.camel.NamedNode;
import org.apache.camel.Route;
import org.apache.camel.spi.RoutePolicy;
import org.apache.camel.spi.RoutePolicyFactory;
import org.apache.camel.support.RoutePolicySupport;
import org.springframework.stereotype.Component;

/**
 * The last failure of each route on this instance (when and why), for the console's routes page. Camel's metrics
 * count failures but do not say what failed; this route policy sees each route's exchanges end (direct sub-routes
 * included, as the Micrometer route policy does) and keeps one short line per route, in memory.
 */
@Component
public class RouteFailures implements RoutePolicyFactory {

    /** One failure: when, and the exception's type and message (cut to a readable length). */
    public record Failure(Instant at, String error) {
    }

    private static final int MAX_MESSAGE = 500;
    private final Map<String, Failure> last = new ConcurrentHashMap<>();

    @Override
    public RoutePolicy createRoutePolicy(CamelContext camelContext, String routeId, NamedNode route) {
        return new RoutePolicySupport() {
            @Override
            public void onExchangeDone(Route done, Exchange exchange) {
                if (exchange.isFailed()) {
                    record(done.getRouteId(), exchange);
                }
            }
        };
    }

    void record(String routeId, Exchange exchange) {
        Throwable error = exchange.getException();
        if (error == null) {
            error = exchange.getProperty(ExchangePropertyKey.EXCEPTION_CAUGHT, Throwable.class);
        }
        last.put(routeId, new Failure(Instant.now(), describe(error)));
    }

    public Optional<Failure> lastFailure(String routeId) {
        return Optional.ofNullable(last.get(routeId));
    }

    private static String describe(Throwable error) {
        if (error == null) {
            return "failed (no exception recorded)";
        }
        String text = error.getClass().getSimpleName() + (error.getMessage() == null ? "" : ": " + error.getMessage());
        return text.length() > MAX_MESSAGE ? text.substring(0, MAX_MESSAGE) + "…" : text;
    }
}
