package com.skyyrose.hub.llm;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A text as a bag of stemmed content words, for the selector's relevance, agreement, grounding and brand-voice
 * scores. Lexical on purpose: an answer is scored in microseconds instead of one MiniLM run (≈ 2.7 ms of CPU each,
 * three per round), and the facts that decide a round are checked by {@link ClaimGrounding}, which is lexical too.
 * Words are lower-cased and crudely stemmed as the claim checker does ({@link ClaimExtractor#stem}: "returns",
 * "returned" and "return" are one term); stop words and the words of a request ("describe", "tell me") do not
 * count; numbers do (two answers that give different numbers agree less). Each term weighs 1 + ln(count).
 */
final class LexicalText {

    /** Function words, and the words a request is phrased with rather than what it is about. */
    private static final Set<String> STOP = Set.copyOf(List.of(("a an the and or but nor so yet of to in on at by "
            + "for with from into onto over under about above below after before until within up down out off as than "
            + "then this that these those there here it its is are was were be been being am do does did done have has "
            + "had having can could will would shall should may might must i me my we us our ours you your yours he him "
            + "his she her they them their what which who whom whose when where why how all any both each every few "
            + "more most other some such only own same too very just also yes no not of course sure please per if "
            + "because while whereas instead like let lets get gets got s t ll ve re d m "
            + "describe tell explain write give know want need say line lines short briefly brief sentence two "
            + "much many well really").split(" ")));

    /** Bags of texts that recur every round (passages, the brand voice); bounded LRU. */
    private static final Map<String, LexicalText> RECENT = java.util.Collections.synchronizedMap(
            new java.util.LinkedHashMap<>(256, 0.75f, true) {
                @Override
                protected boolean removeEldestEntry(Map.Entry<String, LexicalText> eldest) {
                    return size() > 2048;
                }
            });

    static final LexicalText EMPTY = new LexicalText(Map.of());

    private final Map<String, Double> weights;
    private final double norm;
    private final double total;

    private LexicalText(Map<String, Double> weights) {
        this.weights = weights;
        double n = 0;
        double t = 0;
        for (double w : weights.values()) {
            n += w * w;
            t += w;
        }
        this.norm = Math.sqrt(n);
        this.total = t;
    }

    static LexicalText of(String text) {
        if (text == null || text.isBlank()) {
            return EMPTY;
        }
        Map<String, Integer> counts = new HashMap<>();
        for (String w : ClaimExtractor.words(ClaimExtractor.normalize(text))) {
            if (STOP.contains(w) || (w.length() < 2 && !Character.isDigit(w.charAt(0)))) {
                continue;
            }
            String term = Character.isDigit(w.charAt(0)) ? w : ClaimExtractor.stem(w);
            if (!STOP.contains(term)) {
                counts.merge(term, 1, Integer::sum);
            }
        }
        Map<String, Double> weights = new HashMap<>();
        counts.forEach((term, n) -> weights.put(term, 1 + Math.log(n)));
        return new LexicalText(weights);
    }

    /** As {@link #of}, remembered: for texts that recur across rounds (passages, the brand voice). */
    static LexicalText recurring(String text) {
        if (text == null || text.isBlank()) {
            return EMPTY;
        }
        LexicalText known = RECENT.get(text);
        if (known == null) {
            known = of(text);
            if (text.length() <= 20_000) {
                RECENT.put(text, known);
            }
        }
        return known;
    }

    boolean isEmpty() {
        return weights.isEmpty();
    }

    int size() {
        return weights.size();
    }

    /** Cosine of the two bags, in [0, 1]: 1 for the same words in the same proportions, 0 for none shared. */
    double cosine(LexicalText other) {
        if (norm == 0 || other.norm == 0) {
            return 0;
        }
        Map<String, Double> small = weights.size() <= other.weights.size() ? weights : other.weights;
        Map<String, Double> large = small == weights ? other.weights : weights;
        double dot = 0;
        for (Map.Entry<String, Double> e : small.entrySet()) {
            Double w = large.get(e.getKey());
            if (w != null) {
                dot += e.getValue() * w;
            }
        }
        return dot / (norm * other.norm);
    }

    /** The share (by weight) of this bag's terms that {@code other} contains, in [0, 1]: how much of a question an answer covers. */
    double coveredBy(LexicalText other) {
        if (total == 0) {
            return 0;
        }
        double hit = 0;
        for (Map.Entry<String, Double> e : weights.entrySet()) {
            if (other.weights.containsKey(e.getKey())) {
                hit += e.getValue();
            }
        }
        return hit / total;
    }
}
