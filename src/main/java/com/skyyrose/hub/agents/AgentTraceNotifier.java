package com.skyyrose.hub.agents;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.camel.Exchange;
import org.apache.camel.spi.CamelEvent;
import org.apache.camel.spi.CamelEvent.ExchangeSendingEvent;
import org.apache.camel.spi.CamelEvent.ExchangeSentEvent;
import org.apache.camel.support.EventNotifierSupport;
import org.springframework.stereotype.Component;

/**
 * Writes an agent run's trace: every send of the run's exchange (or its split branches) to one of the chain's
 * building blocks becomes a step {step, endpoint, started_at, duration_ms, outcome, error?}, in start order.
 */
@Component
public class AgentTraceNotifier extends EventNotifierSupport {

    /** Building block endpoint → step name in the trace. */
    static final Map<String, String> STEPS = Map.of(
            "direct://brand-context", "brand",
            "direct://rag-retrieve", "rag",
            "direct://round-table", "round_table",
            "direct://tool-dispatch", "tool",
            "direct://agent-escalate", "escalation");
    private static final String OPEN = "hub.agent.traceOpen.";

    public AgentTraceNotifier() {
        setIgnoreCamelContextEvents(true);
        setIgnoreRouteEvents(true);
        setIgnoreServiceEvents(true);
        setIgnoreStepEvents(true);
        setIgnoreExchangeCreatedEvent(true);
        setIgnoreExchangeCompletedEvent(true);
        setIgnoreExchangeFailedEvents(true);
        setIgnoreExchangeRedeliveryEvents(true);
        setIgnoreExchangeAsyncProcessingStartedEvents(true);
    }

    @Override
    public boolean isEnabled(CamelEvent event) {
        return event instanceof ExchangeSendingEvent || event instanceof ExchangeSentEvent;
    }

    @Override
    public void notify(CamelEvent event) {
        if (event instanceof ExchangeSendingEvent sending) {
            step(sending.getExchange(), sending.getEndpoint().getEndpointKey()).ifPresent(name -> {
                AgentRun run = sending.getExchange().getProperty(AgentRun.PROPERTY, AgentRun.class);
                Map<String, Object> step = new LinkedHashMap<>();
                step.put("step", name);
                step.put("endpoint", sending.getEndpoint().getEndpointUri());
                step.put("started_at", Instant.now().toString());
                step.put("outcome", "running");
                run.trace.add(step);
                sending.getExchange().setProperty(OPEN + name, step);
            });
        } else if (event instanceof ExchangeSentEvent sent) {
            step(sent.getExchange(), sent.getEndpoint().getEndpointKey()).ifPresent(name -> {
                Exchange exchange = sent.getExchange();
                @SuppressWarnings("unchecked")
                Map<String, Object> step = exchange.getProperty(OPEN + name, Map.class);
                if (step == null) {
                    return;
                }
                exchange.removeProperty(OPEN + name);
                step.put("duration_ms", sent.getTimeTaken());
                Exception error = exchange.getException();
                if (error != null) {
                    step.put("outcome", "failed");
                    step.put("error", error.getMessage());
                } else {
                    step.put("outcome", "ok");
                }
            });
        }
    }

    private static java.util.Optional<String> step(Exchange exchange, String endpointKey) {
        if (exchange == null || exchange.getProperty(AgentRun.PROPERTY) == null || endpointKey == null) {
            return java.util.Optional.empty();
        }
        String key = endpointKey.contains("?") ? endpointKey.substring(0, endpointKey.indexOf('?')) : endpointKey;
        return java.util.Optional.ofNullable(STEPS.get(key));
    }
}
