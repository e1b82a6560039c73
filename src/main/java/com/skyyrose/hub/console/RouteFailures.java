package com.skyyrose.hub.console;

import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.camel.Exchange;
import org.apache.camel.ExchangePropertyKey;
import org.apache.camel.spi.CamelEvent;
import org.apache.camel.spi.CamelEvent.ExchangeFailedEvent;
import org.apache.camel.spi.CamelEvent.ExchangeFailureHandledEvent;
import org.apache.camel.support.EventNotifierSupport;
import org.springframework.stereotype.Component;

/**
 * The last failure of each route on this instance (when and why), for the console's routes page. Camel's metrics
 * count failures but do not say what failed; this keeps one short line per route, in memory.
 */
@Component
public class RouteFailures extends EventNotifierSupport {

    /** One failure: when, and the exception's type and message (cut to a readable length). */
    public record Failure(Instant at, String error) {
    }

    private static final int MAX_MESSAGE = 500;
    private final Map<String, Failure> last = new ConcurrentHashMap<>();

    public RouteFailures() {
        setIgnoreCamelContextEvents(true);
        setIgnoreRouteEvents(true);
        setIgnoreServiceEvents(true);
        setIgnoreStepEvents(true);
        setIgnoreExchangeCreatedEvent(true);
        setIgnoreExchangeCompletedEvent(true);
        setIgnoreExchangeSendingEvents(true);
        setIgnoreExchangeSentEvents(true);
        setIgnoreExchangeRedeliveryEvents(true);
        setIgnoreExchangeAsyncProcessingStartedEvents(true);
    }

    @Override
    public boolean isEnabled(CamelEvent event) {
        return event instanceof ExchangeFailedEvent || event instanceof ExchangeFailureHandledEvent;
    }

    @Override
    public void notify(CamelEvent event) {
        Exchange exchange = ((CamelEvent.ExchangeEvent) event).getExchange();
        Throwable error = exchange.getException();
        if (error == null) {
            error = exchange.getProperty(ExchangePropertyKey.EXCEPTION_CAUGHT, Throwable.class);
        }
        String routeId = exchange.getProperty(ExchangePropertyKey.FAILURE_ROUTE_ID, String.class);
        if (routeId == null) {
            routeId = exchange.getFromRouteId();
        }
        if (routeId == null) {
            return;
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
