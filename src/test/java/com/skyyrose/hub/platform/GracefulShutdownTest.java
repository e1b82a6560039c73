package com.skyyrose.hub.platform;

import static org.assertj.core.api.Assertions.assertThat;

import com.skyyrose.hub.fakes.AnthropicFake;
import com.skyyrose.hub.fakes.GeminiFake;
import com.skyyrose.hub.fakes.LlmVendorFake;
import com.skyyrose.hub.fakes.OpenAiFake;
import com.skyyrose.hub.support.HubIntegrationTest;
import com.skyyrose.hub.support.RunningHub;
import com.skyyrose.hub.support.TestAuth;
import com.skyyrose.hub.support.TestHttp;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/**
 * Zero-downtime deploys: as soon as shutdown begins readiness answers 503 (so the platform drains the instance),
 * while a request already in flight — an agent run waiting on its LLM panel — still completes.
 */
class GracefulShutdownTest {

    static final OpenAiFake OPENAI = new OpenAiFake();
    static final AnthropicFake ANTHROPIC = new AnthropicFake();
    static final GeminiFake GEMINI = new GeminiFake();
    static final List<LlmVendorFake> PANEL = List.of(OPENAI, ANTHROPIC, GEMINI);

    @AfterAll
    static void stop() {
        PANEL.forEach(LlmVendorFake::close);
    }

    @Test
    void readinessIsDownFromTheFirstMomentOfShutdownAndInFlightRequestsFinish() throws Exception {
        List<String> settings = new ArrayList<>(List.of("DATABASE_URL=" + HubIntegrationTest.TEST_DATABASE_URL,
                "REDIS_URL=" + HubIntegrationTest.TEST_REDIS_URL, "HUB_LLM_JUDGE=never",
                "HUB_ROUTES_RELOAD=false", "HUB_SHUTDOWN_DRAIN_DELAY=3s"));
        for (LlmVendorFake fake : PANEL) {
            fake.env().forEach((k, v) -> settings.add(k + "=" + v));
        }
        PANEL.forEach(f -> f.answersAfter(3000, "{\"answer\":\"Still here.\",\"actions\":[]}"));
        RunningHub hub = RunningHub.start(settings.toArray(String[]::new));
        CompletableFuture<Void> closing = null;
        try {
            hub.await("/health/ready", r -> r.status() == 200, Duration.ofSeconds(30));
            String[] admin = TestAuth.admin(hub.http());
            CompletableFuture<TestHttp.Reply> inFlight = CompletableFuture.supplyAsync(() -> hub.http().postJson(
                    "/api/v1/agents/support/runs", "{\"task\":\"Can I return a hoodie?\"}", admin));
            // the run is under way (its LLM calls are waiting) before the shutdown starts
            long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
            while (OPENAI.requests().isEmpty() && System.nanoTime() < deadline) {
                Thread.sleep(50);
            }
            assertThat(OPENAI.requests()).as("the run reached the panel").isNotEmpty();

            long shutdownStarted = System.nanoTime();
            closing = CompletableFuture.runAsync(hub::close);
            TestHttp.Reply ready = hub.await("/health/ready", r -> r.status() == 503, Duration.ofSeconds(2));
            long downAfterMs = (System.nanoTime() - shutdownStarted) / 1_000_000;
            assertThat(ready.body()).contains("\"instance\"").contains("DOWN");
            assertThat(downAfterMs).as("readiness DOWN within the drain delay").isLessThan(2_000);

            TestHttp.Reply run = inFlight.get();
            assertThat(run.status()).as(run.body()).isEqualTo(200);
            assertThat(run.json().get("status").asText()).isEqualTo("succeeded");
        } finally {
            (closing != null ? closing : CompletableFuture.runAsync(hub::close)).get();
        }
    }
}
