package com.skyyrose.hub.observability;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.github.tomakehurst.wiremock.WireMockServer;
import com.skyyrose.hub.agents.AgentTestFakes;
import com.skyyrose.hub.fakes.LlmVendorFake;
import com.skyyrose.hub.support.HubIntegrationTest;
import com.skyyrose.hub.support.RunningHub;
import com.skyyrose.hub.support.TestAuth;
import com.skyyrose.hub.support.TestHttp;
import com.skyyrose.hub.webhooks.WooCommerceSender;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.opentelemetry.sdk.trace.data.SpanData;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Set;
import java.util.function.Predicate;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Import;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.test.context.TestPropertySource;

/**
 * Tracing on (an OTLP endpoint configured) and JSON logs: one agent run's trace holds the HTTP request, the Camel
 * routes and steps of its chain and one GenAI client span per provider of the round table, with the conventions'
 * attributes and the trace carried on to each vendor; a webhook event's processing continues the trace of the
 * delivery that brought it; a log line of a request is one JSON object carrying that request's trace id.
 * Spans are read from the OpenTelemetry SDK's in-memory exporter, added beside the OTLP one.
 */
@DirtiesContext
@Import(TraceSpansTest.Spans.class)
@ExtendWith(OutputCaptureExtension.class)
@TestPropertySource(properties = {
        "WOOCOMMERCE_WEBHOOK_SECRET=trace-secret",
        "HUB_WEBHOOKS_POLL_INTERVAL=50ms",
        "HUB_WEBHOOKS_RECONCILE_ENABLED=false"
})
class TraceSpansTest extends HubIntegrationTest {

    static final InMemorySpanExporter SPANS = InMemorySpanExporter.create();
    static final WireMockServer COLLECTOR = new WireMockServer(options().dynamicPort());

    @RegisterExtension
    static final AgentTestFakes FAKES = new AgentTestFakes();

    static {
        COLLECTOR.start();
        COLLECTOR.stubFor(post(urlPathEqualTo("/v1/traces")).willReturn(aResponse().withStatus(200)));
        // environment of a deployment, read when the environment is prepared (before dynamic properties)
        System.setProperty("OTEL_EXPORTER_OTLP_ENDPOINT", "http://127.0.0.1:" + COLLECTOR.port());
        System.setProperty("HUB_LOG_FORMAT", "json");
        // logging is set up once per JVM while an earlier test's context is open: forget that set-up, so this
        // context's (JSON) is applied whatever ran before
        org.springframework.boot.logging.LoggingSystem.get(TraceSpansTest.class.getClassLoader()).cleanUp();
    }

    @TestConfiguration
    static class Spans {
        @Bean
        InMemorySpanExporter inMemorySpans() {
            return SPANS;
        }
    }

    @DynamicPropertySource
    static void fakes(DynamicPropertyRegistry registry) {
        FAKES.register(registry);
        // a database of its own: the webhook workers of other cached test hubs would take its event (untraced)
        String database = freshDatabase("tracing");
        registry.add("DATABASE_URL", () -> database);
    }

    @AfterAll
    static void stop() {
        System.clearProperty("OTEL_EXPORTER_OTLP_ENDPOINT");
        System.clearProperty("HUB_LOG_FORMAT");
        COLLECTOR.stop();
    }

    @Autowired
    com.skyyrose.hub.llm.ProviderRegistry providers;

    @Autowired
    io.opentelemetry.sdk.trace.SdkTracerProvider tracerProvider;

    @Autowired
    org.springframework.data.redis.core.StringRedisTemplate redis;

    /** The spans of one trace, once the batch processor has exported some matching {@code until}. */
    static List<SpanData> trace(String traceId, Predicate<List<SpanData>> until) {
        long deadline = System.nanoTime() + 30_000_000_000L;
        List<SpanData> spans = List.of();
        while (System.nanoTime() < deadline) {
            spans = SPANS.getFinishedSpanItems().stream().filter(s -> s.getTraceId().equals(traceId)).toList();
            if (until.test(spans)) {
                return spans;
            }
            RunningHub.sleep(200);
        }
        return spans;
    }

    static Set<String> names(List<SpanData> spans) {
        return spans.stream().map(SpanData::getName).collect(Collectors.toCollection(java.util.TreeSet::new));
    }

    @Test
    void anAgentRunsTraceShowsItsChainStepsAndEachProviderCall() {
        FAKES.panel.forEach(LlmVendorFake::reset);
        FAKES.panel.forEach(f -> f.answers("{\"answer\":\"All drops ship within two days.\",\"actions\":[]}"));
        String traceId = "5af7651916cd43dd8448eb211c80319c";
        TestHttp.Reply reply = http().postJson("/api/v1/agents/marketing/runs",
                // a task of its own: an identical earlier task would be answered from the cache, without the panel
                "{\"task\":\"Draft a one-line teaser for drop " + System.nanoTime() + ".\"}",
                TestAuth.plus(TestAuth.admin(http()), "traceparent", "00-" + traceId + "-b7ad6b7169203331-01"));
        assertThat(reply.status()).as(reply.body()).isEqualTo(200);
        // the run names its trace (the console shows it on a failed run)
        assertThat(reply.json().path("trace_id").asText()).isEqualTo(traceId);

        List<SpanData> spans = trace(traceId, s -> s.stream().filter(TraceSpansTest::genAi).count() >= 3
                && names(s).contains("round-table"));
        Set<String> names = names(spans);
        // Camel: the chain's routes and the steps that do work, in the request's trace
        assertThat(names).as(names.toString()).contains("round-table");
        assertThat(names.stream().filter(n -> n.startsWith("bean ")).count()).as(names.toString())
                .isGreaterThanOrEqualTo(3);
        assertThat(names.stream().anyMatch(n -> n.startsWith("recipientList "))).as(names.toString()).isTrue();
        // the exporters get the SDK's own spans (observability/SpanExport), all with the provider's one resource, so
        // the OTLP exporter sends it once per batch; Micrometer's copy in between made a resource per span and call
        assertThat(spans).allSatisfy(s -> assertThat(s.getResource()).isSameAs(spans.get(0).getResource()));
        // a call to a direct: route is one span, the route's (no client span around it repeating its name)
        assertThat(spans.stream().filter(s -> s.getName().equals("round-table")).count()).isEqualTo(1);
        // routes entered in-process and steps are internal spans; only the request's entry is a server span
        assertThat(spans.stream().filter(s -> s.getName().equals("round-table")).findFirst().orElseThrow().getKind())
                .isEqualTo(io.opentelemetry.api.trace.SpanKind.INTERNAL);
        // its PostgreSQL statements and Redis commands are client spans in the same trace, under the step that made
        // them, with the statement's values replaced by ? and no Redis arguments (observability/DataSpans)
        for (String system : List.of("postgresql", "redis")) {
            List<SpanData> calls = spans.stream().filter(sp -> system.equals(dbSystem(sp))).toList();
            assertThat(calls).as(system + " spans in " + names).isNotEmpty();
            assertThat(calls).allSatisfy(call -> {
                assertThat(call.getKind()).isEqualTo(io.opentelemetry.api.trace.SpanKind.CLIENT);
                assertThat(spans.stream().anyMatch(sp -> sp.getSpanId().equals(call.getParentSpanId()))).isTrue();
            });
        }
        assertThat(spans.stream().map(sp -> sp.getAttributes().get(AttributeKey.stringKey("db.statement")))
                .filter(java.util.Objects::nonNull)).as("statements").isNotEmpty()
                .noneMatch(statement -> statement.contains("Draft a one-line teaser"));
        // one GenAI client span per provider, with the semantic conventions' attributes and the token usage
        List<SpanData> calls = spans.stream().filter(TraceSpansTest::genAi).toList();
        assertThat(calls).as(names.toString()).hasSize(3);
        assertThat(calls.stream().map(c -> c.getAttributes().get(AttributeKey.stringKey("gen_ai.system"))))
                .containsExactlyInAnyOrder("openai", "anthropic", "gcp.gemini");
        for (SpanData call : calls) {
            String model = call.getAttributes().get(AttributeKey.stringKey("gen_ai.request.model"));
            assertThat(call.getName()).isEqualTo("chat " + model);
            assertThat(call.getKind()).isEqualTo(io.opentelemetry.api.trace.SpanKind.CLIENT);
            assertThat(call.getAttributes().get(AttributeKey.longKey("gen_ai.usage.input_tokens"))).isPositive();
            assertThat(call.getAttributes().get(AttributeKey.longKey("gen_ai.usage.output_tokens"))).isPositive();
            // a child of the round table's branch for that provider, not a trace of its own
            assertThat(spans.stream().anyMatch(s -> s.getSpanId().equals(call.getParentSpanId()))).isTrue();
        }
        // each vendor was called with the trace carried on, from within that provider's GenAI span (the provider's
        // route and its breaker run inside it)
        java.util.Map<String, SpanData> byId = spans.stream().collect(Collectors.toMap(SpanData::getSpanId, x -> x));
        for (LlmVendorFake fake : FAKES.panel) {
            String sent = fake.requests().get(0).getHeader("traceparent");
            assertThat(sent).as(fake.getClass().getSimpleName()).startsWith("00-" + traceId + "-");
            SpanData span = byId.get(sent.split("-")[2]);
            while (span != null && !genAi(span)) {
                span = byId.get(span.getParentSpanId());
            }
            assertThat(span).as("a GenAI span above the vendor call of " + fake.getClass().getSimpleName())
                    .isNotNull();
        }
    }

    static String dbSystem(SpanData s) {
        return s.getAttributes().get(AttributeKey.stringKey("db.system"));
    }

    static boolean genAi(SpanData s) {
        return s.getAttributes().get(AttributeKey.stringKey("gen_ai.system")) != null;
    }

    /** A signed WooCommerce delivery of {@code topic} carrying the caller's trace; asserts it was accepted. */
    private TestHttp.Reply deliver(String topic, String body, String traceId) {
        String[] resourceEvent = topic.split("\\.");
        TestHttp.Reply reply = http().send(http().request("/webhooks/woocommerce/default")
                .POST(HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8))
                .header("Content-Type", "application/json")
                .header("X-WC-Webhook-Topic", topic)
                .header("X-WC-Webhook-Resource", resourceEvent[0])
                .header("X-WC-Webhook-Event", resourceEvent[1])
                .header("X-WC-Webhook-Signature", WooCommerceSender.sign("trace-secret", body))
                .header("traceparent", "00-" + traceId + "-00f067aa0ba902b7-01").build());
        assertThat(reply.status()).as(reply.body()).isEqualTo(200);
        return reply;
    }

    @Test
    void aWebhookEventsProcessingContinuesTheTraceOfItsDelivery() {
        String traceId = "6bf92f3577b34da6a3ce929d0e0e4736";
        String body = WooCommerceSender.wpJson(WooCommerceSender.sample("product")
                .put("id", java.util.concurrent.ThreadLocalRandom.current().nextLong(1_000_000, Long.MAX_VALUE / 4)));
        TestHttp.Reply reply = deliver("product.updated", body, traceId);

        List<SpanData> spans = trace(traceId, s -> names(s).contains("webhook product.updated")
                && names(s).contains("webhook-dispatch"));
        Set<String> names = names(spans);
        assertThat(names).as(names.toString()).contains("webhook product.updated", "webhook-dispatch");
        SpanData worker = spans.stream().filter(s -> s.getName().equals("webhook product.updated")).findFirst()
                .orElseThrow();
        assertThat(worker.getAttributes().get(AttributeKey.stringKey("hub.webhook.event_id")))
                .isEqualTo(reply.json().get("eventId").asText());
        // the worker's span hangs under the intake's spans (same trace, parent among them)
        assertThat(spans.stream().anyMatch(s -> s.getSpanId().equals(worker.getParentSpanId()))).isTrue();
        // the events API (and the console's inbox) name the trace
        TestHttp.Reply event = http().get("/api/v1/webhooks/events/" + reply.json().get("eventId").asText(),
                TestAuth.admin(http()));
        assertThat(event.json().path("traceId").asText()).isEqualTo(traceId);
    }

    @Test
    void anAgentRunStartedByAWebhookHandOffCarriesTheTraceOfTheDelivery() {
        String traceId = "8af92f3577b34da6a3ce929d0e0e4737";
        long orderId = java.util.concurrent.ThreadLocalRandom.current().nextLong(1_000_000, 1_000_000_000L);
        String body = WooCommerceSender.wpJson(WooCommerceSender.sample("order").put("id", orderId)
                .put("customer_note", "Could you gift-wrap it, please? It is a present."));
        TestHttp.Reply reply = deliver("order.created", body, traceId);
        String eventId = reply.json().get("eventId").asText();

        // intake → event worker → hand-off worker → the Support run and its round table: one trace
        List<SpanData> spans = trace(traceId, s -> names(s).contains("handoff agent.support.order-note")
                && s.stream().anyMatch(TraceSpansTest::genAi));
        SpanData handoff = spans.stream().filter(s -> s.getName().equals("handoff agent.support.order-note"))
                .findFirst().orElseThrow(() -> new AssertionError(names(spans).toString()));
        assertThat(handoff.getAttributes().get(AttributeKey.stringKey("hub.webhook.event_id"))).isEqualTo(eventId);
        assertThat(spans.stream().anyMatch(s -> s.getSpanId().equals(handoff.getParentSpanId()))).isTrue();
        // the run it started names the trace (the console links a failed run to it)
        com.fasterxml.jackson.databind.JsonNode run = null;
        for (int i = 0; i < 100 && run == null; i++) {
            for (com.fasterxml.jackson.databind.JsonNode r : http().get("/api/v1/runs?trigger=webhook&limit=100",
                    TestAuth.admin(http())).json().get("items")) {
                if (r.at("/trigger/event_id").asText().equals(eventId)) {
                    run = r;
                }
            }
            if (run == null) {
                RunningHub.sleep(200);
            }
        }
        assertThat(run).as("the Support run of event " + eventId).isNotNull();
        assertThat(http().get("/api/v1/runs/" + run.get("id").asText(), TestAuth.admin(http())).json()
                .path("trace_id").asText()).isEqualTo(traceId);
    }

    @Test
    void pausedRecordingLeavesDeliveriesUntracedUntilAnInstanceResumesIt() {
        String[] admin = TestAuth.admin(http());
        try {
            // an operator may look but not switch; a body that says neither on nor off is refused
            String[] operator = TestAuth.withPermissions(http(), "metrics:read", "webhooks:replay");
            assertThat(http().get("/api/v1/ops/tracing", operator).json().path("recording").asBoolean()).isTrue();
            assertThat(putTracing("{\"recording\": false}", operator).status()).isEqualTo(403);
            TestHttp.Reply bad = putTracing("{\"recording\": \"no\"}", admin);
            assertThat(bad.status()).isEqualTo(400);
            assertThat(bad.header("Content-Type").orElseThrow()).startsWith("application/problem+json");

            TestHttp.Reply paused = putTracing("{\"recording\": false}", admin);
            long pausedAt = System.currentTimeMillis() * 1_000_000L; // the request that paused was traced
            assertThat(paused.status()).as(paused.body()).isEqualTo(200);
            assertThat(paused.json().path("enabled").asBoolean()).isTrue();
            assertThat(paused.json().path("recording").asBoolean()).isFalse();
            assertThat(paused.json().path("changed_at").asText()).isNotBlank();
            // kept for instances that start later
            assertThat(redis.opsForValue().get(TracingSwitch.KEY)).isEqualTo("off");

            // a delivery with a sampled traceparent is stored and processed, and records nothing: no span of its
            // own, of the worker, or of the statements and Redis commands made for it
            String untraced = "9af92f3577b34da6a3ce929d0e0e4738";
            String eventId = deliver("product.updated", productBody(), untraced).json().get("eventId").asText();
            awaitProcessed(eventId, admin);
            tracerProvider.forceFlush().join(10, java.util.concurrent.TimeUnit.SECONDS);
            assertThat(SPANS.getFinishedSpanItems().stream().filter(sp -> sp.getStartEpochNanos() > pausedAt)
                    .map(SpanData::getName)).isEmpty();
            JsonNode storedTrace = http().get("/api/v1/webhooks/events/" + eventId, admin).json().path("traceId");
            assertThat(storedTrace.isNull() || storedTrace.isMissingNode()).as(storedTrace.toString()).isTrue();

            // another instance resumes recording: it stores the setting and announces it; this one follows
            redis.opsForValue().set(TracingSwitch.KEY, "on");
            redis.convertAndSend(TracingSwitch.CHANNEL, "on");
            long deadline = System.nanoTime() + 10_000_000_000L;
            while (!http().get("/api/v1/ops/tracing", admin).json().path("recording").asBoolean()
                    && System.nanoTime() < deadline) {
                RunningHub.sleep(100);
            }
            String traced = "aaf92f3577b34da6a3ce929d0e0e4739";
            deliver("product.updated", productBody(), traced);
            assertThat(names(trace(traced, s -> names(s).contains("webhook-dispatch")))).contains(
                    "webhook product.updated", "webhook-dispatch");
        } finally {
            putTracing("{\"recording\": true}", admin);
        }
    }

    private TestHttp.Reply putTracing(String body, String[] auth) {
        return http().send(http().request("/api/v1/ops/tracing")
                .PUT(HttpRequest.BodyPublishers.ofString(body)).header("Content-Type", "application/json")
                .headers(auth).build());
    }

    private static String productBody() {
        return WooCommerceSender.wpJson(WooCommerceSender.sample("product")
                .put("id", java.util.concurrent.ThreadLocalRandom.current().nextLong(1_000_000, Long.MAX_VALUE / 4)));
    }

    private void awaitProcessed(String eventId, String[] auth) {
        long deadline = System.nanoTime() + 30_000_000_000L;
        String status = null;
        while (System.nanoTime() < deadline) {
            status = http().get("/api/v1/webhooks/events/" + eventId, auth).json().path("status").asText();
            if (status.equals("processed")) {
                return;
            }
            RunningHub.sleep(100);
        }
        throw new AssertionError("event " + eventId + " is " + status);
    }

    @Test
    void pollersStartNoTraces() {
        // the webhook workers poll every 50 ms here, the heartbeat and the job pollers on their own timers
        RunningHub.sleep(1500);
        List<String> pollerSpans = SPANS.getFinishedSpanItems().stream().map(SpanData::getName)
                .filter(n -> n.startsWith("timer") || n.startsWith("scheduler") || n.contains("method:drain")
                        || n.contains("webhook-worker") || n.contains("instance-heartbeat"))
                .distinct().toList();
        assertThat(pollerSpans).isEmpty();
        // nor do the queries and Redis commands they make (a client call with no parent is not sampled)
        assertThat(SPANS.getFinishedSpanItems().stream().filter(sp -> dbSystem(sp) != null)
                .filter(sp -> !sp.getParentSpanContext().isValid()).map(SpanData::getName).distinct())
                .isEmpty();
    }

    @Test
    void aRequestsLogLineIsOneJsonObjectWithItsTraceAndPrincipal(CapturedOutput output) throws Exception {
        String traceId = "7cf92f3577b34da6a3ce929d0e0e4736";
        // a brand change logs one INFO line while the request's span is current
        String[] auth = TestAuth.plus(TestAuth.admin(http()), "traceparent", "00-" + traceId + "-00f067aa0ba902b7-01");
        TestHttp.Reply reply = http().send(http().request("/api/v1/brand/context")
                .method("PATCH", HttpRequest.BodyPublishers.ofString(
                        "{\"policies\": {\"gift_wrap\": \"Gift wrap is free (" + System.nanoTime() + ").\"}}"))
                .header("Content-Type", "application/merge-patch+json")
                .headers(auth).build());
        assertThat(reply.status()).as(reply.body()).isEqualTo(200);
        long deadline = System.nanoTime() + 10_000_000_000L;
        JsonNode line = null;
        while (line == null && System.nanoTime() < deadline) {
            for (String text : output.getOut().split("\\R")) {
                if (text.startsWith("{") && text.contains(traceId)) {
                    line = TestHttp.json().readTree(text);
                    break;
                }
            }
            RunningHub.sleep(100);
        }
        assertThat(line).as(output.getOut().lines().filter(l -> l.startsWith("{")).limit(5)
                .collect(Collectors.joining("\n"))).isNotNull();
        assertThat(line.path("trace_id").asText()).isEqualTo(traceId);
        assertThat(line.path("span_id").asText()).hasSize(16);
        assertThat(line.path("request_id").asText()).isEqualTo(reply.header("X-Request-Id").orElseThrow());
        assertThat(line.path("principal_id").asText()).startsWith("user:");
        assertThat(line.path("@timestamp").asText()).isNotBlank();
        assertThat(line.path("log").path("level").asText()).isNotBlank();
    }
}
