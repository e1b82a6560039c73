package com.skyyrose.hub.agents;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.skyyrose.hub.fakes.LlmVendorFake;
import com.skyyrose.hub.fakes.WooCommerceFake;
import com.skyyrose.hub.security.Permissions;
import com.skyyrose.hub.support.HubIntegrationTest;
import com.skyyrose.hub.support.RunningHub;
import com.skyyrose.hub.support.TestAuth;
import com.skyyrose.hub.support.TestHttp;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * Support's escalations are a work queue for people: an escalated run opens a case (and hands it to
 * direct:escalation-notify), operators list, claim and resolve it under /api/v1/escalations, conflicting transitions
 * are 409, and the queue's size and age are gauges on /metrics.
 */
class EscalationsTest extends HubIntegrationTest {

    @RegisterExtension
    static final AgentTestFakes FAKES = new AgentTestFakes();
    static final List<LlmVendorFake> PANEL = FAKES.panel;
    static final WooCommerceFake STORE = FAKES.store;

    @DynamicPropertySource
    static void fakes(DynamicPropertyRegistry registry) {
        FAKES.register(registry);
    }

    @Autowired
    JdbcTemplate jdbc;

    @BeforeEach
    void reset() {
        PANEL.forEach(LlmVendorFake::reset);
        PANEL.forEach(f -> f.answers("{\"answer\":\"Happy to help.\",\"actions\":[]}"));
    }

    String[] operatorA() {
        return TestAuth.withPermissions(http(), "agents:escalations", "agents:run");
    }

    String[] operatorB() {
        return TestAuth.withPermissions(http(), "agents:escalations", "agents:read");
    }

    /** A Support run that escalates (a legal threat): its run and its escalation. */
    JsonNode escalate(String task) {
        TestHttp.Reply reply = http().postJson("/api/v1/agents/support/runs", "{\"task\":\"" + task + "\"}",
                TestAuth.admin(http()));
        assertThat(reply.status()).as(reply.body()).isEqualTo(200);
        JsonNode run = reply.json();
        assertThat(run.get("status").asText()).isEqualTo("escalated");
        return run;
    }

    @Test
    void anEscalatedRunOpensACaseInTheQueueAndHandsItToTheNotifyRoute() {
        // direct:escalation-notify logs each new case by default (the hand-off engineers point at e-mail or Slack)
        ch.qos.logback.classic.Logger notifyLog = (ch.qos.logback.classic.Logger) org.slf4j.LoggerFactory
                .getLogger("com.skyyrose.hub.escalations");
        ch.qos.logback.core.read.ListAppender<ch.qos.logback.classic.spi.ILoggingEvent> notified =
                new ch.qos.logback.core.read.ListAppender<>();
        notified.start();
        notifyLog.addAppender(notified);
        String task = "My lawyer will call you about order " + UUID.randomUUID() + ".";
        JsonNode run = escalate(task);
        String id = run.get("escalation").get("id").asText();
        assertThat(PANEL.stream().mapToInt(f -> f.requests().size()).sum()).isZero();
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (notified.list.stream().noneMatch(l -> l.getFormattedMessage().contains(id))
                && System.nanoTime() < deadline) {
            RunningHub.sleep(50);
        }
        notifyLog.detachAppender(notified);
        assertThat(notified.list).extracting(ch.qos.logback.classic.spi.ILoggingEvent::getFormattedMessage)
                .anyMatch(m -> m.equals("escalation " + id + " opened in support-escalations (legal threat) for run "
                        + run.get("id").asText()));

        TestHttp.Reply one = http().get("/api/v1/escalations/" + id, operatorA());
        assertThat(one.status()).as(one.body()).isEqualTo(200);
        JsonNode e = one.json();
        assertThat(e.get("status").asText()).isEqualTo("open");
        assertThat(e.get("queue").asText()).isEqualTo("support-escalations");
        assertThat(e.get("agent").asText()).isEqualTo("support");
        assertThat(e.get("rule").asText()).isEqualTo("legal threat");
        assertThat(e.get("facts").get("legal_threat").asBoolean()).isTrue();
        assertThat(e.get("task").asText()).isEqualTo(task);
        assertThat(e.get("run_id").asText()).isEqualTo(run.get("id").asText());
        // the stored run points at its case
        JsonNode stored = http().get("/api/v1/runs/" + run.get("id").asText(), TestAuth.admin(http())).json();
        assertThat(stored.get("escalation").get("id").asText()).isEqualTo(id);

        // the open queue lists it, oldest first, with the total in X-Total-Count
        TestHttp.Reply open = http().get("/api/v1/escalations?status=open&limit=200", operatorA());
        assertThat(open.status()).isEqualTo(200);
        long total = Long.parseLong(open.header("X-Total-Count").orElseThrow());
        assertThat(open.json().get("total").asLong()).isEqualTo(total);
        assertThat(total).isEqualTo(jdbc.queryForObject(
                "SELECT count(*) FROM agent_escalation WHERE status = 'open'", Long.class));
        List<String> ids = new ArrayList<>();
        List<String> created = new ArrayList<>();
        open.json().get("items").forEach(i -> {
            ids.add(i.get("id").asText());
            created.add(i.get("created_at").asText());
            assertThat(i.get("status").asText()).isEqualTo("open");
        });
        assertThat(ids).contains(id);
        assertThat(created).isSortedAccordingTo(java.util.Comparator.comparing(java.time.Instant::parse));
        JsonNode page = http().get("/api/v1/escalations?status=open&limit=1&offset=0", operatorA()).json();
        assertThat(page.get("items")).hasSize(1);
        assertThat(http().get("/api/v1/escalations?status=resolved", operatorA()).json().get("items").toString())
                .doesNotContain(id);
        assertThat(http().get("/api/v1/escalations?status=closed", operatorA()).status()).isEqualTo(400);
    }

    @Test
    void operatorsClaimAndResolveAndConflictingTransitionsAre409() {
        String id = escalate("I am going to sue over my order.").get("escalation").get("id").asText();
        String claim = "/api/v1/escalations/" + id + "/claim";
        String resolve = "/api/v1/escalations/" + id + "/resolve";

        TestHttp.Reply claimed = http().postJson(claim, "", operatorA());
        assertThat(claimed.status()).as(claimed.body()).isEqualTo(200);
        assertThat(claimed.json().get("status").asText()).isEqualTo("claimed");
        String a = claimed.json().get("claimed_by").asText();
        assertThat(a).isNotBlank();
        // claiming one's own case again changes nothing; someone else's is a conflict
        assertThat(http().postJson(claim, "", operatorA()).json().get("claimed_by").asText()).isEqualTo(a);
        TestHttp.Reply stolen = http().postJson(claim, "", operatorB());
        assertThat(stolen.status()).isEqualTo(409);
        assertThat(stolen.contentType()).startsWith("application/problem+json");
        assertThat(stolen.json().get("detail").asText()).contains("claimed by " + a);
        assertThat(http().postJson(resolve, "{\"resolution\":\"Not mine to close.\"}", operatorB()).status())
                .isEqualTo(409);

        // a resolution is required
        assertThat(http().postJson(resolve, "{}", operatorA()).status()).isEqualTo(400);
        assertThat(http().postJson(resolve, "{\"resolution\":\"   \"}", operatorA()).status()).isEqualTo(400);
        TestHttp.Reply resolved = http().postJson(resolve,
                "{\"resolution\":\"Called the customer; refund of shipping issued.\"}", operatorA());
        assertThat(resolved.status()).as(resolved.body()).isEqualTo(200);
        assertThat(resolved.json().get("status").asText()).isEqualTo("resolved");
        assertThat(resolved.json().get("resolved_by").asText()).isEqualTo(a);
        assertThat(resolved.json().get("resolution").asText()).isEqualTo("Called the customer; refund of shipping issued.");
        assertThat(resolved.json().get("resolved_at").asText()).isNotBlank();

        // a resolved case stays resolved
        assertThat(http().postJson(claim, "", operatorB()).status()).isEqualTo(409);
        assertThat(http().postJson(resolve, "{\"resolution\":\"again\"}", operatorA()).status()).isEqualTo(409);
        assertThat(jdbc.queryForObject("SELECT resolution FROM agent_escalation WHERE id = ?::uuid", String.class, id))
                .isEqualTo("Called the customer; refund of shipping issued.");

        // an open case may be resolved directly; an admin may close a case someone else claimed
        String direct = escalate("Lawsuit incoming about my parcel.").get("escalation").get("id").asText();
        TestHttp.Reply closed = http().postJson("/api/v1/escalations/" + direct + "/resolve",
                "{\"resolution\":\"Duplicate of an earlier case.\"}", operatorB());
        assertThat(closed.status()).isEqualTo(200);
        assertThat(closed.json().get("claimed_by").asText()).isEqualTo(closed.json().get("resolved_by").asText());
        String held = escalate("My attorney has the receipts.").get("escalation").get("id").asText();
        assertThat(http().postJson("/api/v1/escalations/" + held + "/claim", "", operatorB()).status()).isEqualTo(200);
        assertThat(http().postJson("/api/v1/escalations/" + held + "/resolve", "{\"resolution\":\"Handled by the lead.\"}",
                TestAuth.admin(http())).status()).isEqualTo(200);

        assertThat(http().postJson("/api/v1/escalations/" + UUID.randomUUID() + "/claim", "", operatorA()).status())
                .isEqualTo(404);
    }

    @Test
    void onlyOperatorsAndAdminsWorkTheQueue() {
        String id = escalate("Small claims court is next.").get("escalation").get("id").asText();
        String[] reader = TestAuth.withPermissions(http(), "agents:read", "agents:run");
        assertThat(http().get("/api/v1/escalations", reader).status()).isEqualTo(403);
        assertThat(http().postJson("/api/v1/escalations/" + id + "/claim", "", reader).status()).isEqualTo(403);
        assertThat(http().get("/api/v1/escalations").status()).isEqualTo(401);
        assertThat(http().get("/api/v1/escalations/" + id, operatorA()).json().get("status").asText())
                .isEqualTo("open");
        // the role table: operators (agents:*) and admins hold agents:escalations; editors and viewers do not
        assertThat(Permissions.allows(Permissions.grantsOf("operator"), "agents:escalations")).isTrue();
        assertThat(Permissions.allows(Permissions.grantsOf("admin"), "agents:escalations")).isTrue();
        assertThat(Permissions.allows(Permissions.grantsOf("editor"), "agents:escalations")).isFalse();
        assertThat(Permissions.allows(Permissions.grantsOf("viewer"), "agents:escalations")).isFalse();
    }

    @Test
    void theQueueSizeAndTheOldestOpenCaseAreGauges() {
        String id = escalate("I will see you in court.").get("escalation").get("id").asText();
        // this case has waited ten minutes
        jdbc.update("UPDATE agent_escalation SET created_at = now() - interval '10 minutes' WHERE id = ?::uuid", id);
        String metrics = awaitMetrics(m -> AgentEndToEndTest.sample(m,
                "hub_agents_escalations_oldest_open_age_seconds") >= 600);
        long open = jdbc.queryForObject("SELECT count(*) FROM agent_escalation WHERE status = 'open'", Long.class);
        assertThat(AgentEndToEndTest.sample(metrics, "hub_agents_escalations", "status=\"open\"")).isEqualTo((double) open);
        double opened = AgentEndToEndTest.sample(metrics, "hub_agents_escalations_transitions_total",
                "agent=\"support\"", "to=\"open\"");
        assertThat(opened).isGreaterThanOrEqualTo(1);

        assertThat(http().postJson("/api/v1/escalations/" + id + "/claim", "", operatorA()).status()).isEqualTo(200);
        String after = awaitMetrics(m -> AgentEndToEndTest.sample(m, "hub_agents_escalations", "status=\"open\"")
                == open - 1);
        // the claimed case no longer counts: the gauge is the age of the oldest case still open (other tests' cases
        // in a reused database included), not this case's ten minutes
        Double oldestOpen = jdbc.queryForObject("SELECT extract(epoch FROM now() - min(created_at))::float8 "
                + "FROM agent_escalation WHERE status = 'open'", Double.class);
        assertThat(AgentEndToEndTest.sample(after, "hub_agents_escalations_oldest_open_age_seconds"))
                .isCloseTo(oldestOpen == null ? 0 : oldestOpen, org.assertj.core.data.Offset.offset(5.0));
        assertThat(AgentEndToEndTest.sample(after, "hub_agents_escalations", "status=\"claimed\"")).isEqualTo(
                jdbc.queryForObject("SELECT count(*) FROM agent_escalation WHERE status = 'claimed'", Double.class));
        assertThat(http().postJson("/api/v1/escalations/" + id + "/resolve", "{\"resolution\":\"Settled.\"}",
                operatorA()).status()).isEqualTo(200);
    }

    private String awaitMetrics(java.util.function.Predicate<String> ready) {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        String last = "";
        while (System.nanoTime() < deadline) {
            last = http().get("/metrics").body();
            if (ready.test(last)) {
                return last;
            }
            RunningHub.sleep(200);
        }
        throw new AssertionError("metrics never got there: " + last.lines()
                .filter(l -> l.startsWith("hub_agents_escalations")).toList());
    }
}
