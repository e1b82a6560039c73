package com.skyyrose.hub.llm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.fge.jsonschema.core.report.ProcessingMessage;
import com.github.fge.jsonschema.main.JsonSchema;
import com.github.fge.jsonschema.main.JsonSchemaFactory;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The selector's {@code plan} score: when the request carries the expected answer shape (allowed tools and their
 * JSON Schemas), a parseable {answer, actions} with allowed tools and valid arguments counts in the candidate's
 * favour; requests without a shape are scored exactly as before.
 */
class SelectorPlanTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final List<String> PROVIDERS = List.of("openai", "anthropic", "gemini");
    private static final String PROMPT = "Task: Is the Black Rose hoodie in stock? Product 42.";

    /** Two tools with real JSON Schemas, checked by the same validator library the tool registry uses. */
    static PlanShape shape() throws Exception {
        Map<String, JsonSchema> schemas = Map.of(
                "woocommerce.products.get", JsonSchemaFactory.byDefault().getJsonSchema(JSON.readTree(
                        "{\"type\":\"object\",\"additionalProperties\":false,\"required\":[\"id\"],"
                                + "\"properties\":{\"id\":{\"type\":\"integer\",\"minimum\":1}}}")),
                "woocommerce.products.list", JsonSchemaFactory.byDefault().getJsonSchema(JSON.readTree(
                        "{\"type\":\"object\",\"additionalProperties\":false,"
                                + "\"properties\":{\"per_page\":{\"type\":\"integer\",\"maximum\":100}}}")));
        return new PlanShape(List.of("woocommerce.products.get", "woocommerce.products.list"), (tool, args) -> {
            List<String> problems = new ArrayList<>();
            try {
                for (ProcessingMessage m : schemas.get(tool).validate(args, true)) {
                    problems.add(m.getMessage());
                }
            } catch (Exception e) {
                problems.add(e.getMessage());
            }
            return problems;
        });
    }

    static List<Candidate> candidates(String... texts) {
        List<Candidate> out = new ArrayList<>();
        for (int i = 0; i < texts.length; i++) {
            out.add(new Candidate(PROVIDERS.get(i), "m", texts[i], null, 100, new Candidate.Tokens(10, 10), 0,
                    "stop", Map.of(), null));
        }
        return out;
    }

    static final String ON_BRAND = "The Black Rose hoodie from SkyyRose, Oakland luxury streetwear, is in stock in "
            + "every size.";
    static final String VALID = "{\"answer\":\"" + ON_BRAND + "\",\"actions\":[{\"tool\":\"woocommerce.products.get\","
            + "\"arguments\":{\"id\":42}}]}";
    static final String OFF_LIST = "{\"answer\":\"" + ON_BRAND + "\",\"actions\":[{\"tool\":\"woocommerce.products.batch\","
            + "\"arguments\":{\"delete\":[42]}}]}";

    @Test
    void fitGivesFullPartialAndNoCreditAndSaysWhy() throws Exception {
        PlanShape shape = shape();
        assertThat(shape.fit(VALID).score()).isEqualTo(1.0);
        assertThat(shape.fit(VALID).why()).isEqualTo("1 of 1 actions valid");
        assertThat(shape.fit("{\"answer\":\"Yes, in stock.\",\"actions\":[]}").score()).isEqualTo(1.0);
        assertThat(shape.fit("```json\n{\"answer\":\"Yes.\"}\n```").why()).isEqualTo("valid, no actions");
        // an allowed tool whose arguments break its schema: half credit for that action
        PlanShape.Fit broken = shape.fit("{\"answer\":\"Yes.\",\"actions\":[{\"tool\":\"woocommerce.products.get\","
                + "\"arguments\":{\"id\":\"forty-two\"}}]}");
        assertThat(broken.score()).isCloseTo(0.5, within(1e-9));
        assertThat(broken.why()).contains("0 of 1").contains("woocommerce.products.get arguments break its schema");
        // a tool outside the list: no credit for that action; the valid one still counts
        PlanShape.Fit mixed = shape.fit("{\"answer\":\"Yes.\",\"actions\":[{\"tool\":\"woocommerce.products.get\","
                + "\"arguments\":{\"id\":42}},{\"tool\":\"woocommerce.products.batch\",\"arguments\":{}}]}");
        assertThat(mixed.score()).isCloseTo(0.5, within(1e-9));
        assertThat(mixed.why()).contains("1 of 2").contains("'woocommerce.products.batch' not allowed");
        // not the shape at all: 0
        assertThat(shape.fit(ON_BRAND).score()).isZero();
        assertThat(shape.fit(ON_BRAND).why()).isEqualTo("not a JSON object");
        assertThat(shape.fit("{\"answer\": 5, \"actions\": []}").score()).isZero();
        assertThat(shape.fit("{\"answer\":\"Yes.\",\"actions\":{\"tool\":\"x\"}}").score()).isZero();
        assertThat(shape.fit("{\"answer\":\"Yes.\",\"actions\":[ broken").score()).isZero();
    }

    @Test
    void theValidPlanWinsOverAnOffPlanCandidateThatWouldOtherwiseHaveWon() throws Exception {
        // openai (first in panel order) has the richer on-brand text but plans a tool it may not use; gemini agrees
        // with it word for word. anthropic's plan is valid but plain (its answer text is what the other components
        // read, so it must still answer the question).
        String terse = "{\"answer\":\"Yes, the Black Rose hoodie (product 42) is in stock.\",\"actions\":[{\"tool\":\"woocommerce.products.get\","
                + "\"arguments\":{\"id\":42}}]}";
        List<Candidate> candidates = candidates(OFF_LIST, terse, OFF_LIST);
        Map<String, Object> brand = Map.of("name", "SkyyRose", "location", "Oakland, California");

        Selector withoutPlan = new Selector(Map.of("plan", 0.0));
        Selector.Scored before = withoutPlan.score(PROMPT, candidates, brand, List.of(), null, shape());
        assertThat(before.candidates().get(before.winner()).provider()).isEqualTo("openai");

        Selector selector = new Selector(Selector.DEFAULT_WEIGHTS);
        Selector.Scored scored = selector.score(PROMPT, candidates, brand, List.of(), null, shape());
        assertThat(scored.candidates().get(scored.winner()).provider()).isEqualTo("anthropic");
        assertThat(scored.candidates().get(1).scores()).containsEntry("plan", 1.0);
        assertThat(scored.candidates().get(0).scores()).containsEntry("plan", 0.0);
        assertThat(scored.rationale()).startsWith("anthropic leads").contains("plan 1.00")
                .contains("Plan fit: openai 0.00 (0 of 1 actions valid: 'woocommerce.products.batch' not allowed)")
                .contains("anthropic 1.00 (1 of 1 actions valid)");

        // deterministic: the same inputs give the same scores and winner
        Selector.Scored again = selector.score(PROMPT, candidates, brand, List.of(), null, shape());
        assertThat(again.ranking()).isEqualTo(scored.ranking());
        assertThat(again.candidates()).extracting(Candidate::score)
                .isEqualTo(scored.candidates().stream().map(Candidate::score).toList());
    }

    @Test
    void theWeightIsConfigurableAndCountsLikeTheOthers() throws Exception {
        List<Candidate> candidates = candidates(ON_BRAND);
        Selector heavy = new Selector(Map.of("plan", 3.0));
        Candidate prose = heavy.score(PROMPT, candidates, Map.of(), List.of(), null, shape())
                .candidates().get(0);
        assertThat(heavy.weights()).containsEntry("plan", 3.0);
        assertThat(prose.scores()).containsEntry("plan", 0.0);
        // the total is the weighted mean of the components present
        double sum = 0;
        double weight = 0;
        for (Map.Entry<String, Double> e : prose.scores().entrySet()) {
            sum += heavy.weights().get(e.getKey()) * e.getValue();
            weight += heavy.weights().get(e.getKey());
        }
        assertThat(prose.score()).isCloseTo(sum / weight, within(0.002));
        assertThat(new Selector(Map.of("plan", 3.0)).weights()).containsEntry("relevance", 0.25);
    }

    @Test
    void requestsWithoutAPlanShapeAreScoredAsBefore() {
        List<Candidate> candidates = candidates(OFF_LIST, ON_BRAND, "Yes.");
        Selector selector = new Selector(Selector.DEFAULT_WEIGHTS);
        Selector.Scored plain = selector.score(PROMPT, candidates, Map.of(), List.of(), null);
        Selector.Scored noShape = selector.score(PROMPT, candidates, Map.of(), List.of(), null, null);
        for (Candidate c : plain.candidates()) {
            assertThat(c.scores()).doesNotContainKey("plan");
        }
        assertThat(plain.rationale()).doesNotContain("Plan fit").isEqualTo(noShape.rationale());
        assertThat(plain.ranking()).isEqualTo(noShape.ranking());
        // a plain round-table request carries no shape
        RoundTableRequest request = new RoundTableRequest("q", null, List.of(), null, null, null, null, null, "p");
        assertThat(request.plan()).isNull();
        assertThat(request.withGrounding(Map.of(), List.of()).plan()).isNull();
    }
}
