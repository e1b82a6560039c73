package com.skyyrose.hub.agents;

import java.util.Collection;
import java.util.regex.Pattern;

/**
 * Whether a customer's message threatens legal action. Words that only mean that (lawyer, lawsuit, legal action,
 * small claims, "to court") count in any case; "sue" counts as a verb only: written in lower case or capitals
 * ("I will sue", "I WILL SUE"), or "Sue you/your/SkyyRose". A capitalised "Sue" is a name ("this is Sue", "send it
 * to Sue", "Sue's order"), and so is the customer's own first or last name where it is written as one.
 */
public final class LegalThreat {

    private static final Pattern LEGAL_WORDS = Pattern.compile("\\b(lawyers?|attorneys?|solicitors?|lawsuits?"
            + "|suing|legal action|legal proceedings|small claims|class action|(?:in|to) court)\\b",
            Pattern.CASE_INSENSITIVE);
    /** The verb: case-sensitive, so the name "Sue" is not it; never followed by an apostrophe (possessive). */
    private static final Pattern SUE_VERB = Pattern.compile("(?<![\\p{L}'])(?:sue|sued|SUE|SUED)(?![\\p{L}'])");
    private static final Pattern SUE_SOMEONE = Pattern.compile(
            "\\bSue (?:you|your|u|SkyyRose|Skyyrose|skyyrose|them|the (?:company|store|shop|brand))\\b");

    private LegalThreat() {
    }

    /**
     * @param names the customer's known names (first, last), masked where written as names: capitalised, or after
     *              "this is", "I'm", "my name is", a sign-off... before the text is read
     */
    public static boolean in(String text, Collection<String> names) {
        if (text == null || text.isBlank()) {
            return false;
        }
        String t = text;
        for (String name : names) {
            if (name == null || name.isBlank() || !name.strip().matches("[\\p{L}'-]+")) {
                continue;
            }
            String n = Pattern.quote(name.strip());
            String capitalised = Pattern.quote(Character.toUpperCase(name.strip().charAt(0))
                    + name.strip().substring(1).toLowerCase(java.util.Locale.ROOT));
            t = t.replaceAll("(?<![\\p{L}])" + capitalised + "(?![\\p{L}])", "[name]");
            t = t.replaceAll("(?i)\\b(this is|it's|it is|i'm|i am|name is|regards,?|thanks,?|cheers,?|love,?|from)"
                    + "\\s+" + n + "(?![\\p{L}])", "$1 [name]");
        }
        return LEGAL_WORDS.matcher(t).find() || SUE_VERB.matcher(t).find() || SUE_SOMEONE.matcher(t).find();
    }

    static boolean in(String text) {
        return in(text, java.util.List.of());
    }
}
