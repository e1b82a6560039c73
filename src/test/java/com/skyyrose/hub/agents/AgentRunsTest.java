package com.skyyrose.hub.agents;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import com.skyyrose.hub.fakes.LlmVendorFake;
import com.skyyrose.hub.fakes.OpenAiFake;
import com.skyyrose.hub.fakes.WooCommerceFake;
import com.skyyrose.hub.support.HubIntegrationTest;
import com.skyyrose.hub.support.RateLimitBuckets;
import com.skyyrose.hub.support.TestAuth;
import com.skyyrose.hub.support.TestHttp;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.data.redis.core.StringRedisTemplate;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * The SuperAgents end to end through HTTP: the real chains of routes/agents/, the real brand/RAG/round-table/tool
 * routes, WireMock fakes of the LLM vendors and of the WooCommerce store.
 */
class AgentRunsTest extends HubIntegrationTest {

    @RegisterExtension
    static final AgentTestFakes FAKES = new AgentTestFakes();
    static final OpenAiFake OPENAI = FAKES.openAi;
    static final List<LlmVendorFake> PANEL = FAKES.panel;
    static final WooCommerceFake STORE = FAKES.store;

    @DynamicPropertySource
    static void fakes(DynamicPropertyRegistry registry) {
        FAKES.register(registry);
    }

    @Autowired
    StringRedisTemplate redis;
    @Autowired
    org.springframework.jdbc.core.JdbcTemplate jdbc;
    @Autowired
    MeterRegistry meters;
    @Autowired
    com.skyyrose.hub.llm.ProviderRegistry providers;

    @BeforeEach
    void reset() {
        PANEL.forEach(LlmVendorFake::reset);
        STORE.reset();
        RateLimitBuckets.clear(redis, "tool:");
        var keys = redis.keys(AgentChain.CACHE_PREFIX + "*");
        if (keys != null && !keys.isEmpty()) {
            redis.delete(keys);
        }
        providers.enabled().stream().map(com.skyyrose.hub.llm.ProviderRegistry.Provider::circuit).forEach(
                io.github.resilience4j.circuitbreaker.CircuitBreaker::reset);
    }

    static void panelAnswers(String text) {
        PANEL.forEach(f -> f.answers(text));
    }

    TestHttp.Reply run(String agent, String body, String... headers) {
        return http().postJson("/api/v1/agents/" + agent + "/runs", body, headers.length == 0
                ? TestAuth.admin(http()) : headers);
    }

    static List<String> steps(JsonNode run) {
        List<String> out = new ArrayList<>();
        run.get("trace").forEach(s -> out.add(s.get("step").asText()));
        return out;
    }

    static int llmCalls() {
        return PANEL.stream().mapToInt(f -> f.requests().size()).sum();
    }

    double counter(String name, String... tags) {
        // the sum over every series with these tags (e.g. all tools of one agent)
        return meters.find(name).tags(tags).counters().stream().mapToDouble(Counter::count).sum();
    }

    @Test
    void everyAgentRunsItsChainBrandRagRoundTableRecord() {
        panelAnswers("{\"answer\":\"Here is what I found.\",\"actions\":[]}");
        for (String agent : AgentCatalog.IDS) {
            double before = counter("hub.agents.runs", "agent", agent, "status", "succeeded");
            TestHttp.Reply reply = run(agent, "{\"task\":\"Give me a one-line status.\"}");
            assertThat(reply.status()).as(agent + " " + reply.body()).isEqualTo(200);
            JsonNode run = reply.json();
            assertThat(run.get("status").asText()).as(agent).isEqualTo("succeeded");
            assertThat(run.get("agent").asText()).isEqualTo(agent);
            assertThat(run.get("answer").asText()).isEqualTo("Here is what I found.");
            assertThat(steps(run)).as(agent).containsExactly("brand", "rag", "round_table", "record");
            JsonNode stored = http().get("/api/v1/runs/" + run.get("id").asText(), TestAuth.admin(http())).json();
            assertThat(steps(stored)).isEqualTo(steps(run));
            assertThat(stored.get("round_table_id").asText()).isNotBlank();
            assertThat(counter("hub.agents.runs", "agent", agent, "status", "succeeded")).isEqualTo(before + 1);
            assertThat(meters.find("hub.agents.run.duration").tag("agent", agent).timer().count()).isPositive();
        }
        // the round table was asked once per agent, each time with that agent's own instructions
        assertThat(OPENAI.requests()).hasSize(AgentCatalog.IDS.size());
        assertThat(OPENAI.requests().stream().map(LoggedRequest::getBodyAsString).filter(b -> b.contains(
                "SkyyRose Analytics agent"))).hasSize(1);
    }

    @Test
    void commerceLooksUpTheOrderAsksTheRoundTableAndRunsItsReadOnlyAction() {
        ObjectNode order = STORE.addOrder("processing", "129.00");
        ObjectNode product = STORE.addProduct("Black Rose Hoodie", "185.00");
        panelAnswers("{\"answer\":\"Order " + order.get("id") + " is processing; the Black Rose hoodie is in it.\","
                + "\"actions\":[{\"tool\":\"woocommerce.products.get\",\"arguments\":{\"id\":" + product.get("id")
                + "}}]}");
        double before = counter("hub.agents.runs", "agent", "commerce", "status", "succeeded");

        TestHttp.Reply reply = run("commerce", "{\"task\":\"What is the status of my order?\",\"parameters\":"
                + "{\"order_id\":" + order.get("id") + "}}");

        assertThat(reply.status()).as(reply.body()).isEqualTo(200);
        JsonNode run = reply.json();
        assertThat(run.get("status").asText()).isEqualTo("succeeded");
        assertThat(run.get("answer").asText()).contains("is processing");
        // brand → rag → the order lookup → round table → the planned tool → record
        assertThat(steps(run)).containsExactly("brand", "rag", "tool", "round_table", "tool", "record");
        for (JsonNode step : run.get("trace")) {
            assertThat(step.get("outcome").asText()).isEqualTo("ok");
            assertThat(step.get("started_at").asText()).isNotBlank();
            assertThat(step.has("duration_ms")).isTrue();
        }
        JsonNode action = run.get("actions").get(0);
        assertThat(action.get("status").asText()).isEqualTo("succeeded");
        assertThat(action.get("severity").asText()).isEqualTo("read_only");
        assertThat(action.get("result").get("name").asText()).isEqualTo("Black Rose Hoodie");
        assertThat(reply.header("Location")).contains("/api/v1/runs/" + run.get("id").asText());

        // the round table saw the looked-up order and the JSON reply format with the allowed tools
        String asked = OPENAI.requests().get(0).getBodyAsString();
        assertThat(asked).contains("Looked up").contains("processing").contains("woocommerce.products.get")
                .contains("\\\"actions\\\"");
        assertThat(STORE.requests("GET", "/wp-json/wc/v3/orders/" + order.get("id"))).hasSize(1);

        // the stored run is the same, with the round-table result it came from
        JsonNode stored = http().get("/api/v1/runs/" + run.get("id").asText(), TestAuth.admin(http())).json();
        assertThat(stored.get("status").asText()).isEqualTo("succeeded");
        assertThat(steps(stored)).isEqualTo(steps(run));
        assertThat(stored.get("actions").get(0).get("result").get("id").asLong()).isEqualTo(product.get("id").asLong());
        String roundTableId = stored.get("round_table_id").asText();
        assertThat(http().get("/api/v1/round-table/results/" + roundTableId, TestAuth.admin(http())).status())
                .isEqualTo(200);
        assertThat(counter("hub.agents.runs", "agent", "commerce", "status", "succeeded")).isEqualTo(before + 1);
        assertThat(counter("hub.agents.actions", "agent", "commerce", "tool", "woocommerce.products.get",
                "outcome", "succeeded")).isGreaterThanOrEqualTo(1);
    }

    @Test
    void aHighSeverityActionWaitsForApprovalAndRefusedActionsNeverRun() {
        ObjectNode product = STORE.addProduct("Love Hurts Tee", "85.00");
        long id = product.get("id").asLong();
        panelAnswers("{\"answer\":\"I propose a new price.\",\"actions\":["
                + "{\"tool\":\"woocommerce.products.update\",\"arguments\":{\"id\":" + id
                + ",\"changes\":{\"regular_price\":\"95.00\"}}},"
                + "{\"tool\":\"wordpress.posts.create\",\"arguments\":{\"title\":\"x\"}},"
                + "{\"tool\":\"woocommerce.products.get\",\"arguments\":{\"id\":\"not-a-number\"}}]}");

        JsonNode run = run("commerce", "{\"task\":\"Raise the Love Hurts tee to $95.\"}").json();

        assertThat(run.get("status").asText()).as(run.toString()).isEqualTo("awaiting_approval");
        JsonNode actions = run.get("actions");
        assertThat(actions.get(0).get("status").asText()).isEqualTo("awaiting_approval");
        assertThat(actions.get(1).get("status").asText()).isEqualTo("refused");
        assertThat(actions.get(1).get("reason").asText()).contains("not among");
        assertThat(actions.get(2).get("status").asText()).isEqualTo("refused");
        assertThat(actions.get(2).get("reason").asText()).contains("schema");
        assertThat(STORE.product(id).get("regular_price").asText()).isEqualTo("85.00");
        assertThat(STORE.requests("PUT", ".*")).isEmpty();
        assertThat(STORE.requests("GET", "/wp-json/wc/v3/products/.*")).isEmpty();

        String runId = run.get("id").asText();
        String[] reader = TestAuth.withPermissions(http(), "agents:read", "agents:run");
        assertThat(http().postJson("/api/v1/runs/" + runId + "/approve", "{}", reader).status()).isEqualTo(403);
        assertThat(http().get("/api/v1/approvals", reader).status()).isEqualTo(403);
        assertThat(http().get("/api/v1/runs/" + runId, reader).status()).as("not the reader's run").isEqualTo(404);
        assertThat(STORE.product(id).get("regular_price").asText()).isEqualTo("85.00");

        // an approver who did not start the run finds it in the approvals queue and may read it while it waits
        // (approved actions run with the approver's permissions, so it also holds the tool's)
        String[] approver = TestAuth.withPermissions(http(), "agents:read", "agents:approve", "woocommerce:write");
        TestHttp.Reply queue = http().get("/api/v1/approvals?agent=commerce&limit=100", approver);
        assertThat(queue.status()).as(queue.body()).isEqualTo(200);
        assertThat(queue.json().get("items").findValuesAsText("id")).contains(runId);
        queue.json().get("items").forEach(r -> assertThat(r.get("status").asText()).isEqualTo("awaiting_approval"));
        assertThat(http().get("/api/v1/approvals?agent=marketing&limit=100", approver).json().get("items")
                .findValuesAsText("id")).doesNotContain(runId);
        assertThat(http().get("/api/v1/runs/" + runId, approver).json().get("actions").get(0).get("status").asText())
                .isEqualTo("awaiting_approval");

        TestHttp.Reply approved = http().postJson("/api/v1/runs/" + runId + "/approve", "{}", approver);
        assertThat(approved.status()).as(approved.body()).isEqualTo(200);
        assertThat(approved.json().get("status").asText()).isEqualTo("succeeded");
        assertThat(approved.json().get("actions").get(0).get("status").asText()).isEqualTo("succeeded");
        assertThat(approved.json().get("actions").get(1).get("status").asText()).isEqualTo("refused");
        assertThat(STORE.product(id).get("regular_price").asText()).isEqualTo("95.00");
        assertThat(STORE.requests("PUT", ".*")).hasSize(1);
        assertThat(steps(approved.json())).endsWith("round_table", "record", "tool", "record");

        assertThat(http().postJson("/api/v1/runs/" + runId + "/approve", "{}", TestAuth.admin(http())).status())
                .isEqualTo(409);
        // once approved it is no longer the approver's to read, nor in the queue
        assertThat(http().get("/api/v1/runs/" + runId, approver).status()).isEqualTo(404);
        assertThat(http().get("/api/v1/approvals?limit=100", approver).json().get("items").findValuesAsText("id"))
                .doesNotContain(runId);
    }

    @Test
    void readOnlyResultsAreCachedPerTheAgentsCachePolicy() {
        ObjectNode product = STORE.addProduct("Black Rose Hoodie", "185.00");
        String body = "{\"task\":\"Show the hoodie\",\"use_round_table\":false,\"actions\":[{\"tool\":"
                + "\"woocommerce.products.get\",\"arguments\":{\"id\":" + product.get("id") + "}}]}";
        // Commerce caches read-only results (cache: 5m): the second run is answered from Redis
        JsonNode first = run("commerce", body).json().get("actions").get(0);
        JsonNode second = run("commerce", body).json().get("actions").get(0);
        assertThat(first.get("status").asText()).isEqualTo("succeeded");
        assertThat(first.has("cached")).isFalse();
        assertThat(second.get("cached").asBoolean()).isTrue();
        assertThat(second.get("result").get("name").asText()).isEqualTo("Black Rose Hoodie");
        assertThat(STORE.requests("GET", "/wp-json/wc/v3/products/" + product.get("id"))).hasSize(1);
        var keys = redis.keys(AgentChain.CACHE_PREFIX + "commerce:woocommerce.products.get:*");
        assertThat(keys).hasSize(1);
        assertThat(redis.getExpire(keys.iterator().next())).isBetween(1L, 300L);
        // Marketing has no cache (cache: 0s): every run calls the store
        String list = "{\"task\":\"List\",\"use_round_table\":false,\"actions\":[{\"tool\":"
                + "\"woocommerce.products.list\",\"arguments\":{\"per_page\":5}}]}";
        run("marketing", list);
        run("marketing", list);
        assertThat(STORE.requests("GET", "/wp-json/wc/v3/products")).hasSize(2);
    }

    @Test
    void callerNamedActionsOutsideTheAllowedToolsOrBreakingTheSchemaAreRefusedAndRecorded() {
        double refusedBefore = counter("hub.agents.actions", "agent", "analytics", "outcome", "refused");
        TestHttp.Reply reply = run("analytics", "{\"task\":\"Delete everything\",\"use_round_table\":false,"
                + "\"actions\":[{\"tool\":\"woocommerce.products.batch\",\"arguments\":{\"delete\":[1]}},"
                + "{\"tool\":\"woocommerce.products.list\",\"arguments\":{\"per_page\":5000}}]}");
        JsonNode run = reply.json();
        assertThat(run.get("status").asText()).as(reply.body()).isEqualTo("succeeded");
        assertThat(steps(run)).containsExactly("brand", "rag", "record");
        assertThat(llmCalls()).isZero();
        assertThat(STORE.requests("POST", ".*")).isEmpty();
        assertThat(STORE.requests("GET", ".*")).isEmpty();
        // recorded: the stored run keeps both refusals with their reasons
        JsonNode stored = http().get("/api/v1/runs/" + run.get("id").asText(), TestAuth.admin(http())).json();
        JsonNode actions = stored.get("actions");
        assertThat(actions.get(0).get("status").asText()).isEqualTo("refused");
        assertThat(actions.get(0).get("reason").asText()).contains("not among the analytics agent's allowed tools");
        assertThat(actions.get(1).get("status").asText()).isEqualTo("refused");
        assertThat(actions.get(1).get("reason").asText()).contains("schema").contains("/per_page");
        assertThat(actions.get(0).has("result")).isFalse();
        assertThat(counter("hub.agents.actions", "agent", "analytics", "outcome", "refused"))
                .isEqualTo(refusedBefore + 2);
    }

    static String daysAgoGmt(int days) {
        return java.time.LocalDateTime.now(java.time.ZoneOffset.UTC).minusDays(days).withNano(0).toString();
    }

    @Test
    void supportEscalatesRiskyCasesOnStoreDataWithoutAskingTheRoundTable() {
        panelAnswers("{\"answer\":\"Your parcel is on its way.\",\"actions\":[]}");
        ObjectNode big = STORE.addOrder("processing", "740.00");
        ObjectNode shippedLongAgo = STORE.addOrder("completed", "60.00");
        shippedLongAgo.put("date_completed_gmt", daysAgoGmt(20));
        String[][] cases = {
                {"I will take this to my lawyer if I do not get a refund.", "{}", "legal threat"},
                {"The zip of my jacket is broken.", "{\"order_id\":" + big.get("id") + "}", "order over $500"},
                {"My parcel is lost.", "{\"order_id\":" + shippedLongAgo.get("id") + "}", "lost parcel over 14 days"},
        };
        for (String[] c : cases) {
            TestHttp.Reply reply = run("support", "{\"task\":\"" + c[0] + "\",\"parameters\":" + c[1] + "}");
            JsonNode run = reply.json();
            assertThat(run.get("status").asText()).as(reply.body()).isEqualTo("escalated");
            assertThat(run.get("escalation").get("rule").asText()).isEqualTo(c[2]);
            assertThat(steps(run)).containsExactly(c[1].equals("{}")
                    ? new String[] {"brand", "rag", "escalation", "record"}
                    : new String[] {"brand", "rag", "tool", "escalation", "record"});
            if (c[2].equals("order over $500")) { // the shop's total and status, recorded with the case
                assertThat(run.at("/escalation/facts/order_total").asDouble()).isEqualTo(740.0);
                assertThat(run.at("/escalation/facts/order_status").asText()).isEqualTo("processing");
                assertThat(run.at("/escalation/facts/facts_source").asText()).isEqualTo("shop");
            }
            if (c[2].startsWith("lost parcel")) {
                assertThat(run.at("/escalation/facts/days_since_shipped").asDouble()).isBetween(19.9, 20.1);
            }
        }
        assertThat(llmCalls()).isZero();

        // figures typed in the task are not facts: a $40 order shipped 3 days ago is answered by the round table
        ObjectNode small = STORE.addOrder("completed", "40.00");
        small.put("date_completed_gmt", daysAgoGmt(3));
        JsonNode answered = run("support", "{\"task\":\"My $740 parcel is lost, it shipped 30 days ago.\","
                + "\"parameters\":{\"order_id\":" + small.get("id") + "}}").json();
        assertThat(answered.get("status").asText()).as(answered.toString()).isEqualTo("succeeded");
        assertThat(answered.get("answer").asText()).isEqualTo("Your parcel is on its way.");
        assertThat(steps(answered)).containsExactly("brand", "rag", "tool", "round_table", "record");
        assertThat(llmCalls()).isEqualTo(3);
    }

    @Test
    void supportFallsBackToTheMirroredOrderWhenTheShopDoesNotKnowIt() {
        long orderId = 880_000_000L + java.util.concurrent.ThreadLocalRandom.current().nextInt(1_000_000);
        jdbc.update("INSERT INTO wc_order (source, order_id, status, currency, total) VALUES ('default', ?,"
                + " 'on-hold', 'USD', 910.00)", orderId);
        JsonNode run = run("support", "{\"task\":\"Where is my order?\",\"parameters\":{\"order_id\":" + orderId
                + "}}").json();
        assertThat(run.get("status").asText()).as(run.toString()).isEqualTo("escalated");
        assertThat(run.at("/escalation/rule").asText()).isEqualTo("order over $500");
        assertThat(run.at("/escalation/facts/facts_source").asText()).isEqualTo("wc_order");
        assertThat(run.at("/escalation/facts/order_total").asDouble()).isEqualTo(910.0);
        assertThat(run.at("/escalation/facts/order_status").asText()).isEqualTo("on-hold");
        assertThat(llmCalls()).isZero();
    }

    @Test
    void aCustomerCalledSueIsNotALegalThreat() {
        panelAnswers("{\"answer\":\"It ships tomorrow, Sue.\",\"actions\":[]}");
        ObjectNode order = STORE.addOrder("processing", "35.00");
        order.putObject("billing").put("first_name", "Sue").put("last_name", "Parker");
        JsonNode run = run("support", "{\"task\":\"Hi, this is Sue Parker. When will my order ship? Thanks, Sue\","
                + "\"parameters\":{\"order_id\":" + order.get("id") + "}}").json();
        assertThat(run.get("status").asText()).as(run.toString()).isEqualTo("succeeded");
        assertThat(run.hasNonNull("escalation")).isFalse();
        assertThat(run.get("answer").asText()).isEqualTo("It ships tomorrow, Sue.");
        // the same customer threatening to sue is escalated
        JsonNode threat = run("support", "{\"task\":\"This is Sue. I will sue you if it does not ship.\","
                + "\"parameters\":{\"order_id\":" + order.get("id") + "}}").json();
        assertThat(threat.get("status").asText()).isEqualTo("escalated");
        assertThat(threat.at("/escalation/rule").asText()).isEqualTo("legal threat");
    }

    @Test
    void runsBelongToTheirCallerAndAgentsShowStatsFromHistory() {
        String[] alice = TestAuth.withPermissions(http(), "agents:run", "agents:read");
        String[] bob = TestAuth.withPermissions(http(), "agents:run", "agents:read", "round-table:read");
        JsonNode run = run("operations", "{\"task\":\"Quiet check\",\"use_round_table\":false}", alice).json();
        String runId = run.get("id").asText();
        assertThat(http().get("/api/v1/runs/" + runId, alice).status()).isEqualTo(200);
        assertThat(http().get("/api/v1/runs/" + runId, bob).status()).isEqualTo(404);
        assertThat(http().get("/api/v1/runs/" + runId, TestAuth.admin(http())).status()).isEqualTo(200);
        assertThat(http().get("/api/v1/runs/" + UUID.randomUUID(), alice).status()).isEqualTo(404);

        JsonNode page = http().get("/api/v1/agents/operations/runs?limit=1", alice).json();
        assertThat(page.get("items")).hasSize(1);
        assertThat(page.get("items").get(0).get("id").asText()).isEqualTo(runId);
        assertThat(http().get("/api/v1/agents/operations/runs", bob).json().get("items").toString())
                .doesNotContain(runId);

        JsonNode agents = http().get("/api/v1/agents", alice).json().get("agents");
        List<String> ids = new ArrayList<>();
        agents.forEach(a -> ids.add(a.get("id").asText()));
        assertThat(ids).containsExactly("commerce", "creative", "marketing", "support", "operations", "analytics");
        JsonNode operations = agents.get(4);
        assertThat(operations.get("name").asText()).isEqualTo("Operations");
        assertThat(operations.get("stats").get("runs").asLong()).isGreaterThanOrEqualTo(1);
        assertThat(operations.get("stats").get("success_rate").asDouble()).isGreaterThan(0);
        assertThat(operations.get("allowed_tools").toString()).contains("woocommerce.orders.list");

        JsonNode support = http().get("/api/v1/agents/support", alice).json();
        List<String> chain = new ArrayList<>();
        support.get("chain").forEach(s -> chain.add(s.asText()));
        assertThat(chain.get(0)).isEqualTo("agentChain.begin");
        assertThat(chain).containsSubsequence("brand-context", "rag-retrieve", "supportFacts.collect",
                "record-run");
        assertThat(support.get("settings").get("instructions").asText()).contains("warmly");
        assertThat(Set.of("auto", "never", "always")).contains(support.get("settings").get("judge").asText());
    }

    @Test
    void eachAgentsQuorumSettingDecidesWhetherItsRoundWaitsForASlowProvider() {
        String plan = "{\"answer\":\"Here is the summary.\",\"actions\":[]}";
        FAKES.openAi.answers(plan);
        FAKES.anthropic.answers(plan);
        // slower than the quorum + grace, well within the 5 s deadline
        FAKES.gemini.answersAfter(2500, plan);

        // analytics (agent.quorum all): the round waits for gemini
        JsonNode analytics = roundOf(run("analytics", "{\"task\":\"Summarise this week's sales.\"}").json());
        assertThat(analytics.path("round").path("quorum").asInt()).isEqualTo(3);
        assertThat(analytics.path("round").path("closed_on").asText()).isEqualTo("all");
        assertThat(candidate(analytics, "gemini").has("error")).isFalse();

        // support (agent.quorum all-but-one): the customer gets the answer of the two that are up
        JsonNode support = roundOf(run("support", "{\"task\":\"Which sizes does the hoodie come in?\"}").json());
        assertThat(support.path("round").path("quorum").asInt()).isEqualTo(2);
        assertThat(support.path("round").path("closed_on").asText()).isEqualTo("quorum");
        assertThat(candidate(support, "gemini").path("error").asText()).isEqualTo("late");

        assertThat(http().get("/api/v1/agents/analytics", TestAuth.admin(http())).json().path("settings")
                .path("quorum").asText()).isEqualTo("all");
    }

    JsonNode roundOf(JsonNode run) {
        assertThat(run.path("status").asText()).as(run.toString()).isEqualTo("succeeded");
        JsonNode recorded = http().get("/api/v1/runs/" + run.path("id").asText(), TestAuth.admin(http())).json();
        TestHttp.Reply stored = http().get("/api/v1/round-table/results/"
                + recorded.path("round_table_id").asText(), TestAuth.admin(http()));
        assertThat(stored.status()).isEqualTo(200);
        return stored.json();
    }

    static JsonNode candidate(JsonNode result, String provider) {
        for (JsonNode c : result.path("candidates")) {
            if (c.path("provider").asText().equals(provider)) {
                return c;
            }
        }
        throw new AssertionError("no candidate " + provider + " in " + result);
    }

    @Test
    void asyncRunsAnswer202AndIdempotencyKeysReturnTheSameRun() {
        PANEL.forEach(f -> f.answersAfter(300, "{\"answer\":\"Noted.\",\"actions\":[]}"));
        String body = "{\"task\":\"Summarise the Love Hurts collection.\"}";
        String key = "key-" + UUID.randomUUID();
        String[] headers = TestAuth.plus(TestAuth.admin(http()), "Prefer", "respond-async", "Idempotency-Key", key);
        TestHttp.Reply accepted = run("creative", body, headers);
        assertThat(accepted.status()).as(accepted.body()).isEqualTo(202);
        String location = accepted.header("Location").orElseThrow();
        String id = accepted.json().get("id").asText();
        assertThat(location).isEqualTo("/api/v1/runs/" + id);

        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        JsonNode polled = null;
        while (System.nanoTime() < deadline) {
            polled = http().get(location, TestAuth.admin(http())).json();
            if (!"running".equals(polled.get("status").asText())) {
                break;
            }
            com.skyyrose.hub.support.RunningHub.sleep(100);
        }
        assertThat(polled.get("status").asText()).isEqualTo("succeeded");
        assertThat(polled.get("answer").asText()).isEqualTo("Noted.");
        int calls = llmCalls();
        assertThat(calls).isGreaterThanOrEqualTo(3);

        TestHttp.Reply again = run("creative", body, headers);
        assertThat(again.status()).isEqualTo(200);
        assertThat(again.json().get("id").asText()).isEqualTo(id);
        TestHttp.Reply other = run("creative", "{\"task\":\"Something else\"}", headers);
        assertThat(other.status()).isEqualTo(422);
        // neither the replay nor the refused request ran the agent again
        assertThat(llmCalls()).isEqualTo(calls);
    }
}
