package com.skyyrose.hub.tools;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.skyyrose.hub.fakes.TripoFake;
import com.skyyrose.hub.support.HubIntegrationTest;
import com.skyyrose.hub.support.RunningHub;
import com.skyyrose.hub.support.TestAuth;
import com.skyyrose.hub.support.TestHttp;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/** Jobs live in PostgreSQL: polling resumes after a restart, and several instances never poll one job at once. */
class TripoRestartTest {

    static final TripoFake TRIPO = new TripoFake();

    @AfterAll
    static void stop() {
        TRIPO.close();
    }

    static RunningHub hub() {
        RunningHub hub = RunningHub.start("DATABASE_URL=" + HubIntegrationTest.TEST_DATABASE_URL,
                "REDIS_URL=" + HubIntegrationTest.TEST_REDIS_URL, "HUB_ROUTES_RELOAD=false",
                "TRIPO_BASE_URL=" + TRIPO.baseUrl(), "TRIPO_API_KEY=" + TripoFake.API_KEY,
                "HUB_TOOL_JOBS_POLL_INTERVAL=100", "HUB_TOOL_JOBS_BACKOFF_INITIAL=100ms",
                "HUB_TOOL_JOBS_BACKOFF_MAX=300ms", "HUB_TOOL_JOBS_LEASE=5s");
        // full rate-limit bucket for the caller of tripo3d.generate
        com.skyyrose.hub.support.RateLimitBuckets.clear(
                hub.context().getBean(org.springframework.data.redis.core.StringRedisTemplate.class),
                "tool:tripo3d.generate:");
        return hub;
    }

    static JsonNode job(RunningHub hub, String location) {
        TestHttp.Reply reply = hub.http().get(location, TestAuth.admin(hub.http()));
        assertThat(reply.status()).as(reply.body()).isEqualTo(200);
        return reply.json();
    }

    @Test
    void aJobSurvivesARestartMidPollAndCompletes() {
        TRIPO.reset();
        TRIPO.nextTasksGo("queued", "running");
        String location;
        String taskId;
        try (RunningHub first = hub()) {
            TestHttp.Reply accepted = first.http().postJson("/api/v1/3d/generate", "{\"prompt\": \"restart me\"}",
                    TestAuth.admin(first.http()));
            assertThat(accepted.status()).as(accepted.body()).isEqualTo(202);
            location = accepted.header("Location").orElseThrow();
            taskId = accepted.json().get("vendor_task_id").asText();
            first.await(location, TestAuth.admin(first.http()), r -> r.json().get("status").asText().equals("running"), Duration.ofSeconds(20));
        }
        int pollsBefore = TRIPO.task(taskId).served.size();
        TRIPO.finish(taskId, "success");
        try (RunningHub second = hub()) {
            JsonNode done = second.await(location, TestAuth.admin(second.http()), r -> r.json().get("status").asText().equals("succeeded"),
                    Duration.ofSeconds(20)).json();
            assertThat(done.get("result").get("model").asText()).contains(taskId);
            assertThat(TRIPO.task(taskId).served).hasSizeGreaterThan(pollsBefore).endsWith("success");
            assertThat(TRIPO.task(taskId).served.subList(0, 2)).containsExactly("queued", "running");
        }
    }

    @Test
    void twoInstancesNeverPollTheSameJobAtOnce() {
        TRIPO.reset();
        TRIPO.nextTasksGo("queued", "running", "running", "running", "running", "running", "success");
        TRIPO.pollDelay(150);
        try (RunningHub a = hub(); RunningHub b = hub()) {
            List<String> locations = new ArrayList<>();
            for (int i = 0; i < 6; i++) {
                RunningHub via = i % 2 == 0 ? a : b;
                TestHttp.Reply accepted = via.http().postJson("/api/v1/3d/generate", "{\"prompt\": \"job " + i + "\"}",
                        TestAuth.admin(via.http()));
                assertThat(accepted.status()).as(accepted.body()).isEqualTo(202);
                locations.add(accepted.header("Location").orElseThrow());
            }
            for (String location : locations) {
                a.await(location, TestAuth.admin(a.http()), r -> r.json().get("status").asText().equals("succeeded"), Duration.ofSeconds(40));
            }
            assertThat(TRIPO.maxOverlappingPolls()).as("concurrent polls of one task").isEqualTo(1);
            // each task was polled exactly through its sequence once: no double polls
            TRIPO.tasks().forEach(t -> assertThat(t.served).containsExactly("queued", "running", "running", "running",
                    "running", "running", "success"));
        } finally {
            TRIPO.pollDelay(0);
        }
    }
}
