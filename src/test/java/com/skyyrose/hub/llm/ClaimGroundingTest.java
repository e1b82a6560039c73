package com.skyyrose.hub.llm;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Claim extraction and checking ({@link ClaimExtractor}, {@link ClaimGrounding}) and how the selector ranks by them. */
class ClaimGroundingTest {

    static List<Map<String, Object>> passages(String... texts) {
        List<Map<String, Object>> out = new ArrayList<>();
        for (int i = 0; i < texts.length; i++) {
            out.add(Map.of("id", "chunk-" + (i + 1), "title", "Policy " + (i + 1), "text", texts[i]));
        }
        return out;
    }

    static ClaimGrounding.Report check(String question, String answer, String... passages) {
        return new ClaimGrounding(question, passages(passages), Map.of()).check(answer);
    }

    @Test
    void quantitiesAreReadWithTheirUnits() {
        List<ClaimExtractor.Quantity> q = ClaimExtractor.quantities(ClaimExtractor.normalize(
                "Express costs $24, ships within two weeks before 1pm, rated to -10°C, 1.4 kg, 15% off, 300 numbered pieces"));
        assertThat(q).extracting(ClaimExtractor.Quantity::kind)
                .containsExactlyInAnyOrder("money", "percent", "time", "duration", "temp", "mass", "count");
        assertThat(q).filteredOn(x -> x.kind().equals("duration")).first().extracting(ClaimExtractor.Quantity::lo)
                .isEqualTo(14.0);
        assertThat(q).filteredOn(x -> x.kind().equals("mass")).first().extracting(ClaimExtractor.Quantity::lo)
                .isEqualTo(1400.0);
        assertThat(q).filteredOn(x -> x.kind().equals("temp")).first().extracting(ClaimExtractor.Quantity::lo)
                .isEqualTo(-10.0);
    }

    @Test
    void aDifferentNumberForTheSameThingIsContradictedAndTheSameIsSupported() {
        String doc = "Returns are accepted within 21 days of delivery for unworn pieces with the original tags. "
                + "Size exchanges are free within 45 days.";
        String q = "How long do I have to return a hoodie?";
        assertThat(check(q, "You can return it within 21 days, unworn with tags.", doc).contradicted()).isEmpty();
        assertThat(check(q, "You can return it within 21 days, unworn with tags.", doc).supported()).isNotEmpty();
        ClaimGrounding.Report wrong = check(q, "Returns are accepted within 60 days, worn or unworn.", doc);
        assertThat(wrong.contradicted()).extracting(ClaimGrounding.Checked::claim).contains("60 days");
        assertThat(check(q, "Returns are accepted within 3 weeks.", doc).supported()).isNotEmpty();
    }

    @Test
    void polarityIsChecked() {
        String doc = "SkyyRose never issues discount codes. Members get early access instead.";
        String q = "Can I get a discount code?";
        assertThat(check(q, "Sign up and we will send you a 10% discount code for your first order.", doc)
                .contradicted()).isNotEmpty();
        ClaimGrounding.Report right = check(q, "SkyyRose never issues discount codes.", doc);
        assertThat(right.contradicted()).isEmpty();
        assertThat(right.supported()).isNotEmpty();
        assertThat(check("How do I wash it?", "Dry clean only.", "Machine wash cold. Do not dry clean.")
                .contradicted()).isNotEmpty();
    }

    @Test
    void unboundedDurationsAndAnotherProductsFiguresAreChecked() {
        assertThat(check("Do gift cards expire?", "Gift cards never expire.",
                "SkyyRose gift cards never expire and can be used online.").contradicted()).isEmpty();
        assertThat(check("Do gift cards expire?", "Gift cards expire 12 months after purchase.",
                "SkyyRose gift cards never expire and can be used online.").contradicted()).isNotEmpty();
        // the other product's weight (same unit, same value) does not support a claim about this one
        String[] docs = {"The Harbor overshirt is lined with quilted satin and weighs 540 g.",
            "The Tidewater parka is lined with sherpa fleece and weighs 1.4 kg."};
        ClaimGrounding.Report wrong = check("How much does the Harbor overshirt weigh?",
                "The Harbor overshirt weighs 1.4 kg.", docs);
        assertThat(wrong.supported()).isEmpty();
        assertThat(wrong.contradicted()).extracting(ClaimGrounding.Checked::claim).containsExactly("1.4 kg");
    }

    @Test
    void anUnrelatedNumberIsNotCovered() {
        ClaimGrounding.Report r = check("When does the drop launch?", "The drop launches Friday at 10am.",
                "The Nocturne hoodie weighs 900 g and comes in 7 sizes.");
        assertThat(r.contradicted()).isEmpty();
        assertThat(r.supported()).isEmpty();
    }

    @Test
    void theAvoidWordPenaltyUnderstandsNegation() {
        assertThat(Selector.containsUnnegated("never cheap, never rushed: made in oakland.", "cheap")).isFalse();
        assertThat(Selector.containsUnnegated("never cheap, never rushed: made in oakland.", "rushed")).isFalse();
        assertThat(Selector.containsUnnegated("not a basic tee.", "basic")).isFalse();
        assertThat(Selector.containsUnnegated("a cheap hoodie, never rushed.", "cheap")).isTrue();
        Map<String, Object> brand = Map.of("name", "SkyyRose", "tone", Map.of("avoid", List.of("cheap", "rushed")));
        assertThat(Selector.brandFit("Never cheap, never rushed: SkyyRose.", brand))
                .isGreaterThan(Selector.brandFit("Cheap and rushed: SkyyRose.", brand) + 0.3);
    }

    @Test
    void aSupportedMinorityBeatsAWrongMajorityAndARefusalBeatsAContradictedAnswer() {
        Selector selector = new Selector(Selector.DEFAULT_WEIGHTS);
        List<Map<String, Object>> docs = passages("Rose Circle members earn 5 points per dollar spent.");
        Map<String, Object> brand = Map.of("name", "SkyyRose", "tagline", "Where Love Meets Luxury",
                "tone", Map.of("descriptors", List.of("luxurious", "romantic"), "avoid", List.of("cheap")));
        String q = "How many points do Rose Circle members earn per dollar?";
        Selector.Scored s = selector.score(q, List.of(
                candidate("openai", "SkyyRose Rose Circle members earn 2 points per dollar, luxurious and romantic."),
                candidate("anthropic", "Rose Circle members earn 2 points per dollar — where love meets luxury."),
                candidate("gemini", "Rose Circle members earn 5 points per dollar spent.")), brand, docs, 300);
        assertThat(s.candidates().get(s.winner()).provider()).isEqualTo("gemini");
        assertThat(s.rationale()).contains("contradicted").contains("5 points");
        assertThat(s.candidates().get(0).claims()).isNotNull();
        assertThat(s.candidates().get(0).scores()).containsKey("facts");

        Selector.Scored refusal = selector.score(q, List.of(
                candidate("openai", "SkyyRose Rose Circle members earn 2 points per dollar, luxurious and romantic."),
                candidate("anthropic", "I'm sorry, I don't have that information.")), brand, docs, 300);
        assertThat(refusal.candidates().get(refusal.winner()).provider()).isEqualTo("anthropic");
    }

    @Test
    void aPlanIsScoredOnItsAnswerText() {
        assertThat(PlanShape.answerText("{\"answer\":\"21 days\",\"actions\":[]}")).isEqualTo("21 days");
        assertThat(PlanShape.answerText("plain text")).isEqualTo("plain text");
    }

    static Candidate candidate(String provider, String text) {
        return new Candidate(provider, "m", text, null, 100, new Candidate.Tokens(10, 10), 0, "stop", Map.of(), null);
    }
}
