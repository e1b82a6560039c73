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
    static final Pattern IBAN = Pattern.compile("\\b[A-Z]{2}[0-9]{2}(?: ?[A-Z0-9]){11,30}\\b");
    static final Pattern CARD = Pattern.compile("(?<![0-9])[0-9](?:[ -]?[0-9]){12,18}(?![0-9])");
    /** Phone-like runs: what libphonenumber is then asked about (cheaper than its own scan of the whole text). */
    static final Pattern PHONE_CANDIDATE = Pattern.compile("(?<![\\w+.-])(?:\\+|\\(\\+?)?[0-9][0-9 ().\\-/]{5,20}[0-9](?![\\w-])");
    private static final String STREET_TYPE = "(?:Street|St|Avenue|Ave|Road|Rd|Boulevard|Blvd|Lane|Ln|Drive|Dr"
            + "|Court|Ct|Way|Place|Pl|Terrace|Ter|Parkway|Pkwy|Square|Sq|Circle|Cir|Highway|Hwy|Alley|Trail|Plaza)";
    static final Pattern ADDRESS = Pattern.compile(
            // US: 1200 Broadway / 42 W. Rose Street, Apt 4B, Oakland, CA 94612
            "\\b[0-9]{1,6}[A-Za-z]?\\s+(?:(?:[NSEW]|North|South|East|West)\\.?\\s+)?"
                    + "(?:(?:[A-Z][A-Za-z0-9'.-]*\\s+){1,4}" + STREET_TYPE + "\\b\\.?|Broadway\\b)"
                    + "(?:,?\\s+(?:Apt|Apartment|Suite|Ste|Unit|Fl|Floor|#)\\.?\\s*#?[A-Za-z0-9-]+)?"
                    + "(?:,\\s*[A-Z][A-Za-z.' -]{1,30},\\s*[A-Z]{2}\\s+[0-9]{5}(?:-[0-9]{4})?\\b)?"
                    // German: Rosenstraße 5a, 10115 Berlin
                    + "|\\b[A-ZÄÖÜ][a-zäöüß]+(?:straße|strasse|str\\.|weg|gasse|platz|allee|ring|damm)\\s+[0-9]{1,4}[a-z]?\\b"
                    + "(?:,\\s*[0-9]{5}\\s+[A-ZÄÖÜ][a-zäöüß]+)?"
                    // UK postcode: SW1A 1AA
                    + "|\\b(?:[A-Z]{1,2}[0-9][A-Z0-9]?|GIR) ?[0-9][ABD-HJLNP-UW-Z]{2}\\b");
    private static final String NAME = "[A-Z][a-zà-ÿ'’-]+";
    static final Pattern PERSON = Pattern.compile(
            "(?:\\b(?i:my name is|name:|customer|client|dear|i am|i'm)\\s+)(" + NAME + "(?:\\s+" + NAME + "){1,2})"
                    + "|\\b(?:Mr|Mrs|Ms|Miss|Mx|Dr)\\.?\\s+(" + NAME + "(?:\\s+" + NAME + "){0,2})");

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
        List<Finding> out = new ArrayList<>();
        if (text == null || text.isEmpty()) {
            return out;
        }
        if (text.indexOf('@') >= 0) {
            regex(EMAIL, PersonalDataKind.EMAIL, text, out);
        }
        if (text.contains("wc_order_")) {
            regex(ORDER_KEY, PersonalDataKind.ORDER_KEY, text, out);
        }
        boolean digits = hasDigitRun(text, 4);
        if (digits) {
            ibans(text, out);
            cards(text, out);
            phones(text, out);
        }
        if (digits || hasDigitRun(text, 1)) {
            regex(ADDRESS, PersonalDataKind.ADDRESS, text, out);
        }
        Matcher m = PERSON.matcher(text);
        while (m.find()) {
            int g = m.group(1) != null ? 1 : 2;
            out.add(new Finding(PersonalDataKind.PERSON, m.start(g), m.end(g), m.group(g)));
        }
        return out;
    }

    private static void regex(Pattern p, PersonalDataKind kind, String text, List<Finding> out) {
        Matcher m = p.matcher(text);
        while (m.find()) {
            out.add(new Finding(kind, m.start(), m.end(), m.group()));
        }
    }

    private void ibans(String text, List<Finding> out) {
        Matcher m = IBAN.matcher(text);
        while (m.find()) {
            // the greedy match may have taken a following word: drop trailing groups until the checksum holds
            String candidate = m.group();
            while (candidate.length() >= 15) {
                if (isIban(candidate)) {
                    out.add(new Finding(PersonalDataKind.IBAN, m.start(), m.start() + candidate.length(), candidate));
                    break;
                }
                int space = candidate.lastIndexOf(' ');
                if (space < 0) {
                    break;
                }
                candidate = candidate.substring(0, space);
            }
        }
    }

    private static void cards(String text, List<Finding> out) {
        Matcher m = CARD.matcher(text);
        while (m.find()) {
            if (isCardNumber(m.group())) {
                out.add(new Finding(PersonalDataKind.CARD, m.start(), m.end(), m.group()));
            }
        }
    }

    private void phones(String text, List<Finding> out) {
        Matcher m = PHONE_CANDIDATE.matcher(text);
        while (m.find()) {
            String candidate = m.group();
            int start = m.start();
            // "(510) 555-0142": the candidate may start at the parenthesis; a trailing one is not part of it
            if (isPhone(candidate)) {
                out.add(new Finding(PersonalDataKind.PHONE, start, m.end(), candidate));
            }
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
