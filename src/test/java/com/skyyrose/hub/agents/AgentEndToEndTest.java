package com.skyyrose.hub.agents;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import com.skyyrose.hub.fakes.AnthropicFake;
import com.skyyrose.hub.fakes.FashnFake;
import com.skyyrose.hub.fakes.GeminiFake;
import com.skyyrose.hub.fakes.LlmVendorFake;
import com.skyyrose.hub.fakes.OpenAiFake;
import com.skyyrose.hub.fakes.TripoFake;
import com.skyyrose.hub.fakes.WooCommerceFake;
import com.skyyrose.hub.fakes.WordPressFake;
import com.skyyrose.hub.support.HubIntegrationTest;
import com.skyyrose.hub.support.RateLimitBuckets;
import com.skyyrose.hub.support.TestAuth;
import com.skyyrose.hub.support.TestHttp;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.data.redis.core.StringRedisTemplate;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * Each of the six SuperAgents end to end through HTTP: {@code POST /api/v1/agents/{id}/runs} with the three LLM
 * vendor fakes planning one of the agent's own tools, the tool call reaching its vendor's fake (WooCommerce,
 * WordPress, Tripo3D, FASHN) with the right request, the trace brand → rag → round table → tool → record, the stored
 * run, and the Prometheus metrics per agent and per tool. The context is closed after the class: its job poller must
 * not keep polling these fakes once they stop.
 */
@DirtiesContext
class AgentEndToEndTest extends HubIntegrationTest {

    @RegisterExtension
    static final AgentTestFakes FAKES = new AgentTestFakes();
    static final OpenAiFake OPENAI = FAKES.openAi;
    static final AnthropicFake ANTHROPIC = FAKES.anthropic;
    static final GeminiFake GEMINI = FAKES.gemini;
    static final List<LlmVendorFake> PANEL = FAKES.panel;
    static final WooCommerceFake STORE = FAKES.store;
    static final WordPressFake WP = new WordPressFake();
    static final TripoFake TRIPO = new TripoFake();
    static final FashnFake FASHN = new FashnFake();

    @DynamicPropertySource
    static void fakes(DynamicPropertyRegistry registry) {
        FAKES.register(registry);
        registry.add("WORDPRESS_URL", WP::url);
        registry.add("WORDPRESS_USERNAME", () -> WordPressFake.USER);
        registry.add("WORDPRESS_APP_PASSWORD", () -> WordPressFake.APP_PASSWORD);
        registry.add("TRIPO_BASE_URL", TRIPO::baseUrl);
        registry.add("TRIPO_API_KEY", () -> TripoFake.API_KEY);
        registry.add("FASHN_BASE_URL", FASHN::baseUrl);
        registry.add("FASHN_API_KEY", () -> FashnFake.API_KEY);
    }

    @AfterAll
    static void stop() {
        WP.close();
        TRIPO.close();
        FASHN.close();
    }

    @Autowired
    StringRedisTemplate redis;

    @BeforeEach
    void reset() {
        PANEL.forEach(LlmVendorFake::reset);
        STORE.reset();
        WP.reset();
        TRIPO.reset();
        FASHN.reset();
        RateLimitBuckets.clear(redis, "tool:");
        var keys = redis.keys(AgentChain.CACHE_PREFIX + "*");
        if (keys != null && !keys.isEmpty()) {
            redis.delete(keys);
        }
    }

    /** What one agent is asked, the action its panel plans, and how the vendor fake must have seen the call. */
    record Scenario(String task, String tool, String arguments, Consumer<JsonNode> vendorSaw) {
    }

    private static final String IMAGE = "data:image/png;base64,iVBORw0KGgo=";

    Scenario scenario(String agent) {
        return switch (agent) {
            case "commerce" -> {
                ObjectNode product = STORE.addProduct("Black Rose Hoodie", "185.00");
                long id = product.get("id").asLong();
                yield new Scenario("What does the Black Rose hoodie cost?", "woocommerce.products.get",
                        "{\"id\":" + id + "}", result -> {
                            assertThat(STORE.requests("GET", "/wp-json/wc/v3/products/" + id)).hasSize(1);
                            assertThat(result.get("name").asText()).isEqualTo("Black Rose Hoodie");
                        });
            }
            case "creative" -> new Scenario("Make a 3D model of the Love Hurts varsity jacket.", "tripo3d.generate",
                    "{\"prompt\":\"Love Hurts varsity jacket, black wool, rose gold embroidery\"}", result -> {
                        assertThat(TRIPO.tasks()).hasSize(1);
                        JsonNode sent = TRIPO.tasks().get(0).request;
                        assertThat(sent.get("type").asText()).isEqualTo("text_to_model");
                        assertThat(sent.get("prompt").asText())
                                .isEqualTo("Love Hurts varsity jacket, black wool, rose gold embroidery");
                        assertThat(TRIPO.requests("POST", "/task").get(0).getHeader("Authorization"))
                                .isEqualTo("Bearer " + TripoFake.API_KEY);
                        assertThat(result.get("kind").asText()).isEqualTo("3d");
                        assertThat(result.get("vendor_task_id").asText()).isEqualTo(TRIPO.tasks().get(0).id);
                    });
            case "marketing" -> new Scenario("Draft a blog post for the Signature collection drop.",
                    "wordpress.posts.create", "{\"title\":\"The Signature collection\",\"content\":\"Oakland "
                            + "luxury, rose gold details.\"}", result -> {
                        long id = result.get("id").asLong();
                        assertThat(WP.post(id)).isNotNull();
                        assertThat(WP.post(id).get("title").asText()).isEqualTo("The Signature collection");
                        // drafts by default: nothing is published without a person
                        assertThat(WP.post(id).get("status").asText()).isEqualTo("draft");
                    });
            case "support" -> {
                ObjectNode order = STORE.addOrder("processing", "89.00");
                long id = order.get("id").asLong();
                yield new Scenario("Where is my order " + id + "?", "woocommerce.orders.get", "{\"id\":" + id + "}",
                        result -> {
                            assertThat(STORE.requests("GET", "/wp-json/wc/v3/orders/" + id)).hasSize(1);
                            assertThat(result.get("status").asText()).isEqualTo("processing");
                        });
            }
            case "operations" -> {
                STORE.addOrder("processing", "120.00");
                STORE.addOrder("completed", "60.00");
                yield new Scenario("Which orders still need to ship?", "woocommerce.orders.list",
                        "{\"status\":\"processing\",\"per_page\":50}", result -> {
                            List<LoggedRequest> calls = STORE.requests("GET", "/wp-json/wc/v3/orders");
                            assertThat(calls).hasSize(1);
                            assertThat(calls.get(0).queryParameter("status").firstValue()).isEqualTo("processing");
                            assertThat(calls.get(0).queryParameter("per_page").firstValue()).isEqualTo("50");
                            assertThat(result.toString()).contains("processing").doesNotContain("completed");
                        });
            }
            case "analytics" -> {
                STORE.addProduct("Black Rose Hoodie", "185.00");
                STORE.addProduct("Love Hurts Tee", "85.00");
                yield new Scenario("Report our best sellers.", "woocommerce.products.list",
                        "{\"orderby\":\"popularity\",\"per_page\":10}", result -> {
                            List<LoggedRequest> calls = STORE.requests("GET", "/wp-json/wc/v3/products");
                            assertThat(calls).hasSize(1);
                            assertThat(calls.get(0).queryParameter("orderby").firstValue()).isEqualTo("popularity");
                            assertThat(result.toString()).contains("Black Rose Hoodie").contains("Love Hurts Tee");
                        });
            }
            default -> throw new IllegalArgumentException(agent);
        };
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"commerce", "creative", "marketing", "support", "operations", "analytics"})
    void anAgentRunsItsChainAndItsToolReachesTheVendor(String agent) {
        Scenario s = scenario(agent);
        String plan = "{\"answer\":\"Done: see the " + s.tool() + " result.\",\"actions\":[{\"tool\":\"" + s.tool()
                + "\",\"arguments\":" + s.arguments() + "}]}";
        PANEL.forEach(f -> f.answers(plan));
        Map<String, Double> before = metrics(agent, s.tool());

        TestHttp.Reply reply = http().postJson("/api/v1/agents/" + agent + "/runs",
                "{\"task\":\"" + s.task() + "\"}", TestAuth.admin(http()));

        assertThat(reply.status()).as(reply.body()).isEqualTo(200);
        JsonNode run = reply.json();
        assertThat(run.get("status").asText()).as(run.toString()).isEqualTo("succeeded");
        assertThat(run.get("agent").asText()).isEqualTo(agent);
        assertThat(steps(run)).containsExactly("brand", "rag", "round_table", "tool", "record");
        JsonNode action = run.get("actions").get(0);
        assertThat(action.get("tool").asText()).isEqualTo(s.tool());
        assertThat(action.get("status").asText()).isEqualTo("succeeded");
        // the tool really reached the vendor, with the planned request
        s.vendorSaw().accept(action.get("result"));
        // every LLM vendor was asked once, with this agent's instructions and its tools in the reply format
        // (Creative's judge policy is "always": the judge's comparison requests come on top)
        for (LlmVendorFake fake : PANEL) {
            assertThat(fake.unmatched()).isEmpty();
            assertThat(fake.requests().stream().map(LoggedRequest::getBodyAsString)
                    .filter(b -> b.contains("Reply with one JSON object only") && b.contains(s.tool()))).hasSize(1);
        }

        // the stored run
        TestHttp.Reply stored = http().get("/api/v1/runs/" + run.get("id").asText(), TestAuth.admin(http()));
        assertThat(stored.status()).isEqualTo(200);
        JsonNode saved = stored.json();
        assertThat(saved.get("status").asText()).isEqualTo("succeeded");
        assertThat(saved.get("answer").asText()).isEqualTo("Done: see the " + s.tool() + " result.");
        assertThat(steps(saved)).isEqualTo(steps(run));
        assertThat(saved.get("actions").get(0).get("result")).isEqualTo(action.get("result"));
        assertThat(saved.get("round_table_id").asText()).isNotBlank();
        for (JsonNode step : saved.get("trace")) {
            assertThat(step.get("outcome").asText()).as(step.toString()).isEqualTo("ok");
        }

        // the metrics, as Prometheus scrapes them
        Map<String, Double> after = metrics(agent, s.tool());
        assertThat(after.get("runs") - before.get("runs")).isEqualTo(1);
        assertThat(after.get("duration_count") - before.get("duration_count")).isEqualTo(1);
        assertThat(after.get("duration_sum")).isGreaterThan(before.get("duration_sum"));
        assertThat(after.get("actions") - before.get("actions")).isEqualTo(1);
    }

    @Test
    void creativeAlsoDressesAModelWithFashnTryOn() {
        PANEL.forEach(f -> f.answers("{\"answer\":\"Try-on started.\",\"actions\":[{\"tool\":\"fashn.tryon\","
                + "\"arguments\":{\"model_image\":\"" + IMAGE + "\",\"garment_image\":\"" + IMAGE + "\","
                + "\"category\":\"tops\"}}]}"));
        double before = metrics("creative", "fashn.tryon").get("actions");

        JsonNode run = http().postJson("/api/v1/agents/creative/runs", "{\"task\":\"Show the Signature tee on a "
                + "model.\"}", TestAuth.admin(http())).json();

        assertThat(run.get("status").asText()).as(run.toString()).isEqualTo("succeeded");
        assertThat(steps(run)).containsExactly("brand", "rag", "round_table", "tool", "record");
        JsonNode result = run.get("actions").get(0).get("result");
        assertThat(result.get("kind").asText()).isEqualTo("tryon");
        assertThat(FASHN.runIds()).hasSize(1);
        JsonNode sent = FASHN.run(FASHN.runIds().get(0));
        assertThat(sent.get("inputs").get("model_image").asText()).isEqualTo(IMAGE);
        assertThat(sent.get("inputs").get("garment_image").asText()).isEqualTo(IMAGE);
        assertThat(sent.get("inputs").get("category").asText()).isEqualTo("tops");
        assertThat(result.get("vendor_task_id").asText()).isEqualTo(FASHN.runIds().get(0));
        assertThat(metrics("creative", "fashn.tryon").get("actions")).isEqualTo(before + 1);
    }

    @Test
    void aDestructiveActionWaitsForApprovalAndRunsOnlyAfterIt() {
        long discontinued = STORE.addProduct("Old Logo Tee", "40.00").get("id").asLong();
        PANEL.forEach(f -> f.answers("{\"answer\":\"The Old Logo Tee is discontinued; I propose removing it.\","
                + "\"actions\":[{\"tool\":\"woocommerce.products.batch\",\"arguments\":{\"delete\":["
                + discontinued + "]}}]}"));
        double waiting = metrics("operations", "woocommerce.products.batch").get("actions");

        JsonNode run = http().postJson("/api/v1/agents/operations/runs", "{\"task\":\"Clean up discontinued "
                + "products.\"}", TestAuth.admin(http())).json();

        assertThat(run.get("status").asText()).as(run.toString()).isEqualTo("awaiting_approval");
        JsonNode action = run.get("actions").get(0);
        assertThat(action.get("severity").asText()).isEqualTo("destructive");
        assertThat(action.get("status").asText()).isEqualTo("awaiting_approval");
        assertThat(steps(run)).containsExactly("brand", "rag", "round_table", "record");
        // nothing reached the store yet
        assertThat(STORE.requests("POST", ".*")).isEmpty();
        assertThat(STORE.product(discontinued)).isNotNull();
        String runId = run.get("id").asText();
        assertThat(http().get("/api/v1/runs/" + runId, TestAuth.admin(http())).json().get("status").asText())
                .isEqualTo("awaiting_approval");

        // someone who may run agents but not approve cannot release it
        String[] runner = TestAuth.withPermissions(http(), "agents:run", "agents:read");
        assertThat(http().postJson("/api/v1/runs/" + runId + "/approve", "{}", runner).status()).isEqualTo(403);
        assertThat(STORE.requests("POST", ".*")).isEmpty();

        String[] approver = TestAuth.withPermissions(http(), "agents:approve", "agents:read", "woocommerce:write");
        TestHttp.Reply approved = http().postJson("/api/v1/runs/" + runId + "/approve",
                "{\"note\":\"Checked: discontinued in the autumn line-up.\"}", approver);
        assertThat(approved.status()).as(approved.body()).isEqualTo(200);
        assertThat(approved.json().get("status").asText()).isEqualTo("succeeded");
        assertThat(approved.json().get("actions").get(0).get("status").asText()).isEqualTo("succeeded");
        List<LoggedRequest> batch = STORE.requests("POST", "/wp-json/wc/v3/products/batch");
        assertThat(batch).hasSize(1);
        assertThat(batch.get(0).getBodyAsString()).contains("\"delete\":[" + discontinued + "]");
        assertThat(STORE.product(discontinued)).isNull();
        assertThat(steps(approved.json())).endsWith("round_table", "record", "tool", "record");
        assertThat(metrics("operations", "woocommerce.products.batch").get("actions")).isEqualTo(waiting + 1);
        // approved once only: the run left the approval queue, so the approver (not its owner) no longer sees it (404),
        // and an admin, who sees every run, is told it is no longer awaiting approval (409)
        assertThat(http().postJson("/api/v1/runs/" + runId + "/approve", "{}", approver).status()).isEqualTo(404);
        assertThat(http().postJson("/api/v1/runs/" + runId + "/approve", "{}", TestAuth.admin(http())).status())
                .isEqualTo(409);
        assertThat(STORE.requests("POST", "/wp-json/wc/v3/products/batch")).hasSize(1);
    }

    @Test
    void theValidPlanWinsOverAnOffPlanAnswerThatWouldOtherwiseHaveWon() {
        ObjectNode product = STORE.addProduct("Black Rose Hoodie", "185.00");
        long id = product.get("id").asLong();
        // OpenAI (first in panel order) and Gemini agree on a rich on-brand answer that plans a tool Commerce may
        // not use; Anthropic's answer is plainer but its plan is valid
        String offPlan = "{\"answer\":\"The Black Rose Hoodie from SkyyRose, Oakland luxury streetwear, costs $185 and "
                + "is in stock in every size.\",\"actions\":[{\"tool\":\"woocommerce.products.batch\","
                + "\"arguments\":{\"delete\":[" + id + "]}}]}";
        String valid = "{\"answer\":\"The Black Rose hoodie costs $185.\",\"actions\":[{\"tool\":\"woocommerce.products.get\",\"arguments\":"
                + "{\"id\":" + id + "}}]}";
        OPENAI.answers(offPlan);
        GEMINI.answers(offPlan);
        ANTHROPIC.answers(valid);

        JsonNode run = http().postJson("/api/v1/agents/commerce/runs",
                "{\"task\":\"What does the Black Rose hoodie cost?\"}", TestAuth.admin(http())).json();

        assertThat(run.get("status").asText()).as(run.toString()).isEqualTo("succeeded");
        JsonNode result = http().get("/api/v1/round-table/results/" + run.get("round_table_id").asText(),
                TestAuth.admin(http())).json();
        assertThat(run.get("answer").asText()).as(result.get("selection").toString()).isEqualTo("The Black Rose hoodie costs $185.");
        assertThat(run.get("actions")).hasSize(1);
        assertThat(run.get("actions").get(0).get("tool").asText()).isEqualTo("woocommerce.products.get");
        assertThat(STORE.requests("POST", ".*")).isEmpty();
        assertThat(STORE.product(id)).isNotNull();

        assertThat(result.get("winner").get("provider").asText()).isEqualTo("anthropic");
        JsonNode weights = result.get("selection").get("weights");
        assertThat(result.get("selection").get("rationale").asText()).contains("Plan fit:")
                .contains("anthropic 1.00 (1 of 1 actions valid)")
                .contains("openai 0.00 (0 of 1 actions valid: 'woocommerce.products.batch' not allowed)");
        // without the plan score the off-plan answer would have won
        Map<String, Double> withoutPlan = new java.util.LinkedHashMap<>();
        for (JsonNode c : result.get("candidates")) {
            assertThat(c.get("scores").has("plan")).isTrue();
            double sum = 0;
            double weight = 0;
            for (var it = c.get("scores").fields(); it.hasNext(); ) {
                var e = it.next();
                if (!e.getKey().equals("plan")) {
                    sum += weights.get(e.getKey()).asDouble() * e.getValue().asDouble();
                    weight += weights.get(e.getKey()).asDouble();
                }
            }
            withoutPlan.put(c.get("provider").asText(), sum / weight);
        }
        assertThat(withoutPlan.get("openai")).isGreaterThan(withoutPlan.get("anthropic"));
        assertThat(result.get("candidates").get(0).get("scores").get("plan").asDouble()).isZero();
    }

    static List<String> steps(JsonNode run) {
        List<String> out = new ArrayList<>();
        run.get("trace").forEach(s -> out.add(s.get("step").asText()));
        return out;
    }

    /** The agent's and the tool's series from GET /metrics (0 when not yet there). */
    Map<String, Double> metrics(String agent, String tool) {
        TestHttp.Reply reply = http().get("/metrics");
        assertThat(reply.status()).isEqualTo(200);
        String text = reply.body();
        String a = "agent=\"" + agent + "\"";
        return Map.of(
                "runs", sample(text, "hub_agents_runs_total", a, "status=\"succeeded\""),
                "duration_count", sample(text, "hub_agents_run_duration_seconds_count", a),
                "duration_sum", sample(text, "hub_agents_run_duration_seconds_sum", a),
                "actions", sample(text, "hub_agents_actions_total", a, "tool=\"" + tool + "\"",
                        "outcome=\"succeeded\""));
    }

    static double sample(String metrics, String name, String... labels) {
        Matcher m = Pattern.compile("(?m)^" + Pattern.quote(name) + "\\{([^}]*)} (\\S+)$").matcher(metrics);
        double total = 0;
        while (m.find()) {
            boolean all = true;
            for (String label : labels) {
                all &= m.group(1).contains(label);
            }
            if (all) {
                total += Double.parseDouble(m.group(2));
            }
        }
        return total;
    }
}
