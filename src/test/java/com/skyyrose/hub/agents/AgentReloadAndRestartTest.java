package com.skyyrose.hub.agents;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.skyyrose.hub.fakes.AnthropicFake;
import com.skyyrose.hub.fakes.GeminiFake;
import com.skyyrose.hub.fakes.LlmVendorFake;
import com.skyyrose.hub.fakes.OpenAiFake;
import com.skyyrose.hub.support.HubIntegrationTest;
import com.skyyrose.hub.support.RunningHub;
import com.skyyrose.hub.support.TestAuth;
import com.skyyrose.hub.support.TestHttp;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.util.FileSystemUtils;

/** An agent is its YAML file: an edit changes the next run; a broken edit keeps the old agent. Runs survive restarts. */
class AgentReloadAndRestartTest {

    static final OpenAiFake OPENAI = new OpenAiFake();
    static final AnthropicFake ANTHROPIC = new AnthropicFake();
    static final GeminiFake GEMINI = new GeminiFake();
    static final List<LlmVendorFake> PANEL = List.of(OPENAI, ANTHROPIC, GEMINI);

    @TempDir
    Path routes;

    @AfterAll
    static void stop() {
        PANEL.forEach(LlmVendorFake::close);
    }

    @BeforeEach
    void reset() {
        PANEL.forEach(LlmVendorFake::reset);
    }

    static List<String> settings(String... more) {
        List<String> out = new ArrayList<>(List.of("DATABASE_URL=" + HubIntegrationTest.TEST_DATABASE_URL,
                "REDIS_URL=" + HubIntegrationTest.TEST_REDIS_URL, "HUB_LLM_JUDGE=never"));
        for (LlmVendorFake fake : PANEL) {
            fake.env().forEach((k, v) -> out.add(k + "=" + v));
        }
        out.addAll(List.of(more));
        return out;
    }

    @Test
    void editingSupportYamlChangesTheNextRunsPromptAndABrokenEditKeepsTheOldAgent() throws Exception {
        FileSystemUtils.copyRecursively(Path.of("routes"), routes);
        Path support = routes.resolve("agents/support.camel.yaml");
        PANEL.forEach(f -> f.answers("{\"answer\":\"Happy to help.\",\"actions\":[]}"));
        try (RunningHub hub = RunningHub.start(settings("HUB_ROUTES_DIR=" + routes, "HUB_ROUTES_RELOAD=true")
                .toArray(String[]::new))) {
            String[] admin = TestAuth.admin(hub.http());
            String task = "{\"task\":\"Can I return a hoodie?\"}";
            JsonNode first = hub.http().postJson("/api/v1/agents/support/runs", task, admin).json();
            assertThat(first.get("status").asText()).isEqualTo("succeeded");
            assertThat(OPENAI.requests().get(0).getBodyAsString()).doesNotContain("Sign every reply as the Rose Desk");

            String original = Files.readString(support);
            String line = "              You answer SkyyRose customers warmly and precisely, in the brand voice.\n";
            assertThat(original).contains(line);
            write(support, original.replace(line, line + "              Sign every reply as the Rose Desk.\n"));
            hub.await("/api/v1/agents/support", admin, r -> r.body().contains("Rose Desk"), Duration.ofSeconds(20));

            OPENAI.reset();
            OPENAI.answers("{\"answer\":\"Happy to help.\",\"actions\":[]}");
            JsonNode second = hub.http().postJson("/api/v1/agents/support/runs", task, admin).json();
            assertThat(second.get("status").asText()).isEqualTo("succeeded");
            assertThat(OPENAI.requests().get(0).getBodyAsString()).contains("Sign every reply as the Rose Desk.");

            // a broken edit is rejected: the agent keeps its last good definition and still runs
            double rejected = rejections(hub);
            write(support, "- route:\n    id: agent-support\n    from:\n      uri: direct:agent-support\n"
                    + "      steps:\n        - setVariable: [\n");
            long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
            while (rejections(hub) < rejected + 1 && System.nanoTime() < deadline) {
                RunningHub.sleep(100);
            }
            assertThat(rejections(hub)).isGreaterThanOrEqualTo(rejected + 1);
            TestHttp.Reply agent = hub.http().get("/api/v1/agents/support", admin);
            assertThat(agent.body()).contains("Rose Desk");
            JsonNode third = hub.http().postJson("/api/v1/agents/support/runs", task, admin).json();
            assertThat(third.get("status").asText()).isEqualTo("succeeded");
        }
    }

    @Test
    void aRestartNeverLeavesARunRunning() {
        PANEL.forEach(f -> f.answersAfter(2500, "{\"answer\":\"Slow but sure.\",\"actions\":[]}"));
        String runId;
        String orphan = UUID.randomUUID().toString();
        try (RunningHub first = RunningHub.start(settings("HUB_ROUTES_RELOAD=false").toArray(String[]::new))) {
            String[] headers = TestAuth.plus(TestAuth.admin(first.http()), "Prefer", "respond-async");
            TestHttp.Reply accepted = first.http().postJson("/api/v1/agents/marketing/runs",
                    "{\"task\":\"Plan the Love Hurts launch.\"}", headers);
            assertThat(accepted.status()).isEqualTo(202);
            runId = accepted.json().get("id").asText();
            // a run whose instance died without a word (a crash): only the sweep can finish it
            first.context().getBean(JdbcTemplate.class).update("""
                    INSERT INTO agent_run (id, agent_id, principal_id, status, task, request, request_hash,
                                           instance_id, updated_at)
                    VALUES (?::uuid, 'support', 'crashed-caller', 'running', 'lost in a crash', '{}', 'x',
                            'crashed-instance', now() - interval '10 minutes')
                    """, orphan);
        } // stopped while the run was in flight
        try (RunningHub second = RunningHub.start(settings("HUB_ROUTES_RELOAD=false",
                "HUB_AGENTS_ORPHAN_AFTER=1s", "HUB_AGENTS_SWEEP_PERIOD_MS=300").toArray(String[]::new))) {
            String[] admin = TestAuth.admin(second.http());
            JsonNode run = second.http().get("/api/v1/runs/" + runId, admin).json();
            assertThat(run.get("status").asText()).as(run.toString()).isIn("succeeded", "failed");
            if (run.get("status").asText().equals("failed")) {
                assertThat(run.get("error").asText()).contains("stopped");
            }
            JsonNode swept = second.await("/api/v1/runs/" + orphan, admin,
                    r -> r.status() == 200 && !r.json().get("status").asText().equals("running"),
                    Duration.ofSeconds(20)).json();
            assertThat(swept.get("status").asText()).isEqualTo("failed");
            assertThat(swept.get("error").asText()).contains("crashed-instance").contains("stopped");
        }
    }

    private static double rejections(RunningHub hub) {
        Counter counter = hub.context().getBean(MeterRegistry.class).find("hub.routes.reloads")
                .tag("outcome", "rejected").counter();
        return counter == null ? 0 : counter.count();
    }

    private static void write(Path file, String content) throws IOException {
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        Files.writeString(tmp, content);
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }
}
