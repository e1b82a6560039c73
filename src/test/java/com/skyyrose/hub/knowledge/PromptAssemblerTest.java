package com.skyyrose.hub.knowledge;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class PromptAssemblerTest {

    private final PromptAssembler assembler = new PromptAssembler();
    private final Map<String, Object> brand = Map.of("name", "SkyyRose", "tagline", "Where Love Meets Luxury",
            "tone", Map.of("primary", "confident", "descriptors", List.of("bold"), "avoid", List.of("cheap")),
            "policies", Map.of("returns", "30 days", "shipping", "free over $150"));

    private static Map<String, Object> passage(String id, double score, int chars) {
        return Map.of("id", id, "title", "T" + id, "text", "word ".repeat(chars / 5).strip(), "score", score);
    }

    @Test
    void everythingFitsInAGenerousBudgetBestPassageFirst() {
        PromptAssembler.Prompt p = assembler.assemble(brand, List.of(passage("chunk-2", 0.4, 200),
                passage("chunk-1", 0.9, 200)), "You are the support agent.", "Answer the customer.", 5000);
        assertThat(p.system()).startsWith("You are the support agent.").contains("Where Love Meets Luxury")
                .contains("Never use: cheap").contains("Returns: 30 days");
        assertThat(p.passageIds()).containsExactly("chunk-1", "chunk-2");
        assertThat(p.user().indexOf("[chunk-1]")).isLessThan(p.user().indexOf("[chunk-2]"));
        assertThat(p.user()).endsWith("Answer the customer.");
        assertThat(p.droppedPassages()).isZero();
        assertThat(p.estimatedTokens()).isLessThanOrEqualTo(5000);
    }

    @Test
    void aTightBudgetTrimsPassagesButNeverInstructionsOrTask() {
        String instructions = "Instruction sentence. ".repeat(40);
        String task = "Write the product description.";
        List<Map<String, Object>> passages = List.of(passage("chunk-1", 0.9, 800), passage("chunk-2", 0.8, 800),
                passage("chunk-3", 0.7, 800));
        PromptAssembler.Prompt full = assembler.assemble(brand, passages, instructions, task, 100_000);
        int budget = full.estimatedTokens() - 300;
        PromptAssembler.Prompt p = assembler.assemble(brand, passages, instructions, task, budget);
        assertThat(p.system()).contains(instructions.strip());
        assertThat(p.user()).endsWith(task);
        assertThat(p.estimatedTokens()).isLessThanOrEqualTo(budget);
        assertThat(p.passageIds()).startsWith("chunk-1").doesNotContain("chunk-3");
        assertThat(p.droppedPassages()).isPositive();

        // a budget smaller than the fixed parts still keeps instructions and task, with no passages
        PromptAssembler.Prompt tiny = assembler.assemble(brand, passages, instructions, task, 10);
        assertThat(tiny.passageIds()).isEmpty();
        assertThat(tiny.system()).contains(instructions.strip());
        assertThat(tiny.user()).isEqualTo("## Task\n" + task);
    }
}
