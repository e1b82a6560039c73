package com.skyyrose.hub.llm;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Checks an answer's claims ({@link ClaimExtractor}) against the evidence of a round: the passages retrieved for the
 * question first, then the brand context (its policies, collections and philosophy). Each claim is
 * <em>supported</em> (the sentence about the same thing states the same value or polarity), <em>contradicted</em>
 * (it states another value, or the opposite: "never issues codes" against "a 20% code") or <em>not covered</em>.
 * <p>
 * Which evidence sentence is "about the same thing" is decided by shared words: around the quantity, in its
 * clause, in its sentence (with the passage's title), and in the question. A contradiction needs the sentence to
 * share a word with the claim's own sentence (or two with the question), so a number is never contradicted by an
 * unrelated passage that merely has a number of the same kind.
 */
final class ClaimGrounding {

    /** One checked claim: what the answer said, the evidence sentence and where it comes from. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    record Checked(String claim, String evidence, String source) {
    }

    /** An answer's checked claims; {@code notCovered} only counts. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    record Report(List<Checked> supported, List<Checked> contradicted,
            @JsonProperty("not_covered") int notCovered) {

        static final Report NONE = new Report(List.of(), List.of(), 0);

        /** 3 grounded (supported, nothing contradicted), 1 nothing checkable, 0 contradicted; refusals are 1. */
        int tier(boolean refusal) {
            if (!contradicted.isEmpty()) {
                return 0;
            }
            return refusal || supported.isEmpty() ? 1 : 3;
        }

        /** The {@code facts} score in [0, 1]: contradictions pull it down, support lifts it, nothing checkable 0.5. */
        double score() {
            int s = supported.size();
            int c = contradicted.size();
            if (c > 0) {
                return Math.max(0, 0.3 - 0.1 * c + 0.05 * s);
            }
            return s == 0 ? 0.5 : 0.7 + 0.3 * Math.min(1, s / 3.0);
        }
    }

    private record Evidence(ClaimExtractor.Sentence sentence, Set<String> terms, String source, boolean brand) {
    }

    private final List<Evidence> passages = new ArrayList<>();
    private final List<Evidence> brand = new ArrayList<>();
    private final Set<String> question;
    /** Each evidence sentence's words shared with the question (the same for every claim of the round). */
    private final Map<Evidence, Integer> questionOverlap = new java.util.IdentityHashMap<>();

    ClaimGrounding(String question, List<Map<String, Object>> passageList, Map<String, Object> brandContext) {
        this.question = ClaimExtractor.terms(ClaimExtractor.normalize(question == null ? "" : question));
        if (passageList != null) {
            for (Map<String, Object> p : passageList) {
                passages.addAll(passage(Grounding.str(p, "id"), Grounding.str(p, "title"), Grounding.str(p, "text")));
            }
        }
        for (String text : brandFacts(brandContext)) {
            for (ClaimExtractor.Sentence s : ClaimExtractor.evidenceSentences(text)) {
                brand.add(new Evidence(s, new HashSet<>(s.terms()), "brand context", true));
            }
        }
        for (List<Evidence> list : List.of(passages, brand)) {
            for (Evidence e : list) {
                questionOverlap.put(e, overlap(this.question, e.terms()));
            }
        }
    }

    /** A stored passage's sentences with its title's words, remembered (the same chunks recur; bounded, LRU). */
    private static final Map<String, List<Evidence>> PASSAGES = java.util.Collections.synchronizedMap(
            new java.util.LinkedHashMap<>(256, 0.75f, true) {
                @Override
                protected boolean removeEldestEntry(Map.Entry<String, List<Evidence>> eldest) {
                    return size() > 4096;
                }
            });

    private static List<Evidence> passage(String id, String title, String text) {
        String key = id + '\u0000' + title + '\u0000' + text;
        List<Evidence> known = PASSAGES.get(key);
        if (known == null) {
            Set<String> titleTerms = ClaimExtractor.terms(ClaimExtractor.normalize(title));
            List<Evidence> out = new ArrayList<>();
            for (ClaimExtractor.Sentence s : ClaimExtractor.evidenceSentences(text)) {
                Set<String> terms = new HashSet<>(s.terms());
                terms.addAll(titleTerms);
                out.add(new Evidence(s, terms, id.isBlank() ? null : id, false));
            }
            known = List.copyOf(out);
            if (text.length() <= 20_000) {
                PASSAGES.put(key, known);
            }
        }
        return known;
    }

    boolean hasEvidence() {
        return !passages.isEmpty() || !brand.isEmpty();
    }

    /** The brand context's statements of fact (not its voice): policies, collections, philosophy, location. */
    private static List<String> brandFacts(Map<String, Object> b) {
        List<String> out = new ArrayList<>();
        if (b == null || b.isEmpty()) {
            return out;
        }
        Grounding.map(b, "policies").forEach((k, v) -> {
            if (v != null) {
                out.add(String.valueOf(v));
            }
        });
        for (Map<String, Object> c : Grounding.maps(b, "collections")) {
            if (!Grounding.str(c, "description").isBlank()) {
                out.add(Grounding.str(c, "name") + ": " + Grounding.str(c, "description"));
            }
        }
        if (!Grounding.str(b, "philosophy").isBlank()) {
            out.add(Grounding.str(b, "philosophy"));
        }
        return out;
    }

    Report check(String answer) {
        if (!hasEvidence() || answer == null || answer.isBlank()) {
            return Report.NONE;
        }
        List<Checked> supported = new ArrayList<>();
        List<Checked> contradicted = new ArrayList<>();
        int notCovered = 0;
        for (ClaimExtractor.Sentence sentence : ClaimExtractor.sentences(answer)) {
            for (ClaimExtractor.Clause clause : sentence.clauses()) {
                for (ClaimExtractor.Quantity q : clause.quantities()) {
                    Verdict v = checkQuantity(q, clause, sentence, passages);
                    if (v.outcome == 0) {
                        v = checkQuantity(q, clause, sentence, brand);
                    }
                    notCovered += record(v, q.surface(), supported, contradicted);
                }
                if (clause.terms().size() >= 2) {
                    Verdict v = checkStatement(clause, passages);
                    if (v.outcome == 0) {
                        v = checkStatement(clause, brand);
                    }
                    notCovered += record(v, clause.text(), supported, contradicted);
                }
            }
        }
        return new Report(supported, contradicted, notCovered);
    }

    private record Verdict(int outcome, Evidence evidence) {
        static final Verdict NOT_COVERED = new Verdict(0, null);
    }

    private static int record(Verdict v, String claim, List<Checked> supported, List<Checked> contradicted) {
        if (v.outcome == 0) {
            return 1;
        }
        Checked c = new Checked(claim, v.evidence.sentence().text(), v.evidence.source());
        (v.outcome > 0 ? supported : contradicted).add(c);
        return 0;
    }

    private Verdict checkQuantity(ClaimExtractor.Quantity q, ClaimExtractor.Clause clause,
            ClaimExtractor.Sentence sentence, List<Evidence> evidence) {
        int best = 0;
        Evidence bestEvidence = null;
        ClaimExtractor.Quantity bestQuantity = null;
        int bestSentenceOverlap = 0;
        int bestQuestionOverlap = 0;
        Evidence equal = null;
        int equalScore = 0;
        for (Evidence e : evidence) {
            // the overlaps are counted only for sentences and clauses holding a quantity of this kind
            int sentenceOverlap = -1;
            int questionOverlap = this.questionOverlap.get(e);
            for (ClaimExtractor.Clause ec : e.sentence().clauses()) {
                int clauseOverlap = -1;
                for (ClaimExtractor.Quantity eq : ec.quantities()) {
                    if (!eq.kind().equals(q.kind())) {
                        continue;
                    }
                    if (clauseOverlap < 0) {
                        clauseOverlap = overlap(clause.terms(), ec.terms());
                    }
                    if (sentenceOverlap < 0) {
                        sentenceOverlap = overlap(sentence.terms(), e.terms());
                    }
                    int score = 2 * overlap(q.local(), eq.local()) + 2 * clauseOverlap + sentenceOverlap
                            + questionOverlap;
                    boolean same = q.sameValue(eq);
                    if (score > best || (score == best && same && bestQuantity != null
                            && !q.sameValue(bestQuantity))) {
                        best = score;
                        bestEvidence = e;
                        bestQuantity = eq;
                        bestSentenceOverlap = sentenceOverlap;
                        bestQuestionOverlap = questionOverlap;
                    }
                    if (same && score > equalScore) {
                        equal = e;
                        equalScore = score;
                    }
                }
            }
        }
        if (bestEvidence == null || best == 0) {
            return Verdict.NOT_COVERED;
        }
        // the same value in a sentence nearly as much about this as the best one supports the claim (the best one
        // may hold several values of the kind: "returns 21 days, exchanges 45 days")
        if (equal != null && equalScore >= Math.max(1, best - 2)) {
            return new Verdict(1, equal);
        }
        if ((bestSentenceOverlap >= 1 || bestQuestionOverlap >= 2) && best >= 2) {
            return new Verdict(-1, bestEvidence);
        }
        return Verdict.NOT_COVERED;
    }

    /** A clause's statement: the evidence clause sharing most of its words decides, by polarity. */
    private static Verdict checkStatement(ClaimExtractor.Clause clause, List<Evidence> evidence) {
        int best = 0;
        double bestCoverage = 0;
        ClaimExtractor.Clause bestClause = null;
        Evidence bestEvidence = null;
        for (Evidence e : evidence) {
            for (ClaimExtractor.Clause ec : e.sentence().clauses()) {
                int o = overlap(clause.terms(), ec.terms());
                double coverage = o / (double) clause.terms().size();
                if (o > best || (o == best && o > 0 && coverage > bestCoverage)) {
                    best = o;
                    bestCoverage = coverage;
                    bestClause = ec;
                    bestEvidence = e;
                }
            }
        }
        if (bestClause == null || best < 2) {
            return Verdict.NOT_COVERED;
        }
        if (bestClause.negated() != clause.negated()) {
            return bestCoverage >= 0.4 ? new Verdict(-1, bestEvidence) : Verdict.NOT_COVERED;
        }
        return bestCoverage >= 0.75 ? new Verdict(1, bestEvidence) : Verdict.NOT_COVERED;
    }

    private static int overlap(Set<String> a, Set<String> b) {
        if (a == null || b == null) {
            return 0;
        }
        if (a.size() > b.size()) { // the size of the intersection: walk the smaller set
            Set<String> t = a;
            a = b;
            b = t;
        }
        int n = 0;
        for (String t : a) {
            if (b.contains(t)) {
                n++;
            }
        }
        return n;
    }

    /** The report as the JSON a candidate carries ({@code claims}). */
    static Map<String, Object> toMap(Report r) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("supported", r.supported());
        m.put("contradicted", r.contradicted());
        m.put("not_covered", r.notCovered());
        return m;
    }
}
