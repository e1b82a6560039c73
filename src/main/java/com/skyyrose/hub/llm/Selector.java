package com.skyyrose.hub.llm;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Scores every candidate and ranks them, explaining each score. Components, each in [0, 1]:
 * <ul>
 *   <li>{@code relevance}: how much of the question's content words the answer covers;</li>
 *   <li>{@code agreement}: mean word overlap (cosine of the word bags) with the other answers (only with two or
 *       more answers);</li>
 *   <li>{@code grounding}: best word overlap with a passage shown to the providers (only when there are
 *       passages);</li>
 *   <li>{@code facts}: the answer's claims checked against the passages and the brand context
 *       ({@link ClaimGrounding}): supported lifts it, contradicted pulls it down (only with evidence);</li>
 *   <li>{@code brand_fit}: the brand's vocabulary (name, tone words, collections) and the words of its voice, minus
 *       the words to avoid — unless negated: "never cheap" is on-brand (only with a brand context);</li>
 *   <li>{@code form}: empty, refused, truncated or off-length answers are penalised;</li>
 *   <li>{@code plan}: only when the request carries an expected answer shape ({@link PlanShape}): a JSON
 *       {answer, actions} whose actions name allowed tools with schema-valid arguments scores 1, partial credit
 *       as {@link PlanShape#fit} explains, anything else 0.</li>
 * </ul>
 * The total is the weighted mean over the components present (weights from configuration). The ranking puts facts
 * before the total: an answer with a contradicted claim ranks below every answer without one (so neither style,
 * brand fit nor a wrong majority's agreement can carry it), a refusal or an answer with nothing checkable ranks
 * below a grounded one, and within a tier the total decides. Before all that (unless the plan weight is 0), a plan
 * that fits not at all (not the shape, or only tools the agent may not use) ranks below every plan that does. For a plan (a SuperAgent's JSON) the plan's
 * {@code answer} text is what relevance, agreement, grounding, facts and brand fit read. Ties break by panel order,
 * so the same inputs always give the same winner.
 * <p>
 * Every text is compared by its stemmed content words ({@link LexicalText}), not by sentence embeddings: embedding
 * three new answers per round was the largest single CPU cost of a round (≈ 8 ms of ≈ 26 ms at concurrency 16), and
 * what decides a round (the claims) was lexical already. The price: a paraphrase with no shared word ("sweatshirt"
 * for "hoodie") counts as unrelated.
 */
public final class Selector {

    public static final Map<String, Double> DEFAULT_WEIGHTS = Map.of("relevance", 0.25, "agreement", 0.15,
            "grounding", 0.25, "facts", 0.35, "brand_fit", 0.2, "form", 0.15, "plan", 0.3);

    /**
     * A refusal opens the answer ("I'm sorry, I can't…", "As an AI…") or says "as an AI (language) model" anywhere.
     * Two patterns so the opening is only tried at the start and the rest only when the phrase is there at all.
     */
    private static final Pattern REFUSAL_OPENING = Pattern.compile(
            "\\s*(i'?m sorry|i am sorry|sorry)?[,.]?\\s*(but\\s+)?(i\\s*(can(no|')t|won'?t|am unable|'m unable|am not able"
                    + "|'m not able|do not have|don'?t have|could not find|couldn'?t find)|as an ai)",
            Pattern.CASE_INSENSITIVE);
    private static final Pattern REFUSAL_ANYWHERE = Pattern.compile("\\bas an ai (language )?model\\b",
            Pattern.CASE_INSENSITIVE);
    /** Negation words that turn an avoided word into an on-brand one ("never cheap, never rushed"). */
    private static final Pattern NEGATED_BEFORE = Pattern.compile(
            "(?:\\b(?:never|not|no|nothing|without|neither|nor|isn't|aren't|anything but|far from)\\s+(?:\\S+\\s+)?)$");

    /**
     * Word-overlap levels that count as full marks. Calibrated on the repository's selection and evaluation sets
     * (see SelectorTest, RoundTableGroundingEvalTest): an answer that uses RELEVANCE_FULL of the question's words
     * answers it; a grounded answer's cosine with its passage is about GROUNDING_FULL; an on-brand answer's with the
     * brand voice about VOICE_FULL.
     */
    static final double RELEVANCE_FULL = 0.6;
    static final double GROUNDING_FULL = 0.5;
    static final double VOICE_FULL = 0.4;

    private final Map<String, Double> weights;

    public Selector(Map<String, Double> configured) {
        Map<String, Double> w = new LinkedHashMap<>();
        for (String k : List.of("relevance", "agreement", "grounding", "facts", "brand_fit", "form", "plan")) {
            Double v = configured == null ? null : configured.get(k);
            if (v == null && configured != null) {
                v = configured.get(k.replace('_', '-'));
            }
            w.put(k, v != null ? v : DEFAULT_WEIGHTS.get(k));
        }
        this.weights = w;
    }

    public Map<String, Double> weights() {
        return weights;
    }

    /**
     * The scored candidates (input order), the ranking of the answered ones, how much they agree, and each
     * candidate's facts tier (3 grounded, 1 refusal or nothing checkable, 0 contradicted; -1 not answered).
     */
    public record Scored(List<Candidate> candidates, List<Integer> ranking, Double agreement, String rationale,
            List<Integer> tiers) {
        public int winner() {
            return ranking.isEmpty() ? -1 : ranking.get(0);
        }

        public int tier(int i) {
            return tiers == null || i < 0 || i >= tiers.size() ? -1 : tiers.get(i);
        }
    }

    public Scored score(String prompt, List<Candidate> candidates, Map<String, Object> brand,
            List<Map<String, Object>> passages, Integer maxTokens) {
        return score(prompt, candidates, brand, passages, maxTokens, null);
    }

    /** As above; with a {@code plan} shape every answered candidate is also scored for fitting it. */
    public Scored score(String prompt, List<Candidate> candidates, Map<String, Object> brand,
            List<Map<String, Object>> passages, Integer maxTokens, PlanShape plan) {
        Map<Integer, PlanShape.Fit> fits = new LinkedHashMap<>();
        List<Candidate> out = new ArrayList<>();
        List<Integer> ok = new ArrayList<>();
        for (int i = 0; i < candidates.size(); i++) {
            if (candidates.get(i).ok() && !candidates.get(i).text().isBlank()) {
                ok.add(i);
            }
        }
        String voice = Grounding.brandVoice(brand);
        // a plan is judged on its answer text (the JSON around it is scored as plan fit)
        List<String> answers = new ArrayList<>();
        candidates.forEach(c -> answers.add(c.ok() && plan != null ? PlanShape.answerText(c.text()) : c.text()));
        // passages retrieved only for checking claims are not compared (the providers did not see them)
        List<LexicalText> shown = new ArrayList<>();
        if (passages != null) {
            passages.forEach(p -> {
                if (!Boolean.TRUE.equals(p.get(Grounding.SCORING_ONLY))) {
                    LexicalText t = LexicalText.recurring(Grounding.str(p, "text"));
                    if (!t.isEmpty()) {
                        shown.add(t);
                    }
                }
            });
        }
        LexicalText question = LexicalText.of(prompt);
        LexicalText voiceWords = LexicalText.recurring(voice);
        List<LexicalText> bags = new ArrayList<>();
        answers.forEach(a -> bags.add(LexicalText.of(a)));
        ClaimGrounding claims = new ClaimGrounding(prompt, passages, brand);
        List<Integer> tiers = new ArrayList<>();
        Map<Integer, ClaimGrounding.Report> reports = new LinkedHashMap<>();
        double pairSum = 0;
        int pairs = 0;
        for (int i = 0; i < candidates.size(); i++) {
            Candidate c = candidates.get(i);
            if (!c.ok()) {
                out.add(c);
                tiers.add(-1);
                continue;
            }
            Map<String, Double> s = new LinkedHashMap<>();
            String text = answers.get(i);
            boolean blank = text.isBlank();
            LexicalText words = bags.get(i);
            s.put("relevance", blank ? 0 : relevance(question, words));
            if (ok.size() >= 2 && ok.contains(i)) {
                double sum = 0;
                for (int j : ok) {
                    if (j != i) {
                        double sim = words.cosine(bags.get(j));
                        sum += sim;
                        if (j > i) {
                            pairSum += sim;
                            pairs++;
                        }
                    }
                }
                s.put("agreement", sum / (ok.size() - 1));
            }
            if (!shown.isEmpty()) {
                double best = 0;
                for (LexicalText p : shown) {
                    best = Math.max(best, words.cosine(p));
                }
                s.put("grounding", blank ? 0 : clamp(best / GROUNDING_FULL));
            }
            ClaimGrounding.Report report = ClaimGrounding.Report.NONE;
            if (claims.hasEvidence()) {
                report = claims.check(text);
                reports.put(i, report);
                s.put("facts", report.score());
            }
            if (brand != null && !brand.isEmpty()) {
                s.put("brand_fit", blank ? 0 : brandFit(text, words, brand, voiceWords));
            }
            s.put("form", form(c.text(), c.finishReason(), maxTokens));
            tiers.add(blank ? 0 : report.tier(isRefusal(text)));
            if (plan != null) {
                PlanShape.Fit fit = plan.fit(c.text());
                fits.put(i, fit);
                s.put("plan", fit.score());
            }
            Candidate scored = c.scored(round(s), round(total(s)));
            out.add(reports.containsKey(i) ? scored.withClaims(ClaimGrounding.toMap(report)) : scored);
        }
        List<Integer> ranking = new ArrayList<>(ok);
        // a plan the agent cannot carry out (not the shape, or only tools it may not use) never wins over one it can
        boolean plans = weights.get("plan") > 0;
        ranking.sort(Comparator.comparingInt((Integer i) -> plans && fits.containsKey(i) && fits.get(i).score() == 0
                ? 1 : 0)
                .thenComparingInt(i -> -tiers.get(i))
                .thenComparingDouble(i -> -out.get(i).score()).thenComparingInt(i -> i));
        Double agreement = pairs == 0 ? null : round(pairSum / pairs);
        return new Scored(out, ranking, agreement, rationale(out, ranking) + factsRationale(out, ranking, reports,
                tiers) + planRationale(out, fits), tiers);
    }

    private static boolean refusal(String t) {
        return REFUSAL_OPENING.matcher(t).lookingAt() || mentionsAsAnAi(t) && REFUSAL_ANYWHERE.matcher(t).find();
    }

    private static boolean mentionsAsAnAi(String t) {
        for (int i = 0; i + 9 <= t.length(); i++) {
            char c = t.charAt(i);
            if ((c == 'a' || c == 'A') && t.regionMatches(true, i, "as an ai ", 0, 9)) {
                return true;
            }
        }
        return false;
    }

    static boolean isRefusal(String text) {
        return text != null && refusal(text.strip().replace('’', '\''));
    }

    /** Each answer's supported and contradicted claims, and why facts ordered the ranking (when they did). */
    private static String factsRationale(List<Candidate> scored, List<Integer> ranking,
            Map<Integer, ClaimGrounding.Report> reports, List<Integer> tiers) {
        if (reports.isEmpty()) {
            return "";
        }
        List<String> parts = new ArrayList<>();
        for (int i : ranking) {
            ClaimGrounding.Report r = reports.get(i);
            if (r == null) {
                continue;
            }
            StringBuilder b = new StringBuilder(scored.get(i).provider()).append(' ');
            b.append(r.supported().size()).append(" supported");
            if (!r.supported().isEmpty()) {
                b.append(" (").append(String.join("; ", r.supported().stream().limit(3).map(
                        ClaimGrounding.Checked::claim).toList())).append(')');
            }
            b.append(", ").append(r.contradicted().size()).append(" contradicted");
            if (!r.contradicted().isEmpty()) {
                b.append(" (").append(String.join("; ", r.contradicted().stream().limit(3).map(
                        c -> "\"" + c.claim() + "\" vs \"" + clip(c.evidence()) + "\"").toList())).append(')');
            }
            if (isRefusal(scored.get(i).text())) {
                b.append(", a refusal");
            }
            parts.add(b.toString());
        }
        String s = " Claims against the knowledge base: " + String.join("; ", parts) + ".";
        if (ranking.size() >= 2 && tiers.get(ranking.get(0)) > tiers.get(ranking.get(1))) {
            s += " Facts rank first: " + scored.get(ranking.get(0)).provider()
                    + (tiers.get(ranking.get(0)) == 3 ? " is grounded" : " contradicts nothing")
                    + ", so no better-styled or more agreed answer with "
                    + (tiers.get(ranking.get(1)) == 0 ? "a contradicted claim" : "less support") + " outranks it.";
        }
        return s;
    }

    private static String clip(String s) {
        return s.length() <= 90 ? s : s.substring(0, 87) + "…";
    }

    double total(Map<String, Double> s) {
        double sum = 0;
        double w = 0;
        for (Map.Entry<String, Double> e : s.entrySet()) {
            double weight = weights.getOrDefault(e.getKey(), 0d);
            sum += weight * e.getValue();
            w += weight;
        }
        return w == 0 ? 0 : sum / w;
    }

    /** Relevance: the share of the question's content words the answer uses (a question with none: neutral 0.5). */
    static double relevance(LexicalText question, LexicalText answer) {
        return question.isEmpty() ? 0.5 : clamp(answer.isEmpty() ? 0 : question.coveredBy(answer) / RELEVANCE_FULL);
    }

    static double brandFit(String text, Map<String, Object> brand) {
        return brandFit(text, LexicalText.of(text), brand, LexicalText.recurring(Grounding.brandVoice(brand)));
    }

    static double brandFit(String text, LexicalText words, Map<String, Object> brand, LexicalText voice) {
        String lower = text.toLowerCase(Locale.ROOT);
        List<String> lexicon = new ArrayList<>();
        lexicon.add(Grounding.str(brand, "name"));
        lexicon.addAll(Grounding.toneWords(brand));
        lexicon.addAll(Grounding.collectionNames(brand));
        String location = Grounding.str(brand, "location");
        if (!location.isBlank()) {
            lexicon.add(location.split(",")[0]);
        }
        String tagline = Grounding.str(brand, "tagline");
        if (!tagline.isBlank()) {
            lexicon.add(tagline);
        }
        int hits = 0;
        for (String term : lexicon) {
            if (contains(lower, term)) {
                hits++;
            }
        }
        int avoided = 0;
        for (String term : Grounding.avoidWords(brand)) {
            if (containsUnnegated(lower, term)) {
                avoided++;
            }
        }
        double voiceWords = voice.isEmpty() ? 0.5 : clamp(words.cosine(voice) / VOICE_FULL);
        double lexical = Math.min(1.0, hits / 3.0);
        return clamp(0.5 * voiceWords + 0.5 * lexical - 0.35 * avoided);
    }

    /** The term occurs at least once not right after a negation ("never cheap" does not count as "cheap"). */
    static boolean containsUnnegated(String lowerText, String term) {
        String t = term == null ? "" : term.trim().toLowerCase(Locale.ROOT);
        if (t.isEmpty()) {
            return false;
        }
        if (!lowerText.contains(t)) {
            return false; // most terms are absent: skip the regex
        }
        java.util.regex.Matcher m = wholeWord(t).matcher(lowerText);
        while (m.find()) {
            String before = lowerText.substring(Math.max(0, m.start() - 40), m.start()).replace('’', '\'');
            if (!NEGATED_BEFORE.matcher(before).find()) {
                return true;
            }
        }
        return false;
    }

    private static boolean contains(String lowerText, String term) {
        String t = term == null ? "" : term.trim().toLowerCase(Locale.ROOT);
        if (t.isEmpty()) {
            return false;
        }
        return lowerText.contains(t) && wholeWord(t).matcher(lowerText).find();
    }

    /** Brand terms recur every round: their patterns are compiled once (bounded). */
    private static final Map<String, Pattern> WHOLE_WORD = new java.util.concurrent.ConcurrentHashMap<>();

    private static Pattern wholeWord(String lowerTerm) {
        Pattern p = WHOLE_WORD.get(lowerTerm);
        if (p == null) {
            p = Pattern.compile("(?<![\\p{L}\\p{N}])" + Pattern.quote(lowerTerm) + "(?![\\p{L}\\p{N}])");
            if (WHOLE_WORD.size() < 2048) {
                WHOLE_WORD.put(lowerTerm, p);
            }
        }
        return p;
    }

    static double form(String text, String finishReason, Integer maxTokens) {
        String t = text == null ? "" : text.strip();
        if (t.isEmpty()) {
            return 0;
        }
        if (refusal(t)) {
            return 0.1;
        }
        double score = 1.0;
        if ("length".equals(finishReason)) {
            score = Math.min(score, 0.5);
        } else if (t.length() > 40 && !t.matches("(?s).*[.!?…)\"'”’*`\\]]\\s*$")) {
            score = Math.min(score, 0.7);
        }
        int words = t.split("\\s+").length;
        if (words < 4) {
            score = Math.min(score, 0.4);
        }
        if (maxTokens != null && t.length() / 4.0 > maxTokens * 1.2) {
            score = Math.min(score, 0.6);
        }
        return score;
    }

    private static String rationale(List<Candidate> scored, List<Integer> ranking) {
        StringBuilder b = new StringBuilder();
        if (ranking.isEmpty()) {
            b.append("No provider answered.");
        } else {
            Candidate w = scored.get(ranking.get(0));
            b.append(w.provider()).append(" leads with ").append(fmt(w.score())).append(" (");
            List<String> parts = new ArrayList<>();
            w.scores().forEach((k, v) -> parts.add(k + " " + fmt(v)));
            b.append(String.join(", ", parts)).append(')');
            for (int r = 1; r < ranking.size(); r++) {
                Candidate c = scored.get(ranking.get(r));
                b.append(r == 1 ? "; then " : ", ").append(c.provider()).append(' ').append(fmt(c.score()));
            }
            b.append('.');
        }
        for (Candidate c : scored) {
            if (!c.ok()) {
                b.append(' ').append(c.provider()).append(" did not count: ").append(c.error()).append('.');
            }
        }
        return b.toString();
    }

    private static String planRationale(List<Candidate> scored, Map<Integer, PlanShape.Fit> fits) {
        if (fits.isEmpty()) {
            return "";
        }
        List<String> parts = new ArrayList<>();
        fits.forEach((i, fit) -> parts.add(scored.get(i).provider() + " " + fmt(fit.score()) + " (" + fit.why()
                + ")"));
        return " Plan fit: " + String.join(", ", parts) + ".";
    }

    static String fmt(Double v) {
        return v == null ? "-" : String.format(Locale.ROOT, "%.2f", v);
    }

    static double clamp(double v) {
        return Math.max(0, Math.min(1, v));
    }

    private static double round(double v) {
        return Math.round(v * 1000) / 1000.0;
    }

    private static Map<String, Double> round(Map<String, Double> s) {
        Map<String, Double> r = new LinkedHashMap<>();
        s.forEach((k, v) -> r.put(k, round(v)));
        return r;
    }
}
