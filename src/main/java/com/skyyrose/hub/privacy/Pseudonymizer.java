package com.skyyrose.hub.privacy;

import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One request's pseudonyms: {@link #mask} replaces personal data with placeholders that are stable for the whole
 * request ({@code <EMAIL_1>} is the same address in the prompt, the passages, every provider's request and the
 * judge's), {@link #restore} puts the real values back into what a model wrote. Values never leave this object
 * except through {@link #restore}; {@link #summary} gives kinds and counts only. Thread-safe: the round table's
 * branches share one.
 */
public final class Pseudonymizer {

    /** {@code <EMAIL_1>}, also as models sometimes rewrite it: {@code [EMAIL_1]}, {@code &lt;EMAIL_1&gt;}. */
    private static final Pattern PLACEHOLDER = Pattern.compile(
            "(?:<|&lt;|\\[|\\{)?\\b(EMAIL|PHONE|PERSON|ADDRESS|ORDER_KEY|CARD|IBAN)_([0-9]{1,4})\\b(?:>|&gt;|\\]|\\})?");

    private final PersonalDataDetectors detectors;
    private final KnownPersonalData known;
    private final Map<String, String> byValue = new HashMap<>();
    private final Map<String, String> byPlaceholder = new HashMap<>();
    private final EnumMap<PersonalDataKind, Integer> counters = new EnumMap<>(PersonalDataKind.class);
    private final Map<String, String> memo = new HashMap<>();
    private long nanos;

    public Pseudonymizer(PersonalDataDetectors detectors, KnownPersonalData known) {
        this.detectors = detectors;
        this.known = known == null ? new KnownPersonalData() : known;
    }

    /** The text with every personal value found replaced by its placeholder. */
    public synchronized String mask(String text) {
        if (text == null || text.isEmpty()) {
            return text;
        }
        String done = memo.get(text);
        if (done != null) {
            return done;
        }
        long start = System.nanoTime();
        String lower = text.toLowerCase(java.util.Locale.ROOT);
        List<PersonalDataDetectors.Finding> findings = detectors.find(text, lower);
        findings.addAll(known.find(text, lower));
        String masked = findings.isEmpty() ? text : replace(text, findings);
        memo.put(text, masked);
        nanos += System.nanoTime() - start;
        return masked;
    }

    private String replace(String text, List<PersonalDataDetectors.Finding> findings) {
        // earliest first; at the same start the longest, then the kind's precedence
        findings.sort((a, b) -> a.start() != b.start() ? Integer.compare(a.start(), b.start())
                : a.length() != b.length() ? Integer.compare(b.length(), a.length())
                : a.kind().compareTo(b.kind()));
        StringBuilder out = new StringBuilder(text.length());
        int at = 0;
        for (PersonalDataDetectors.Finding f : findings) {
            if (f.start() < at) {
                continue; // inside a longer finding already replaced
            }
            out.append(text, at, f.start()).append(placeholder(f.kind(), f.value()));
            at = f.end();
        }
        return out.append(text, at, text.length()).toString();
    }

    private String placeholder(PersonalDataKind kind, String value) {
        String key = kind.name() + ':' + normalise(kind, value);
        String placeholder = byValue.get(key);
        if (placeholder == null) {
            int n = counters.merge(kind, 1, Integer::sum);
            placeholder = kind.placeholder(n);
            byValue.put(key, placeholder);
            byPlaceholder.put(placeholder, value);
        }
        return placeholder;
    }

    private static String normalise(PersonalDataKind kind, String value) {
        return switch (kind) {
            case PHONE, CARD -> value.replaceAll("[^0-9+]", "");
            case IBAN -> value.replace(" ", "").toUpperCase(Locale.ROOT);
            default -> value.strip().replaceAll("\\s+", " ").toLowerCase(Locale.ROOT);
        };
    }

    /** The text with placeholders of this request replaced by the real values (unknown placeholders stay). */
    public synchronized String restore(String text) {
        if (text == null || byPlaceholder.isEmpty() || text.indexOf('_') < 0) {
            return text;
        }
        Matcher m = PLACEHOLDER.matcher(text);
        StringBuilder out = new StringBuilder(text.length());
        while (m.find()) {
            String value = byPlaceholder.get("<" + m.group(1) + "_" + m.group(2) + ">");
            m.appendReplacement(out, Matcher.quoteReplacement(value != null ? value : m.group()));
        }
        m.appendTail(out);
        return out.toString();
    }

    /** Restores every String inside Maps and Lists (a judge verdict, a plan document), in a copy. */
    public Object restoreDeep(Object value) {
        if (value instanceof String s) {
            return restore(s);
        }
        if (value instanceof Map<?, ?> map) {
            Map<Object, Object> copy = new LinkedHashMap<>();
            map.forEach((k, v) -> copy.put(k, restoreDeep(v)));
            return copy;
        }
        if (value instanceof List<?> list) {
            List<Object> copy = new ArrayList<>(list.size());
            list.forEach(v -> copy.add(restoreDeep(v)));
            return copy;
        }
        return value;
    }

    /** Whether anything was masked so far. */
    public synchronized boolean found() {
        return !byPlaceholder.isEmpty();
    }

    /** Distinct values masked, by kind ({@code email → 1}); never the values. */
    public synchronized Map<String, Integer> counts() {
        Map<String, Integer> out = new LinkedHashMap<>();
        counters.forEach((kind, n) -> out.put(kind.key(), n));
        return out;
    }

    /** Time spent masking in this request (detectors and replacement; memo hits are nearly free). */
    public synchronized long maskingNanos() {
        return nanos;
    }
}
