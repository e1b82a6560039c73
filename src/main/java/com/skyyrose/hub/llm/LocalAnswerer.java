package com.skyyrose.hub.llm;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.springframework.stereotype.Component;

/**
 * The offline answerer, used only when no provider is configured or every provider failed. Deterministic: it
 * assembles an answer from the brand context and the retrieved passages most related to the question, and says
 * plainly that no model answered. Its candidate is labelled {@code provider: "local"} with no model.
 */
@Component
public class LocalAnswerer {

    public static final String PROVIDER = "local";

    public Candidate answer(RoundTableRequest request) {
        Map<String, Object> brand = request.brandContext();
        String prompt = Grounding.lower(request.prompt());
        List<String> parts = new ArrayList<>();
        String name = Grounding.str(brand, "name");
        if (!name.isBlank()) {
            String tagline = Grounding.str(brand, "tagline");
            String location = Grounding.str(brand, "location");
            parts.add(name + (tagline.isBlank() ? "" : " — " + tagline + ".")
                    + (location.isBlank() ? "" : " Designed in " + location + "."));
        }
        for (Map<String, Object> c : Grounding.maps(brand, "collections")) {
            String cname = Grounding.str(c, "name");
            if (!cname.isBlank() && prompt.contains(cname.toLowerCase(Locale.ROOT))) {
                String desc = Grounding.str(c, "description");
                String tagline = Grounding.str(c, "tagline");
                parts.add("The " + cname + " collection" + (tagline.isBlank() ? "" : " (" + tagline + ")")
                        + (desc.isBlank() ? "." : ": " + desc));
            }
        }
        List<Map<String, Object>> passages = rank(request.passages(), prompt);
        for (int i = 0; i < Math.min(2, passages.size()); i++) {
            parts.add(excerpt(Grounding.str(passages.get(i), "text")));
        }
        if (parts.isEmpty()) {
            parts.add("No brand context or passages were available to answer from.");
        }
        parts.add("(Offline answer assembled from the brand context and retrieved passages; no language model "
                + "was reachable.)");
        return new Candidate(PROVIDER, null, String.join(" ", parts), null, 0, new Candidate.Tokens(0, 0), 0,
                "stop", Map.of(), null);
    }

    /** Passages by word overlap with the question, then by their retrieval order (deterministic). */
    private static List<Map<String, Object>> rank(List<Map<String, Object>> passages, String prompt) {
        List<String> words = new ArrayList<>();
        for (String w : prompt.split("[^\\p{L}\\p{N}]+")) {
            if (w.length() > 3) {
                words.add(w);
            }
        }
        List<Map<String, Object>> sorted = new ArrayList<>(passages);
        List<Map<String, Object>> original = List.copyOf(passages);
        sorted.sort((a, b) -> {
            int d = overlap(b, words) - overlap(a, words);
            return d != 0 ? d : Integer.compare(original.indexOf(a), original.indexOf(b));
        });
        return sorted;
    }

    private static int overlap(Map<String, Object> passage, List<String> words) {
        String text = Grounding.lower(Grounding.str(passage, "title") + " " + Grounding.str(passage, "text"));
        int n = 0;
        for (String w : words) {
            if (text.contains(w)) {
                n++;
            }
        }
        return n;
    }

    private static String excerpt(String text) {
        String t = text.strip();
        if (t.length() <= 400) {
            return t;
        }
        int cut = t.lastIndexOf(". ", 400);
        return cut > 100 ? t.substring(0, cut + 1) : t.substring(0, 400) + "…";
    }
}
