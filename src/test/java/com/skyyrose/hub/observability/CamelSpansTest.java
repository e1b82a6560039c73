package com.skyyrose.hub.observability;

import static org.assertj.core.api.Assertions.assertThat;

import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.propagation.W3CTraceContextPropagator;
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SimpleSpanProcessor;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.camel.CamelContext;
import org.apache.camel.ProducerTemplate;
import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.component.mock.MockEndpoint;
import org.apache.camel.impl.DefaultCamelContext;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The hub's Camel spans on a bare Camel context (the whole hub's traces are TraceSpansTest's): the parent of each span,
 * the client span of a call out of the hub and the traceparent it writes into the message, the error status of a
 * failed step, that work a timer polls starts no trace, and that routes open no spans while recording is paused.
 */
class CamelSpansTest {

    final InMemorySpanExporter exported = InMemorySpanExporter.create();
    final SdkTracerProvider provider = SdkTracerProvider.builder()
            .addSpanProcessor(SimpleSpanProcessor.create(exported)).build();
    final java.util.concurrent.atomic.AtomicInteger polls = new java.util.concurrent.atomic.AtomicInteger();
    final SpanRecording recording = new SpanRecording();
    CamelContext camel;

    @BeforeEach
    void start() throws Exception {
        camel = new DefaultCamelContext();
        CamelTracing.CamelSpans spans = new CamelTracing.CamelSpans(provider.get("test"),
                W3CTraceContextPropagator.getInstance(), recording);
        camel.addRoutePolicyFactory(spans);
        camel.getCamelContextExtension().addInterceptStrategy(spans);
        camel.addRoutes(new RouteBuilder() {
            @Override
            public void configure() {
                from("direct:entry").routeId("entry")
                        .process(e -> e.getMessage().setHeader("seen", "yes"))
                        .to("direct:inner")
                        .to("mock:vendor?retainFirst=10");
                from("direct:inner").routeId("inner")
                        .process(e -> {
                            if ("fail".equals(e.getMessage().getBody())) {
                                throw new IllegalStateException("refused");
                            }
                        });
                from("timer:poll?period=20").routeId("poller").to("direct:polled");
                from("direct:polled").routeId("polled").process(e -> polls.incrementAndGet());
            }
        });
        camel.start();
    }

    @AfterEach
    void stop() {
        camel.stop();
        provider.close();
    }

    SpanData named(String name) {
        return exported.getFinishedSpanItems().stream().filter(s -> s.getName().equals(name)).findFirst()
                .orElseThrow(() -> new AssertionError(name + " not in " + names()));
    }

    List<String> names() {
        return exported.getFinishedSpanItems().stream().map(SpanData::getName).toList();
    }

    @Test
    void routesStepsAndACallOutAreSpansOfTheCallersTrace() throws Exception {
        String traceId = "4bf92f3577b34da6a3ce929d0e0e4736";
        ProducerTemplate template = camel.createProducerTemplate();
        template.sendBodyAndHeaders("direct:entry", "hello",
                Map.of("traceparent", "00-" + traceId + "-00f067aa0ba902b7-01"));

        SpanData entry = named("entry");
        assertThat(entry.getTraceId()).isEqualTo(traceId);
        assertThat(entry.getParentSpanId()).isEqualTo("00f067aa0ba902b7");
        assertThat(entry.getKind()).isEqualTo(SpanKind.SERVER);
        // a call to a direct: route is one span, the route's, a child of the route that called it
        SpanData inner = named("inner");
        assertThat(inner.getParentSpanId()).isEqualTo(entry.getSpanId());
        assertThat(inner.getKind()).isEqualTo(SpanKind.INTERNAL);
        assertThat(names()).noneMatch(n -> n.contains("direct:inner"));
        // each step is a span under its route
        assertThat(exported.getFinishedSpanItems().stream().filter(s -> s.getName().startsWith("process ")))
                .extracting(SpanData::getParentSpanId).containsExactlyInAnyOrder(entry.getSpanId(), inner.getSpanId());
        // a call out of the hub: a client span, whose traceparent the outgoing message carries
        SpanData call = named("to mock:vendor");
        assertThat(call.getKind()).isEqualTo(SpanKind.CLIENT);
        assertThat(call.getParentSpanId()).isEqualTo(entry.getSpanId());
        MockEndpoint vendor = camel.getEndpoint("mock:vendor?retainFirst=10", MockEndpoint.class);
        assertThat(vendor.getExchanges().get(0).getMessage().getHeader("traceparent", String.class))
                .isEqualTo("00-" + traceId + "-" + call.getSpanId() + "-01");
        // spans carry no URI, exchange id or other per-message attributes
        assertThat(entry.getAttributes().isEmpty()).isTrue();
    }

    @Test
    void aFailedStepAndItsRouteEndInError() {
        ProducerTemplate template = camel.createProducerTemplate();
        try {
            template.sendBody("direct:entry", "fail");
        } catch (RuntimeException expected) {
            // the caller gets the exception; the spans say where it happened
        }
        SpanData inner = named("inner");
        assertThat(inner.getStatus().getStatusCode()).isEqualTo(StatusCode.ERROR);
        assertThat(inner.getAttributes().get(CamelTracing.CamelSpans.ERROR_TYPE))
                .isEqualTo(IllegalStateException.class.getName());
        assertThat(named("entry").getStatus().getStatusCode()).isEqualTo(StatusCode.ERROR);
        // a new trace: no caller sent one
        assertThat(named("entry").getParentSpanId()).isEqualTo("0000000000000000");
    }

    @Test
    void workATimerPollsStartsNoTrace() {
        // the timer fires every 20 ms and calls direct:polled, a route that is traced when traced work calls it
        Awaitility.await().atMost(5, TimeUnit.SECONDS).until(() -> polls.get() >= 5);
        assertThat(camel.getRoute("polled").getRoutePolicyList()).isNotEmpty();
        assertThat(names()).isEmpty();
    }

    @Test
    void pausedRoutesOpenNoSpansEvenForACallersSampledTrace() {
        ProducerTemplate template = camel.createProducerTemplate();
        Map<String, Object> sampled = Map.of("traceparent", "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01");
        recording.set(false, "test");
        template.sendBodyAndHeaders("direct:entry", "hello", sampled);
        assertThat(names()).isEmpty();
        // the message still went through every step
        assertThat(camel.getEndpoint("mock:vendor?retainFirst=10", MockEndpoint.class).getExchanges()).hasSize(1);

        recording.set(true, "test");
        template.sendBodyAndHeaders("direct:entry", "hello", sampled);
        assertThat(names()).contains("entry", "inner", "to mock:vendor");
    }
}
