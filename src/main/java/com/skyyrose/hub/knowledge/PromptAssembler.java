package com.skyyrose.hub.knowledge;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.springframework.stereotype.Component;

/**
 * Builds an agent's prompt from one recipe: brand context + retrieved passages (each with its id, so answers can
 * cite {@code [chunk-12]}) + the agent's instructions + the task. A token budget trims passages (lowest score
 * first, then the last kept passage is shortened) and never the instructions, the task or the brand context.
 * Tokens are estimated at four characters each (close enough for English with the GPT/Claude tokenisers).
 */
@Component("promptAssembler")
public class PromptAssembler {

    /** The assembled prompt; {@code system} for the system role, {@code user} for the user turn. */
    public record Prompt(String system, String user, List<String> passageIds, int estimatedTokens, int droppedPassages) {
        public Map<String, Object> toMap() {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("system", system);
            m.put("user", user);
            m.put("passage_ids", passageIds);
            m.put("estimated_tokens", estimatedTokens);
            m.put("dropped_passages", droppedPassages);
            return m;
        }
    }

    public static int estimateTokens(String text) {
        return text == null ? 0 : (text.length() + 3) / 4;
    }

    public Prompt assemble(Map<String, Object> brand, List<Map<String, Object>> passages, String instructions,
            String task, int tokenBudget) {
        String brandText = brand == null ? "" : renderBrand(brand);
        String system = (instructions == null ? "" : instructions.strip())
                + (brandText.isEmpty() ? "" : "\n\n## Brand context\n" + brandText);
        String taskText = "## Task\n" + (task == null ? "" : task.strip());
        String passagesHeader = "## Knowledge passages (cite them by id, e.g. [chunk-12])\n";
        int fixed = estimateTokens(system) + estimateTokens(taskText) + estimateTokens(passagesHeader) + 4;
        int left = tokenBudget - fixed;

        List<Map<String, Object>> ordered = new ArrayList<>(passages == null ? List.of() : passages);
        ordered.sort((a, b) -> Double.compare(score(b), score(a)));
        StringBuilder block = new StringBuilder();
        List<String> ids = new ArrayList<>();
        int dropped = 0;
        for (Map<String, Object> p : ordered) {
            String id = String.valueOf(p.get("id"));
            String head = "[" + id + "] " + (p.get("title") == null ? "" : p.get("title") + ": ");
            String text = String.valueOf(p.getOrDefault("text", "")).strip();
            int cost = estimateTokens(head + text + "\n");
            if (cost <= left) {
                block.append(head).append(text).append('\n');
                ids.add(id);
                left -= cost;
            } else if (left - estimateTokens(head) >= 32) {
                // shorten this passage to what still fits (at a word boundary), then stop
                int chars = (left - estimateTokens(head) - 1) * 4;
                String cut = text.substring(0, Math.min(text.length(), chars));
                int space = cut.lastIndexOf(' ');
                cut = (space > chars / 2 ? cut.substring(0, space) : cut) + "…";
                block.append(head).append(cut).append('\n');
                ids.add(id);
                left = 0;
            } else {
                dropped++;
            }
        }
        String user = (block.length() == 0 ? "" : passagesHeader + block + "\n") + taskText;
        return new Prompt(system, user, ids, estimateTokens(system) + estimateTokens(user), dropped);
    }

    private static double score(Map<String, Object> p) {
        return p.get("score") instanceof Number n ? n.doubleValue() : 0;
    }

    @SuppressWarnings("unchecked")
    static String renderBrand(Map<String, Object> b) {
        StringBuilder sb = new StringBuilder();
        line(sb, "Brand", b.get("name") + (b.get("tagline") != null ? " — \"" + b.get("tagline") + "\"" : ""));
        line(sb, "Location", b.get("location"));
        line(sb, "Philosophy", b.get("philosophy"));
        if (b.get("tone") instanceof Map<?, ?> tone) {
            line(sb, "Tone", tone.get("primary") + join(" (", tone.get("descriptors"), ")"));
            line(sb, "Never use", joinValues(tone.get("avoid")));
        }
        if (b.get("colors") instanceof List<?> colors) {
            List<String> cs = new ArrayList<>();
            for (Object c : colors) {
                if (c instanceof Map<?, ?> m) {
                    cs.add(m.get("name") + " " + m.get("hex"));
                }
            }
            line(sb, "Colours", String.join(", ", cs));
        }
        if (b.get("typography") instanceof Map<?, ?> t) {
            List<String> ts = new ArrayList<>();
            t.forEach((k, v) -> ts.add(k + ": " + v));
            line(sb, "Typography", String.join(", ", ts));
        } else {
            line(sb, "Typography", b.get("typography"));
        }
        line(sb, "Audience", b.get("audience"));
        line(sb, "Products", joinValues(b.get("product_types")));
        if (b.get("collections") instanceof List<?> cols) {
            for (Object c : cols) {
                if (c instanceof Map<?, ?> m) {
                    line(sb, "Collection " + m.get("name"), "\"" + m.get("tagline") + "\"; mood: " + m.get("mood")
                            + "; colours: " + joinValues(m.get("colors")) + ". " + m.get("description"));
                }
            }
        }
        if (b.get("policies") instanceof Map<?, ?> p) {
            line(sb, "Returns", p.get("returns"));
            line(sb, "Shipping", p.get("shipping"));
        }
        return sb.toString().strip();
    }

    private static void line(StringBuilder sb, String label, Object value) {
        if (value != null && !String.valueOf(value).isBlank() && !"null".equals(String.valueOf(value))) {
            sb.append("- ").append(label).append(": ").append(value).append('\n');
        }
    }

    private static String join(String before, Object list, String after) {
        String j = joinValues(list);
        return j.isEmpty() ? "" : before + j + after;
    }

    private static String joinValues(Object list) {
        if (list instanceof List<?> l) {
            return String.join(", ", l.stream().map(String::valueOf).toList());
        }
        return list == null ? "" : String.valueOf(list);
    }
}
