package com.skyyrose.hub.privacy;

import com.google.i18n.phonenumbers.NumberParseException;
import com.google.i18n.phonenumbers.PhoneNumberUtil;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The pattern detectors of personal data in free text: e-mail addresses, phone numbers (libphonenumber: international
 * numbers with their country code, national numbers of the default region), payment-card numbers (13–19 digits with a
 * card-network prefix and a valid Luhn check digit), IBANs (country length and ISO 7064 mod-97 checksum), WooCommerce
 * order keys ({@code wc_order_…}), street addresses (house number + street name + street-type word, US and German
 * forms, with an optional unit and "City, ST 12345"; UK postcodes) and names introduced by a cue ("my name is",
 * "customer", "Ms."). Names without a cue are found only through the hub's own records ({@link KnownPersonalData}).
 * Stateless and thread-safe.
 */
public final class PersonalDataDetectors {

    /** One finding: {@code [start, end)} of the text. */
    public record Finding(PersonalDataKind kind, int start, int end, String value) {
        int length() {
            return end - start;
        }
    }

    static final Pattern EMAIL = Pattern.compile(
            "(?<![A-Za-z0-9._%+-])[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\\.[A-Za-z0-9-]+)*\\.[A-Za-z]{2,}(?![A-Za-z0-9-])");
    static final Pattern ORDER_KEY = Pattern.compile("\\bwc_order_[A-Za-z0-9]{4,}\\b");
    static final Pattern IBAN_BODY = Pattern.compile("[A-Z]{2}[0-9]{2}(?: ?[A-Z0-9]){11,30}\\b");
    /** A digit run that stands alone: not part of a token with letters or hyphen-joined groups (UUIDs, SKUs, ids). */
    static final Pattern CARD = Pattern.compile(
            "(?<![0-9A-Za-z]|[0-9A-Za-z]-)[0-9](?:[ -]?[0-9]){12,18}(?![0-9A-Za-z]|-[0-9A-Za-z])");
    /** Phone-like runs: what libphonenumber is then asked about (cheaper than its own scan of the whole text). */
    static final Pattern PHONE_CANDIDATE = Pattern.compile(
            "(?<![\\w+.-])(?:\\+|\\(\\+?)?[0-9][0-9 ().\\-/]{5,20}[0-9](?![\\w-])");
    private static final String STREET_TYPE = "(?:Street|St|Avenue|Ave|Road|Rd|Boulevard|Blvd|Lane|Ln|Drive|Dr"
            + "|Court|Ct|Way|Place|Pl|Terrace|Ter|Parkway|Pkwy|Square|Sq|Circle|Cir|Highway|Hwy|Alley|Trail|Plaza)";
    /** US: 1200 Broadway / 42 W. Rose Street, Apt 4B, Oakland, CA 94612 (tried where a number starts). */
    static final Pattern US_ADDRESS = Pattern.compile(
            "[0-9]{1,6}[A-Za-z]?\\s+(?:(?:[NSEW]|North|South|East|West)\\.?\\s+)?"
                    + "(?:(?:[A-Z][A-Za-z0-9'.-]*\\s+){1,4}" + STREET_TYPE + "\\b\\.?|Broadway\\b)"
                    + "(?:,?\\s+(?:Apt|Apartment|Suite|Ste|Unit|Fl|Floor|#)\\.?\\s*#?[A-Za-z0-9-]+)?"
                    + "(?:,\\s*[A-Z][A-Za-z.' -]{1,30},\\s*[A-Z]{2}\\s+[0-9]{5}(?:-[0-9]{4})?\\b)?");
    /** German: Rosenstraße 5a, 10115 Berlin (tried at the word before a number). */
    static final Pattern DE_ADDRESS = Pattern.compile(
            "[A-ZÄÖÜ][a-zäöüß]+(?:straße|strasse|str\\.|weg|gasse|platz|allee|ring|damm)\\s+[0-9]{1,4}[a-z]?\\b"
                    + "(?:,\\s*[0-9]{5}\\s+[A-ZÄÖÜ][a-zäöüß]+)?");
    /** UK postcode: SW1A 1AA (tried at the letters before a number). */
    static final Pattern UK_POSTCODE = Pattern.compile("(?:[A-Z]{1,2}[0-9][A-Z0-9]?|GIR) ?[0-9][ABD-HJLNP-UW-Z]{2}\\b");
    private static final String NAME = "[A-Z][a-zà-ÿ'’-]+";
    /** Lower-case cues after which two or three capitalised words are a name ("my name is Jane Doe"). */
    private static final List<String> NAME_CUES = List.of("my name is", "name:", "customer", "client", "dear",
            "i am", "i'm");
    private static final List<String> TITLES = List.of("Mr", "Mrs", "Ms", "Miss", "Mx", "Dr");
    static final Pattern CUED_NAME = Pattern.compile("\\s+(" + NAME + "(?:\\s+" + NAME + "){1,2})");
    static final Pattern TITLED_NAME = Pattern.compile("\\.?\\s+(" + NAME + "(?:\\s+" + NAME + "){0,2})");

    /** Lengths of IBANs by country (the commonest; other countries: 15–34 characters). */
    private static final Map<String, Integer> IBAN_LENGTHS = Map.ofEntries(Map.entry("DE", 22), Map.entry("GB", 22),
            Map.entry("FR", 27), Map.entry("NL", 18), Map.entry("ES", 24), Map.entry("IT", 27), Map.entry("BE", 16),
            Map.entry("CH", 21), Map.entry("AT", 20), Map.entry("IE", 22), Map.entry("PL", 28), Map.entry("PT", 25),
            Map.entry("SE", 24), Map.entry("DK", 18), Map.entry("NO", 15), Map.entry("FI", 18), Map.entry("LU", 20));
    private static final BigInteger NINETY_SEVEN = BigInteger.valueOf(97);

    private final PhoneNumberUtil phones = PhoneNumberUtil.getInstance();
    private final String region;

    /** @param region the ISO country whose national phone formats are recognised without a {@code +} prefix */
    public PersonalDataDetectors(String region) {
        this.region = region == null || region.isBlank() ? "US" : region.toUpperCase(Locale.ROOT);
    }

    /** Every finding in the text, overlapping ones included (the caller keeps the longest). */
    public List<Finding> find(String text) {
        return find(text, null);
    }

    /**
     * Every finding; {@code lower} is the text in lower case when the caller has it. Each detector is tried only
     * where its value can start (an '@', a run of digits, a cue word), anchored there: one scan of the whole text
     * per pattern cost several times the budget on long passages.
     */
    List<Finding> find(String text, String lower) {
        List<Finding> out = new ArrayList<>();
        if (text == null || text.isEmpty()) {
            return out;
        }
        emails(text, out);
        for (int at = text.indexOf("wc_order_"); at >= 0; at = text.indexOf("wc_order_", at + 1)) {
            anchored(ORDER_KEY, PersonalDataKind.ORDER_KEY, text, at, out, false);
        }
        boolean longRun = hasDigitRun(text, 4);
        int numberEnd = -1;
        for (int i = 0; i < text.length(); i++) {
            if (isDigit(text.charAt(i)) && (i == 0 || !isDigit(text.charAt(i - 1)))) {
                // i starts a run of digits
                addresses(text, i, out);
                if (longRun && i >= numberEnd) {
                    // a number found here ("+1 415 555 2671") is not searched again from its inner runs
                    int before = out.size();
                    numbers(text, i, out);
                    for (int f = before; f < out.size(); f++) {
                        numberEnd = Math.max(numberEnd, out.get(f).end());
                    }
                }
            }
        }
        names(text, lower, out);
        return out;
    }

    private static void emails(String text, List<Finding> out) {
        int last = -1;
        for (int at = text.indexOf('@'); at >= 0; at = text.indexOf('@', at + 1)) {
            int start = at;
            while (start > 0 && start > last && isLocalPart(text.charAt(start - 1))) {
                start--;
            }
            if (start < at) {
                Matcher m = anchoredMatcher(EMAIL, text, start);
                if (m != null) {
                    out.add(new Finding(PersonalDataKind.EMAIL, m.start(), m.end(), m.group()));
                    last = m.end();
                }
            }
        }
    }

    private static boolean isLocalPart(char c) {
        return c < 128 && Character.isLetterOrDigit(c) || c == '.' || c == '_' || c == '%' || c == '+' || c == '-';
    }

    private static void addresses(String text, int digit, List<Finding> out) {
        anchored(US_ADDRESS, PersonalDataKind.ADDRESS, text, digit, out, true);
        // the word before the number: "Rosenstraße 5"
        if (digit >= 2 && Character.isWhitespace(text.charAt(digit - 1))) {
            int w = digit - 1;
            while (w > 0 && Character.isWhitespace(text.charAt(w - 1))) {
                w--;
            }
            int start = w;
            while (start > 0 && (Character.isLetter(text.charAt(start - 1)) || text.charAt(start - 1) == '.')) {
                start--;
            }
            if (start < w && Character.isUpperCase(text.charAt(start))) {
                anchored(DE_ADDRESS, PersonalDataKind.ADDRESS, text, start, out, true);
            }
        }
        // the outward code's letters: "SW1A 1AA"
        for (int back = 1; back <= 2 && digit - back >= 0; back++) {
            char c = text.charAt(digit - back);
            if (c < 'A' || c > 'Z') {
                break;
            }
            anchored(UK_POSTCODE, PersonalDataKind.ADDRESS, text, digit - back, out, true);
        }
    }

    private void numbers(String text, int digit, List<Finding> out) {
        Matcher card = anchoredMatcher(CARD, text, digit);
        if (card != null && isCardNumber(card.group())) {
            out.add(new Finding(PersonalDataKind.CARD, card.start(), card.end(), card.group()));
        }
        // phones start at the run or at a '+', '(' or '(+' just before it
        int start = digit;
        if (start > 0 && text.charAt(start - 1) == '+') {
            start--;
        }
        if (start > 0 && text.charAt(start - 1) == '(') {
            start--;
        }
        Matcher phone = anchoredMatcher(PHONE_CANDIDATE, text, start);
        if (phone != null && isPhone(phone.group())) {
            out.add(new Finding(PersonalDataKind.PHONE, phone.start(), phone.end(), phone.group()));
        }
        // an IBAN's country code and check digits: "DE89 3704…"
        if (digit >= 2 && isUpper(text.charAt(digit - 1)) && isUpper(text.charAt(digit - 2))) {
            ibanAt(text, digit - 2, out);
        }
    }

    private static void names(String text, String lower, List<Finding> out) {
        String l = lower != null ? lower : text.toLowerCase(Locale.ROOT);
        if (l.length() == text.length()) {
            for (String cue : NAME_CUES) {
                for (int at = l.indexOf(cue); at >= 0; at = l.indexOf(cue, at + 1)) {
                    if (at == 0 || !Character.isLetterOrDigit(text.charAt(at - 1))) {
                        name(CUED_NAME, text, at + cue.length(), out);
                    }
                }
            }
        }
        for (String title : TITLES) {
            for (int at = text.indexOf(title); at >= 0; at = text.indexOf(title, at + 1)) {
                if (at == 0 || !Character.isLetterOrDigit(text.charAt(at - 1))) {
                    name(TITLED_NAME, text, at + title.length(), out);
                }
            }
        }
    }

    private static void name(Pattern p, String text, int from, List<Finding> out) {
        Matcher m = anchoredMatcher(p, text, from);
        if (m != null) {
            out.add(new Finding(PersonalDataKind.PERSON, m.start(1), m.end(1), m.group(1)));
        }
    }

    private static void anchored(Pattern p, PersonalDataKind kind, String text, int at, List<Finding> out,
            boolean wordStart) {
        if (wordStart && at > 0 && Character.isLetterOrDigit(text.charAt(at - 1))) {
            return;
        }
        Matcher m = anchoredMatcher(p, text, at);
        if (m != null) {
            out.add(new Finding(kind, m.start(), m.end(), m.group()));
        }
    }

    /** The pattern matched starting exactly at {@code at} (lookbehinds see the text before it), or null. */
    private static Matcher anchoredMatcher(Pattern p, String text, int at) {
        Matcher m = p.matcher(text);
        m.region(at, text.length());
        m.useTransparentBounds(true);
        m.useAnchoringBounds(false);
        return m.lookingAt() ? m : null;
    }

    private static boolean isDigit(char c) {
        return c >= '0' && c <= '9';
    }

    private static boolean isUpper(char c) {
        return c >= 'A' && c <= 'Z';
    }

    private void ibanAt(String text, int at, List<Finding> out) {
        if (at > 0 && Character.isLetterOrDigit(text.charAt(at - 1))) {
            return;
        }
        Matcher m = anchoredMatcher(IBAN_BODY, text, at);
        if (m == null) {
            return;
        }
        // the greedy match may have taken a following word: drop trailing groups until the checksum holds
        String candidate = m.group();
        while (candidate.length() >= 15) {
            if (isIban(candidate)) {
                out.add(new Finding(PersonalDataKind.IBAN, at, at + candidate.length(), candidate));
                return;
            }
            int space = candidate.lastIndexOf(' ');
            if (space < 0) {
                return;
            }
            candidate = candidate.substring(0, space);
        }
    }

    /** A valid number for its country (libphonenumber metadata): {@code +…} anywhere, national ones of the region. */
    public boolean isPhone(String candidate) {
        int digits = 0;
        for (int i = 0; i < candidate.length(); i++) {
            if (Character.isDigit(candidate.charAt(i))) {
                digits++;
            }
        }
        if (digits < 7 || digits > 15) {
            return false;
        }
        try {
            return phones.isValidNumber(phones.parse(candidate, region));
        } catch (NumberParseException e) {
            return false;
        }
    }

    /** 13–19 digits, a card network's prefix (Visa, Mastercard, Amex, Discover, JCB, Diners, UnionPay) and Luhn. */
    public static boolean isCardNumber(String candidate) {
        String digits = candidate.replaceAll("[ -]", "");
        if (digits.length() < 13 || digits.length() > 19 || !digits.chars().allMatch(Character::isDigit)) {
            return false;
        }
        char first = digits.charAt(0);
        if (first < '2' || first > '6') {
            return false;
        }
        return luhn(digits);
    }

    public static boolean luhn(String digits) {
        int sum = 0;
        boolean twice = false;
        for (int i = digits.length() - 1; i >= 0; i--) {
            int d = digits.charAt(i) - '0';
            if (twice) {
                d *= 2;
                if (d > 9) {
                    d -= 9;
                }
            }
            sum += d;
            twice = !twice;
        }
        return sum % 10 == 0;
    }

    /** ISO 13616: the country's length and the mod-97 check (the number with its first four characters moved last). */
    public static boolean isIban(String candidate) {
        String iban = candidate.replace(" ", "").toUpperCase(Locale.ROOT);
        if (iban.length() < 15 || iban.length() > 34 || !iban.matches("[A-Z]{2}[0-9]{2}[A-Z0-9]+")) {
            return false;
        }
        Integer expected = IBAN_LENGTHS.get(iban.substring(0, 2));
        if (expected != null && expected != iban.length()) {
            return false;
        }
        String rearranged = iban.substring(4) + iban.substring(0, 4);
        StringBuilder numeric = new StringBuilder(rearranged.length() * 2);
        for (int i = 0; i < rearranged.length(); i++) {
            char c = rearranged.charAt(i);
            numeric.append(Character.isDigit(c) ? String.valueOf(c) : String.valueOf(c - 'A' + 10));
        }
        return new BigInteger(numeric.toString()).mod(NINETY_SEVEN).intValue() == 1;
    }

    private static boolean hasDigitRun(String text, int n) {
        int run = 0;
        for (int i = 0; i < text.length(); i++) {
            if (Character.isDigit(text.charAt(i))) {
                if (++run >= n) {
                    return true;
                }
            } else if (text.charAt(i) != ' ' && text.charAt(i) != '-') {
                run = 0;
            }
        }
        return false;
    }
}
