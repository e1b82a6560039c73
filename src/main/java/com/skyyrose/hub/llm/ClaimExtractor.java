package com.skyyrose.hub.llm;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Takes the checkable claims out of a text, without a model (it runs on every round, for answers and passages
 * alike): quantities — prices (and "free"), percentages, times of day, dates and weekdays, durations (in days;
 * "for life" and "never expire" are unbounded), measures (grams, millimetres, gsm, degrees) and counts ("300
 * numbered pieces") — and, per clause, a statement with its polarity ("never issues discount codes" is negated).
 * Every claim keeps the words around it, so {@link ClaimGrounding} can find the passage sentence about the same
 * thing. Words are lower-cased and crudely stemmed ("returns", "returned" and "return" are one term).
 */
final class ClaimExtractor {

    private ClaimExtractor() {
    }

    /** A quantity: {@code kind} (money, percent, time, date, weekday, duration, mass, length, gsm, temp, count). */
    record Quantity(String kind, double lo, double hi, String surface, Set<String> local) {
        boolean sameValue(Quantity o) {
            if ((lo == o.lo || Math.abs(lo - o.lo) < 1e-6) && (hi == o.hi || Math.abs(hi - o.hi) < 1e-6)) {
                return true;
            }
            // a single value inside a stated range ("4 days" within "3-5 days")
            return lo == hi && o.lo != o.hi && lo >= o.lo - 1e-6 && lo <= o.hi + 1e-6;
        }
    }

    /** One clause: its terms, whether it is negated, and its quantities. */
    record Clause(String text, Set<String> terms, boolean negated, List<Quantity> quantities) {
    }

    /** One sentence: its terms (with the clauses') and clauses. */
    record Sentence(String text, Set<String> terms, List<Clause> clauses) {
    }

    private static final Set<String> STOP = Set.copyOf(java.util.Arrays.asList(("a an the and or but nor so yet of to in on at by for with from "
            + "into onto over under about above below after before until within up down out off as than then this "
            + "that these those there here it its it's is are was were be been being am do does did done have has had "
            + "having can could will would shall should may might must i me my we us our ours you your yours he him "
            + "his she her they them their what which who whom whose when where why how all any both each every few "
            + "more most other some such only own same too very just also yes absolutely of course sure please "
            + "per if because while whereas instead like just let lets get gets got one's skyyrose s t ll ve re d "
            + "day days week weeks month months year years hour hours minute minutes business working time am pm "
            + "usd dollar dollars percent cent kg gsm mm cm km oz inch inches degree degrees ml").split(" ")));

    private static final Set<String> NEGATORS = Set.of("not", "no", "never", "none", "nothing", "neither", "nor",
            "without", "cannot");

    /** Phrases with a negation word that negate nothing ("no later than 5pm", "don't hesitate to ask"). */
    private static final Pattern IDIOMS = Pattern.compile("\\b(no (later|more|less|earlier|fewer|longer) than|not only"
            + "|no matter|do not hesitate|no worries|no problem|never miss|feel free|not sure)\\b");

    private static final String NUM = "(\\d+(?:\\.\\d+)?)";
    private static final String RANGE = NUM + "(?:\\s*(?:-|–|to)\\s*" + NUM + ")?";
    private static final Pattern MONEY = Pattern.compile("\\$\\s?" + NUM + "|" + NUM + "\\s?(?:usd|dollars?)\\b"
            + "|\\b(free|complimentary|at no cost|no charge)\\b");
    private static final Pattern PERCENT = Pattern.compile(NUM + "\\s?(?:%|percent\\b|per cent\\b)");
    private static final Pattern CLOCK = Pattern.compile("\\b(\\d{1,2})(?::(\\d{2}))?\\s?(am|pm|a\\.m\\.|p\\.m\\.)"
            + "|\\b([01]?\\d|2[0-3]):([0-5]\\d)\\b|\\b(noon|midday|midnight)\\b");
    private static final String MONTHS = "(january|february|march|april|may|june|july|august|september|october"
            + "|november|december|jan|feb|mar|apr|jun|jul|aug|sept|sep|oct|nov|dec)";
    private static final Pattern DATE = Pattern.compile("\\b" + MONTHS + "\\.?\\s+(\\d{1,2})(?:st|nd|rd|th)?\\b"
            + "|\\b(\\d{1,2})(?:st|nd|rd|th)?\\s+(?:of\\s+)?" + MONTHS + "\\b|\\b(\\d{4})-(\\d{2})-(\\d{2})\\b");
    private static final Pattern WEEKDAY = Pattern.compile(
            "\\b(monday|tuesday|wednesday|thursday|friday|saturday|sunday)s?\\b");
    private static final Pattern DURATION = Pattern.compile(RANGE + "\\s*-?\\s*(?:business |working )?"
            + "(minutes?|mins?|hours?|hrs?|days?|nights?|weeks?|months?|years?|yrs?)\\b"
            + "|\\b(for life|lifetime|forever|never expires?|no expiry|no expiration)\\b");
    private static final Pattern MEASURE = Pattern.compile("(-?)" + NUM
            + "\\s?(gsm|g/m2|kg|kilograms?|grams?|g|oz|ounces?|mm|cm|km|inch(?:es)?|°c|°f|degrees?)(?![a-z0-9])");
    private static final Pattern COUNT = Pattern.compile("(?<![\\d.])(\\d+)\\s+([a-z][a-z-]*)(?:\\s+([a-z][a-z-]*))?");
    private static final Pattern TOKEN = Pattern.compile("[a-z][a-z0-9]*|\\d+(?:\\.\\d+)?");
    private static final Pattern SENTENCE_END = Pattern.compile("(?<=[.!?])\\s+(?=[A-Z0-9\"“(])|\\n+");
    private static final Pattern CLAUSE_END = Pattern.compile("[;,—–()]|:(?!\\d)|\\s-\\s|\\b(?:and|but|while|whereas"
            + "|instead|so|because)\\b");

    private static final Pattern THOUSANDS = Pattern.compile("(\\d),(\\d{3})");
    private static final Pattern ONE_UNIT = Pattern.compile("\\b(?:a|an|one|per)\\s+(day|week|month|year|hour)\\b");
    /** Parsed passages and brand facts, by text: the same chunks come back round after round. */
    private static final Map<String, List<Sentence>> PARSED = java.util.Collections.synchronizedMap(
            new java.util.LinkedHashMap<>(256, 0.75f, true) {
                @Override
                protected boolean removeEldestEntry(Map.Entry<String, List<Sentence>> eldest) {
                    return size() > 4096;
                }
            });

    /** {@link #sentences} of a stored text (a passage, the brand context), remembered (bounded, LRU). */
    static List<Sentence> evidenceSentences(String text) {
        if (text == null || text.length() > 20_000) {
            return sentences(text);
        }
        List<Sentence> known = PARSED.get(text);
        if (known == null) {
            known = List.copyOf(sentences(text));
            PARSED.put(text, known);
        }
        return known;
    }

    private static final Map<String, String> NUMBER_WORDS = Map.ofEntries(Map.entry("one", "1"),
            Map.entry("two", "2"), Map.entry("three", "3"), Map.entry("four", "4"), Map.entry("five", "5"),
            Map.entry("six", "6"), Map.entry("seven", "7"), Map.entry("eight", "8"), Map.entry("nine", "9"),
            Map.entry("ten", "10"), Map.entry("eleven", "11"), Map.entry("twelve", "12"),
            Map.entry("fifteen", "15"), Map.entry("twenty", "20"), Map.entry("thirty", "30"),
            Map.entry("forty", "40"), Map.entry("forty-five", "45"), Map.entry("fifty", "50"),
            Map.entry("sixty", "60"), Map.entry("ninety", "90"), Map.entry("hundred", "100"),
            Map.entry("dozen", "12"), Map.entry("twenty-one", "21"), Map.entry("fourteen", "14"),
            Map.entry("eighteen", "18"), Map.entry("twenty-four", "24"));
    private static final Pattern NUMBER_WORD = Pattern.compile("\\b(forty-five|twenty-one|twenty-four|one|two|three"
            + "|four|five|six|seven|eight|nine|ten|eleven|twelve|fourteen|fifteen|eighteen|twenty|thirty|forty|fifty"
            + "|sixty|ninety|hundred|dozen)\\b");

    /** The sentences of a text, with their clauses and quantities. */
    static List<Sentence> sentences(String text) {
        List<Sentence> out = new ArrayList<>();
        if (text == null || text.isBlank()) {
            return out;
        }
        for (String raw : SENTENCE_END.split(text.strip())) {
            String s = normalize(raw);
            if (s.isBlank()) {
                continue;
            }
            List<Clause> clauses = new ArrayList<>();
            Set<String> sentenceTerms = new LinkedHashSet<>();
            for (String part : CLAUSE_END.split(s)) {
                if (part.isBlank()) {
                    continue;
                }
                String plain = IDIOMS.matcher(part).replaceAll(" ");
                boolean negated = false;
                for (String t : words(plain)) {
                    if (NEGATORS.contains(t)) {
                        negated = true;
                    }
                }
                Set<String> terms = terms(plain);
                sentenceTerms.addAll(terms);
                clauses.add(new Clause(part.strip(), terms, negated, quantities(part)));
            }
            out.add(new Sentence(raw.strip(), sentenceTerms, clauses));
        }
        return out;
    }

    /** Lower case, straight apostrophes, "can't" → "can not", number words → digits, "a week" → "1 week". */
    static String normalize(String raw) {
        String s = raw.toLowerCase(Locale.ROOT).replace('’', '\'').replace('‘', '\'');
        s = s.replace("cannot", "can not").replace("can't", "can not").replace("won't", "will not")
                .replace("n't", " not").replace("p.o.", "po");
        s = THOUSANDS.matcher(s).replaceAll("$1$2");
        Matcher m = NUMBER_WORD.matcher(s);
        StringBuilder b = new StringBuilder();
        while (m.find()) {
            m.appendReplacement(b, NUMBER_WORDS.get(m.group(1)));
        }
        m.appendTail(b);
        return ONE_UNIT.matcher(b.toString()).replaceAll("1 $1");
    }

    static List<String> words(String text) {
        List<String> out = new ArrayList<>();
        Matcher m = TOKEN.matcher(text);
        while (m.find()) {
            out.add(m.group());
        }
        return out;
    }

    /** Content words, stemmed: no stop words, negators or numbers. */
    static Set<String> terms(String normalizedText) {
        Set<String> out = new LinkedHashSet<>();
        for (String w : words(normalizedText)) {
            if (w.length() < 2 || Character.isDigit(w.charAt(0)) || STOP.contains(w) || NEGATORS.contains(w)) {
                continue;
            }
            String st = stem(w);
            if (!STOP.contains(st)) {
                out.add(st);
            }
        }
        return out;
    }

    static String stem(String w) {
        String s = w;
        if (s.endsWith("ies") && s.length() > 4) {
            s = s.substring(0, s.length() - 3) + "y";
        } else if (s.endsWith("es") && s.length() > 4 && (s.endsWith("ches") || s.endsWith("shes")
                || s.endsWith("xes") || s.endsWith("sses"))) {
            s = s.substring(0, s.length() - 2);
        } else if (s.endsWith("s") && !s.endsWith("ss") && !s.endsWith("us") && s.length() > 3) {
            s = s.substring(0, s.length() - 1);
        }
        if (s.endsWith("ing") && s.length() > 5) {
            s = s.substring(0, s.length() - 3);
        } else if (s.endsWith("ed") && s.length() > 4) {
            s = s.substring(0, s.length() - 2);
        }
        int n = s.length();
        if (n > 3 && s.charAt(n - 1) == s.charAt(n - 2) && "aeiousl".indexOf(s.charAt(n - 1)) < 0) {
            s = s.substring(0, n - 1); // shipp(ing) → ship
        }
        if (s.endsWith("e") && s.length() > 4) {
            s = s.substring(0, s.length() - 1); // issue/issu(ed), charge/charg(ed)
        }
        return s;
    }

    /** The quantities of one clause; each span is read once (a price is not also a count). */
    static List<Quantity> quantities(String clause) {
        List<Quantity> out = new ArrayList<>();
        char[] masked = clause.toCharArray();
        scan(MONEY, masked, out, m -> m.group(3) != null ? q("money", 0)
                : q("money", num(m.group(1) != null ? m.group(1) : m.group(2))));
        scan(PERCENT, masked, out, m -> q("percent", num(m.group(1))));
        scan(CLOCK, masked, out, m -> {
            if (m.group(6) != null) {
                return q("time", m.group(6).equals("midnight") ? 0 : 720);
            }
            if (m.group(4) != null) {
                return q("time", Integer.parseInt(m.group(4)) * 60 + Integer.parseInt(m.group(5)));
            }
            int h = Integer.parseInt(m.group(1)) % 12;
            int min = m.group(2) == null ? 0 : Integer.parseInt(m.group(2));
            return q("time", (m.group(3).startsWith("p") ? h + 12 : h) * 60 + min);
        });
        scan(DATE, masked, out, m -> {
            if (m.group(5) != null) {
                return q("date", Integer.parseInt(m.group(6)) * 100 + Integer.parseInt(m.group(7)));
            }
            String month = m.group(1) != null ? m.group(1) : m.group(4);
            String day = m.group(1) != null ? m.group(2) : m.group(3);
            return q("date", month(month) * 100 + Integer.parseInt(day));
        });
        scan(WEEKDAY, masked, out, m -> q("weekday", List.of("monday", "tuesday", "wednesday", "thursday", "friday",
                "saturday", "sunday").indexOf(m.group(1))));
        scan(DURATION, masked, out, m -> {
            if (m.group(4) != null) {
                return q("duration", Double.POSITIVE_INFINITY);
            }
            double unit = days(m.group(3));
            double lo = num(m.group(1)) * unit;
            double hi = m.group(2) == null ? lo : num(m.group(2)) * unit;
            return new Quantity("duration", lo, hi, null, null);
        });
        scan(MEASURE, masked, out, m -> {
            double v = num(m.group(2)) * ("-".equals(m.group(1)) ? -1 : 1);
            String u = m.group(3);
            if (u.equals("gsm") || u.equals("g/m2")) {
                return q("gsm", v);
            }
            if (u.startsWith("kg") || u.startsWith("kilo")) {
                return q("mass", v * 1000);
            }
            if (u.equals("g") || u.startsWith("gram")) {
                return q("mass", v);
            }
            if (u.equals("oz") || u.startsWith("ounce")) {
                return q("mass", Math.round(v * 28.35));
            }
            if (u.equals("mm")) {
                return q("length", v);
            }
            if (u.equals("cm")) {
                return q("length", v * 10);
            }
            if (u.equals("km")) {
                return q("length", v * 1_000_000);
            }
            if (u.startsWith("inch")) {
                return q("length", Math.round(v * 25.4));
            }
            if (u.equals("°f")) {
                return q("temp", Math.round((v - 32) * 5 / 9));
            }
            return q("temp", v);
        });
        String rest = new String(masked);
        Matcher m = COUNT.matcher(rest);
        while (m.find()) {
            String noun = m.group(2);
            if (STOP.contains(noun) || NEGATORS.contains(noun)) {
                continue;
            }
            double v = num(m.group(1));
            if (v >= 1900 && v <= 2100) {
                continue; // a year
            }
            Set<String> local = new LinkedHashSet<>(terms(noun + " " + (m.group(3) == null ? "" : m.group(3))));
            local.addAll(window(clause, m.start(), m.end()));
            out.add(new Quantity("count", v, v, m.group().strip(), local));
        }
        return out;
    }

    private interface Reader {
        Quantity read(Matcher m);
    }

    private static void scan(Pattern p, char[] masked, List<Quantity> out, Reader reader) {
        String text = new String(masked);
        Matcher m = p.matcher(text);
        while (m.find()) {
            Quantity q = reader.read(m);
            out.add(new Quantity(q.kind(), q.lo(), q.hi(), m.group().strip(), window(text, m.start(), m.end())));
            for (int i = m.start(); i < m.end(); i++) {
                masked[i] = ' ';
            }
        }
    }

    /** The content words within four words either side of a span. */
    private static Set<String> window(String text, int start, int end) {
        List<String> before = words(text.substring(0, start));
        List<String> after = words(text.substring(end));
        String near = String.join(" ", before.subList(Math.max(0, before.size() - 4), before.size())) + " "
                + String.join(" ", after.subList(0, Math.min(4, after.size())));
        return terms(near);
    }

    private static Quantity q(String kind, double v) {
        return new Quantity(kind, v, v, null, null);
    }

    private static double num(String s) {
        return Double.parseDouble(s);
    }

    private static double days(String unit) {
        if (unit.startsWith("min")) {
            return 1 / 1440.0;
        }
        if (unit.startsWith("h")) {
            return 1 / 24.0;
        }
        if (unit.startsWith("w")) {
            return 7;
        }
        if (unit.startsWith("mo")) {
            return 30;
        }
        if (unit.startsWith("y")) {
            return 365;
        }
        return 1;
    }

    private static int month(String m) {
        List<String> names = List.of("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov",
                "dec");
        return names.indexOf(m.substring(0, 3)) + 1;
    }
}
