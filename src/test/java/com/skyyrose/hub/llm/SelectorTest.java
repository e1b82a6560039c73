package com.skyyrose.hub.llm;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The selector without the judge, on a test set written from the brand context (src/test/resources/round-table):
 * per prompt, one on-brand grounded answer, one off-brand answer and one irrelevant or hallucinated answer. The
 * best must win in at least 90% of the cases.
 */
class SelectorTest {

    private static final List<String> PROVIDERS = List.of("openai", "anthropic", "gemini");

    @Test
    @SuppressWarnings("unchecked")
    void theOnBrandGroundedAnswerWinsInAtLeastNinetyPercentOfTheTestSet() throws Exception {
        Map<String, Object> data;
        try (InputStream in = getClass().getResourceAsStream("/round-table/selection-cases.json")) {
            data = new ObjectMapper().readValue(in, new TypeReference<Map<String, Object>>() { });
        }
        Map<String, Object> brand = (Map<String, Object>) data.get("brand");
        List<Map<String, Object>> cases = (List<Map<String, Object>>) data.get("cases");
        assertThat(cases).hasSizeGreaterThanOrEqualTo(15);
        Selector selector = new Selector(Selector.DEFAULT_WEIGHTS);
        int right = 0;
        List<String> misses = new ArrayList<>();
        for (int n = 0; n < cases.size(); n++) {
            Map<String, Object> c = cases.get(n);
            List<String> answers = new ArrayList<>(List.of((String) c.get("best"), (String) c.get("off_brand"),
                    (String) c.get("irrelevant")));
            // rotate so the best answer sits in every position (the tie-break order cannot help it)
            java.util.Collections.rotate(answers, n % 3);
            List<Candidate> candidates = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                candidates.add(new Candidate(PROVIDERS.get(i), "m", answers.get(i), null, 100,
                        new Candidate.Tokens(10, 10), 0, "stop", Map.of(), null));
            }
            Selector.Scored scored = selector.score((String) c.get("prompt"), candidates, brand,
                    (List<Map<String, Object>>) c.get("passages"), 300);
            Candidate winner = scored.candidates().get(scored.winner());
            if (winner.text().equals(c.get("best"))) {
                right++;
            } else {
                misses.add(c.get("prompt") + " -> " + winner.text() + " " + scored.rationale());
            }
        }
        double rate = right / (double) cases.size();
        System.out.printf("selector picked the best answer in %d of %d cases (%.0f%%)%n", right, cases.size(),
                rate * 100);
        assertThat(rate).as("misses: %s", misses).isGreaterThanOrEqualTo(0.9);
    }

    /**
     * The judge's "auto" trigger (agreement below {@code hub.llm.judge.disagreement-threshold}) on the evaluation
     * sets: it fires for every panel with an off-topic or irrelevant answer or a refusal (the selection set's triples
     * all carry an irrelevant answer; the grounding set's off-topic and refusal categories, the API test's panel)
     * and stays off for three answers on the same subject that differ only in style or facts (the grounding set's
     * style-only, wrong-majority and wrong-product categories: the claims decide those, not a judge).
     */
    @Test
    @SuppressWarnings("unchecked")
    void theJudgeTriggerFiresWhenAnAnswerIsOffTopicOrARefusal() throws Exception {
        double threshold = new LlmProperties.Judge().getDisagreementThreshold();
        Selector selector = new Selector(Selector.DEFAULT_WEIGHTS);
        ObjectMapper json = new ObjectMapper();
        List<String> wrong = new ArrayList<>();
        int fired = 0;
        int quiet = 0;
        Map<String, Object> selection;
        try (InputStream in = getClass().getResourceAsStream("/round-table/selection-cases.json")) {
            selection = json.readValue(in, new TypeReference<Map<String, Object>>() { });
        }
        for (Map<String, Object> c : (List<Map<String, Object>>) selection.get("cases")) {
            List<String> answers = List.of((String) c.get("best"), (String) c.get("off_brand"),
                    (String) c.get("irrelevant"));
            double agreement = agreement(selector, (String) c.get("prompt"), answers);
            fired++;
            if (agreement >= threshold) {
                wrong.add("selection \"" + c.get("prompt") + "\" " + agreement + ": judge expected");
            }
        }
        Map<String, Object> eval;
        try (InputStream in = getClass().getResourceAsStream("/round-table/grounding-eval.json")) {
            eval = json.readValue(in, new TypeReference<Map<String, Object>>() { });
        }
        for (Map<String, Object> c : (List<Map<String, Object>>) eval.get("cases")) {
            String category = (String) c.get("category");
            boolean disagree = List.of("off-topic", "refusal").contains(category);
            boolean agree = List.of("style only", "wrong majority", "wrong product").contains(category);
            if (!disagree && !agree) {
                continue;
            }
            double agreement = agreement(selector, (String) c.get("question"), (List<String>) c.get("answers"));
            if (disagree) {
                fired++;
            } else {
                quiet++;
            }
            if (disagree != agreement < threshold) {
                wrong.add(c.get("id") + " (" + category + ") " + agreement + ": judge "
                        + (disagree ? "expected" : "not expected"));
            }
        }
        double api = agreement(selector, "Describe the Black Rose hoodie in a line.", List.of(
                RoundTableApiTest.ON_BRAND, RoundTableApiTest.BLAND, RoundTableApiTest.OFF_TOPIC));
        fired++;
        if (api >= threshold) {
            wrong.add("RoundTableApiTest's panel " + api + ": judge expected");
        }
        assertThat(fired).isGreaterThanOrEqualTo(25);
        assertThat(quiet).isGreaterThanOrEqualTo(12);
        assertThat(wrong).as("threshold %s", threshold).isEmpty();
    }

    private static double agreement(Selector selector, String prompt, List<String> answers) {
        List<Candidate> candidates = new ArrayList<>();
        for (int i = 0; i < answers.size(); i++) {
            candidates.add(new Candidate(PROVIDERS.get(i), "m", answers.get(i), null, 100,
                    new Candidate.Tokens(10, 10), 0, "stop", Map.of(), null));
        }
        return selector.score(prompt, candidates, Map.of(), List.of(), 300).agreement();
    }

    @Test
    void formPenalisesEmptyRefusedTruncatedAndOffLengthAnswers() {
        assertThat(Selector.form("", "stop", null)).isZero();
        assertThat(Selector.form("I'm sorry, but I can't help with that request.", "stop", null)).isLessThan(0.2);
        assertThat(Selector.form("As an AI language model I do not have opinions on hoodies.", "stop", null))
                .isLessThan(0.2);
        assertThat(Selector.form("The Black Rose hoodie is cut from heavyweight black fleece and", "length", null))
                .isEqualTo(0.5);
        assertThat(Selector.form("Yes.", "stop", null)).isLessThan(0.5);
        assertThat(Selector.form("word ".repeat(400) + "end.", "stop", 50)).isLessThan(1.0);
        assertThat(Selector.form("The Black Rose hoodie is cut from heavyweight black fleece.", "stop", 300))
                .isEqualTo(1.0);
    }

    @Test
    void tiesBreakByPanelOrderSoTheSameInputsAlwaysGiveTheSameWinner() {
        Selector selector = new Selector(Map.of());
        String text = "The Signature tee is premium cotton with rose gold details.";
        List<Candidate> candidates = new ArrayList<>();
        for (String p : PROVIDERS) {
            candidates.add(new Candidate(p, "m", text, null, 1, new Candidate.Tokens(1, 1), 0, "stop", Map.of(),
                    null));
        }
        for (int i = 0; i < 3; i++) {
            Selector.Scored s = selector.score("What is the Signature tee made of?", candidates, Map.of(), List.of(),
                    null);
            assertThat(s.winner()).isZero();
            assertThat(s.ranking()).containsExactly(0, 1, 2);
        }
    }

    @Test
    void theJudgeVerdictIsReadFromTheFirstLine() {
        assertThat(RoundTableJudge.parse("A\nBetter grounded.")).isEqualTo("A");
        assertThat(RoundTableJudge.parse("**B**\nMore on brand.")).isEqualTo("B");
        assertThat(RoundTableJudge.parse("Answer B is better because it is grounded.")).isEqualTo("B");
        assertThat(RoundTableJudge.parse("Neither is good.")).isNull();
    }
}
