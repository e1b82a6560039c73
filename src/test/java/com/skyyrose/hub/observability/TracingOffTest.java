package com.skyyrose.hub.observability;

import static org.assertj.core.api.Assertions.assertThat;

import com.skyyrose.hub.support.HubIntegrationTest;
import com.skyyrose.hub.support.TestAuth;
import com.skyyrose.hub.support.TestHttp;
import io.micrometer.tracing.Span;
import io.micrometer.tracing.Tracer;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;

/**
 * Tracing off (no OTEL_EXPORTER_OTLP_ENDPOINT, the default): spans are not recorded (Spring Boot's own sampler would
 * still record every one for no exporter), yet they keep their ids, so a problem document still names its trace; and
 * there is no recording to pause.
 */
class TracingOffTest extends HubIntegrationTest {

    @Autowired
    Tracer tracer;

    @Test
    void spansAreNotRecordedButProblemDocumentsStillNameATrace() {
        Span span = tracer.nextSpan().name("probe").start();
        try {
            assertThat(span.isNoop()).as("a non-recording span").isTrue();
            assertThat(span.context().traceId()).hasSize(32).isNotEqualTo("0".repeat(32));
        } finally {
            span.end();
        }
        TestHttp.Reply problem = http().get("/api/v1/auth/me");
        assertThat(problem.status()).isEqualTo(401);
        assertThat(problem.json().get("traceId").asText()).hasSize(32);
        assertThat(problem.json().get("requestId").asText()).isNotBlank();
    }

    @Test
    void thereIsNoRecordingToPauseOrResume() {
        TestHttp.Reply state = http().get("/api/v1/ops/tracing", TestAuth.admin(http()));
        assertThat(state.status()).as(state.body()).isEqualTo(200);
        assertThat(state.json().path("enabled").asBoolean()).isFalse();
        assertThat(state.json().path("recording").asBoolean()).isFalse();
        TestHttp.Reply resume = http().send(http().request("/api/v1/ops/tracing")
                .PUT(java.net.http.HttpRequest.BodyPublishers.ofString("{\"recording\": true}"))
                .header("Content-Type", "application/json").headers(TestAuth.admin(http())).build());
        assertThat(resume.status()).as(resume.body()).isEqualTo(409);
        assertThat(resume.json().path("detail").asText()).contains("OTEL_EXPORTER_OTLP_ENDPOINT");
    }
}
