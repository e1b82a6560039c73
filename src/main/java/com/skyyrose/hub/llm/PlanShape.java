package com.skyyrose.hub.llm;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.ArrayList;
import java.util.List;

/**
 * The answer shape a caller (a SuperAgent) asks the round table for: one JSON object
 * {@code {answer: string, actions: [{tool, arguments}]}} whose actions name only {@code tools} and whose arguments
 * pass {@code check} (the tool's JSON Schema, checked by whoever owns the tools). The selector scores each
 * candidate against it ({@code plan}); a request without a shape is scored as before.
 */
public record PlanShape(List<String> tools, ArgumentsCheck check) {

    /** The problems of one action's arguments against its tool's schema (empty = valid). */
    @FunctionalInterface
    public interface ArgumentsCheck {
        List<String> problems(String tool, JsonNode arguments);
    }

    private static final ObjectMapper JSON = new ObjectMapper();

    public PlanShape {
        tools = tools == null ? List.of() : List.copyOf(tools);
    }

    /**
     * How well a reply fits, in [0, 1], with why. Not one JSON object with a text {@code answer} and an
     * {@code actions} array (missing counts as empty) scores 0. Otherwise the score is the mean credit of its
     * actions: 1 for an allowed tool with valid arguments, 0.5 for an allowed tool whose arguments break its schema
     * (the right tool, fixable), 0 for a tool outside the list. No actions at all is a complete plan (1.0).
     */
    public Fit fit(String reply) {
        JsonNode plan = parse(reply);
        if (plan == null || !plan.isObject()) {
            return new Fit(0, "not a JSON object");
        }
        if (!plan.path("answer").isTextual()) {
            return new Fit(0, "no text answer");
        }
        JsonNode actions = plan.path("actions");
        if (!actions.isMissingNode() && !actions.isNull() && !actions.isArray()) {
            return new Fit(0, "actions is not a list");
        }
        if (!actions.isArray() || actions.isEmpty()) {
            return new Fit(1, "valid, no actions");
        }
        double credit = 0;
        int valid = 0;
        List<String> faults = new ArrayList<>();
        for (JsonNode action : actions) {
            String tool = action.path("tool").isTextual() ? action.path("tool").asText() : null;
            if (tool == null || !tools.contains(tool)) {
                faults.add("'" + tool + "' not allowed");
                continue;
            }
            JsonNode arguments = action.has("arguments") ? action.get("arguments") : JSON.createObjectNode();
            List<String> problems = arguments.isObject() ? check.problems(tool, arguments)
                    : List.of("arguments must be an object");
            if (problems.isEmpty()) {
                credit += 1;
                valid++;
            } else {
                credit += 0.5;
                faults.add(tool + " arguments break its schema");
            }
        }
        double score = credit / actions.size();
        String why = valid + " of " + actions.size() + " actions valid"
                + (faults.isEmpty() ? "" : ": " + String.join(", ", faults));
        return new Fit(score, why);
    }

    public record Fit(double score, String why) {
    }

    /** The text a plan gives its reader: its {@code answer} when the reply is such a plan, else the reply itself. */
    public static String answerText(String reply) {
        JsonNode plan = parse(reply);
        return plan != null && plan.path("answer").isTextual() ? plan.path("answer").asText() : reply;
    }

    /**
     * The JSON object in a reply: the text from its first '{' to its last '}' (models wrap JSON in prose or code
     * fences), or null. SuperAgents read the winner's plan the same way.
     */
    public static JsonNode parse(String text) {
        if (text == null) {
            return null;
        }
        String t = text.strip();
        int start = t.indexOf('{');
        int end = t.lastIndexOf('}');
        if (start < 0 || end <= start) {
            return null;
        }
        try {
            return JSON.readTree(t.substring(start, end + 1));
        } catch (Exception e) {
            return null;
        }
    }
}
