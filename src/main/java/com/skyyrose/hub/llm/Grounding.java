package com.skyyrose.hub.llm;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** Reads the brand-context Map and passages (shapes of direct:brand-context / direct:rag-retrieve) null-safely. */
final class Grounding {

    /** Marks a passage retrieved only to check the answers' claims; the providers are not shown it. */
    static final String SCORING_ONLY = "scoring_only";

    private Grounding() {
    }

    static String str(Map<String, Object> map, String key) {
        Object v = map == null ? null : map.get(key);
        return v == null ? "" : String.valueOf(v);
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> map(Map<String, Object> map, String key) {
        Object v = map == null ? null : map.get(key);
        return v instanceof Map<?, ?> m ? (Map<String, Object>) m : Map.of();
    }

    @SuppressWarnings("unchecked")
    static List<Object> list(Map<String, Object> map, String key) {
        Object v = map == null ? null : map.get(key);
        return v instanceof Collection<?> c ? new ArrayList<>((Collection<Object>) c) : List.of();
    }

    static List<String> strings(Map<String, Object> map, String key) {
        List<String> out = new ArrayList<>();
        for (Object o : list(map, key)) {
            if (o != null && !String.valueOf(o).isBlank()) {
                out.add(String.valueOf(o).trim());
            }
        }
        return out;
    }

    @SuppressWarnings("unchecked")
    static List<Map<String, Object>> maps(Map<String, Object> map, String key) {
        List<Map<String, Object>> out = new ArrayList<>();
        for (Object o : list(map, key)) {
            if (o instanceof Map<?, ?> m) {
                out.add((Map<String, Object>) m);
            }
        }
        return out;
    }

    static List<String> toneWords(Map<String, Object> brand) {
        Map<String, Object> tone = map(brand, "tone");
        List<String> words = new ArrayList<>(strings(tone, "descriptors"));
        if (!str(tone, "primary").isBlank()) {
            words.add(str(tone, "primary"));
        }
        return words;
    }

    static List<String> avoidWords(Map<String, Object> brand) {
        return strings(map(brand, "tone"), "avoid");
    }

    static List<String> collectionNames(Map<String, Object> brand) {
        List<String> names = new ArrayList<>();
        for (Map<String, Object> c : maps(brand, "collections")) {
            if (!str(c, "name").isBlank()) {
                names.add(str(c, "name"));
            }
        }
        return names;
    }

    /** A prose description of the brand voice, for models and for the embedding comparison. */
    static String brandVoice(Map<String, Object> brand) {
        if (brand == null || brand.isEmpty()) {
            return "";
        }
        StringBuilder b = new StringBuilder();
        b.append(str(brand, "name"));
        if (!str(brand, "tagline").isBlank()) {
            b.append(" — \"").append(str(brand, "tagline")).append("\"");
        }
        if (!str(brand, "location").isBlank()) {
            b.append(", ").append(str(brand, "location"));
        }
        b.append(". ");
        if (!str(brand, "philosophy").isBlank()) {
            b.append(str(brand, "philosophy")).append(' ');
        }
        List<String> tone = toneWords(brand);
        if (!tone.isEmpty()) {
            b.append("Voice: ").append(String.join(", ", tone)).append(". ");
        }
        for (Map<String, Object> c : maps(brand, "collections")) {
            b.append(str(c, "name"));
            if (!str(c, "tagline").isBlank()) {
                b.append(" (").append(str(c, "tagline")).append(")");
            }
            if (!str(c, "description").isBlank()) {
                b.append(": ").append(str(c, "description"));
            }
            b.append(". ");
        }
        return b.toString().trim();
    }

    /** The system prompt each provider receives: the caller's system text, the brand voice and the passages. */
    static String systemPrompt(RoundTableRequest request) {
        StringBuilder b = new StringBuilder();
        if (request.system() != null && !request.system().isBlank()) {
            b.append(request.system().trim()).append("\n\n");
        }
        String voice = brandVoice(request.brandContext());
        if (!voice.isBlank()) {
            b.append("Brand: ").append(voice).append('\n');
            List<String> avoid = avoidWords(request.brandContext());
            if (!avoid.isEmpty()) {
                b.append("Never use: ").append(String.join(", ", avoid)).append('\n');
            }
        }
        if (request.passages().stream().anyMatch(p -> !Boolean.TRUE.equals(p.get(SCORING_ONLY)))) {
            b.append("\nAnswer from these passages where they apply:\n");
            int i = 1;
            for (Map<String, Object> p : request.passages()) {
                if (Boolean.TRUE.equals(p.get(SCORING_ONLY))) {
                    continue;
                }
                b.append('[').append(i++).append("] ");
                if (!str(p, "title").isBlank()) {
                    b.append(str(p, "title")).append(": ");
                }
                b.append(str(p, "text")).append('\n');
            }
        }
        return b.toString().trim();
    }

    static String lower(String s) {
        return s == null ? "" : s.toLowerCase(Locale.ROOT);
    }
}
