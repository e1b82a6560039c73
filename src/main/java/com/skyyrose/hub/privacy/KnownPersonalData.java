package com.skyyrose.hub.privacy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What the hub itself knows to be personal in one request: the names, e-mails, phones, addresses and order keys
 * of the customers and users in the records the request looked up (a WooCommerce order or customer an agent
 * fetched, the run's parameters, the hub's own users). These are found in the text by their literal value (case
 * insensitive, on word boundaries) — the only way a name without a cue is caught.
 */
public final class KnownPersonalData {

    /** One known value. */
    public record Value(PersonalDataKind kind, String text) {
    }

    private static final ObjectMapper JSON = new ObjectMapper();
    /** Shorter values (initials, "Jo") would mask ordinary words. */
    static final int MIN_LENGTH = 3;

    private final Set<Value> values = new LinkedHashSet<>();
    private volatile Pattern pattern;

    public KnownPersonalData add(PersonalDataKind kind, String text) {
        if (text == null) {
            return this;
        }
        String t = text.strip();
        if (t.length() >= MIN_LENGTH) {
            values.add(new Value(kind, t));
            pattern = null;
        }
        if (kind == PersonalDataKind.PERSON && t.contains(" ")) {
            // a full name: each part on its own too ("Jane" alone still names her)
            for (String part : t.split("\\s+")) {
                if (part.length() >= MIN_LENGTH) {
                    values.add(new Value(kind, part));
                }
            }
        }
        return this;
    }

    /**
     * A value matched only as a whole (a hub user's display name such as "Hub Admin": its parts are ordinary words
     * in prompts about the hub).
     */
    public KnownPersonalData addWhole(PersonalDataKind kind, String text) {
        if (text != null && text.strip().length() >= MIN_LENGTH) {
            values.add(new Value(kind, text.strip()));
            pattern = null;
        }
        return this;
    }

    public KnownPersonalData addAll(KnownPersonalData other) {
        if (other != null) {
            values.addAll(other.values);
            pattern = null;
        }
        return this;
    }

    /** The personal fields of a record (JSON, Map or List, as tools return them; nested objects too). */
    public KnownPersonalData addRecord(Object record) {
        if (record == null) {
            return this;
        }
        JsonNode node = record instanceof JsonNode j ? j : JSON.valueToTree(record);
        walk(node, false);
        return this;
    }

    private void walk(JsonNode node, boolean allPersonal) {
        if (node.isObject()) {
            String first = node.path("first_name").asText("").strip();
            String last = node.path("last_name").asText("").strip();
            if (!first.isEmpty() && !last.isEmpty()) {
                add(PersonalDataKind.PERSON, first + " " + last);
            }
            node.fields().forEachRemaining(field -> {
                String key = field.getKey().toLowerCase(Locale.ROOT);
                JsonNode value = field.getValue();
                if (value.isContainerNode()) {
                    walk(value, allPersonal || PersonalFields.OBJECTS.contains(key));
                } else if (value.isTextual() || value.isNumber()) {
                    PersonalDataKind kind = PersonalFields.kind(key);
                    if (kind == null && allPersonal && key.equals("company")) {
                        kind = PersonalDataKind.PERSON;
                    }
                    if (kind != null) {
                        add(kind, value.asText());
                    }
                }
            });
        } else if (node.isArray()) {
            node.forEach(n -> walk(n, allPersonal));
        }
    }

    public Collection<Value> values() {
        return List.copyOf(values);
    }

    public boolean isEmpty() {
        return values.isEmpty();
    }

    /** Findings of the known values in the text. */
    List<PersonalDataDetectors.Finding> find(String text) {
        return find(text, null);
    }

    /**
     * Findings of the known values; {@code lower} is the text in lower case when the caller has it. Plain
     * {@code indexOf} per value on the lower-cased text (a regex alternation tried at every position cost ten
     * times more); the regex remains for texts whose lower case changes their length.
     */
    List<PersonalDataDetectors.Finding> find(String text, String lower) {
        List<PersonalDataDetectors.Finding> out = new ArrayList<>();
        if (values.isEmpty() || text == null || text.isEmpty()) {
            return out;
        }
        String l = lower != null ? lower : text.toLowerCase(Locale.ROOT);
        if (l.length() != text.length()) {
            return findByRegex(text);
        }
        for (Value v : values) {
            String needle = v.text().toLowerCase(Locale.ROOT);
            if (needle.length() != v.text().length()) {
                continue;
            }
            for (int at = l.indexOf(needle); at >= 0; at = l.indexOf(needle, at + 1)) {
                int end = at + needle.length();
                if (at > 0 && isWordBefore(text.charAt(at - 1)) || end < text.length() && isWord(text.charAt(end))) {
                    continue;
                }
                if (v.kind() == PersonalDataKind.PERSON && !v.text().contains(" ")) {
                    end = nextCapitalisedWord(text, end);
                }
                out.add(new PersonalDataDetectors.Finding(v.kind(), at, end, text.substring(at, end)));
            }
        }
        return out;
    }

    private static boolean isWord(char c) {
        return Character.isLetterOrDigit(c) || c == '_';
    }

    private static boolean isWordBefore(char c) {
        return isWord(c) || c == '@' || c == '.';
    }

    /** A lone known name takes the capitalised word after it ("Amara" known, "Amara Okafor" written). */
    private static int nextCapitalisedWord(String text, int end) {
        int i = end;
        while (i < text.length() && text.charAt(i) == ' ') {
            i++;
        }
        if (i == end || i >= text.length() || !Character.isUpperCase(text.charAt(i))) {
            return end;
        }
        int j = i + 1;
        while (j < text.length() && (Character.isLowerCase(text.charAt(j)) || text.charAt(j) == '\'' || text.charAt(j) == '-')) {
            j++;
        }
        if (j - i < 2 || j < text.length() && isWord(text.charAt(j))) {
            return end;
        }
        return j;
    }

    private List<PersonalDataDetectors.Finding> findByRegex(String text) {
        List<PersonalDataDetectors.Finding> out = new ArrayList<>();
        Pattern p = pattern();
        Matcher m = p.matcher(text);
        while (m.find()) {
            String found = m.group();
            PersonalDataKind kind = kindOf(found);
            out.add(new PersonalDataDetectors.Finding(kind, m.start(), m.end(), found));
        }
        return out;
    }

    private PersonalDataKind kindOf(String found) {
        for (Value v : values) {
            if (v.text().equalsIgnoreCase(found)) {
                return v.kind();
            }
        }
        return PersonalDataKind.PERSON;
    }

    private Pattern pattern() {
        Pattern p = pattern;
        if (p == null) {
            // longest first, so a full name wins over its parts
            // a lone known name takes the capitalised word after it ("Amara" known, "Amara Okafor" written)
            List<String> alternatives = values.stream().distinct()
                    .sorted((a, b) -> b.text().length() - a.text().length())
                    .map(v -> Pattern.quote(v.text()) + (v.kind() == PersonalDataKind.PERSON && !v.text().contains(" ")
                            ? "(?:\\s+(?-i:\\p{Lu}[\\p{Ll}'’-]+))?" : ""))
                    .toList();
            p = Pattern.compile("(?<![\\p{L}\\p{N}_@.])(?:" + String.join("|", alternatives) + ")(?![\\p{L}\\p{N}_])",
                    Pattern.CASE_INSENSITIVE | Pattern.UNICODE_CASE);
            pattern = p;
        }
        return p;
    }

    /** Values from a Map of the request's own fields ({@code customer_email}…), for agent run parameters. */
    public KnownPersonalData addParameters(Map<String, Object> parameters) {
        return parameters == null || parameters.isEmpty() ? this : addRecord(parameters);
    }
}
