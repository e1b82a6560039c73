package com.skyyrose.hub.privacy;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Stable placeholders per request, the hub's own knowledge, restoration, and counts without values. */
class PseudonymizerTest {

    static final PersonalDataDetectors DETECTORS = new PersonalDataDetectors("US");

    @Test
    void theSameValueHasTheSamePlaceholderInEveryTextOfTheRequest() {
        Pseudonymizer p = new Pseudonymizer(DETECTORS, null);
        String a = p.mask("Mail jane@example.com or ana@example.com, then JANE@example.com again.");
        String b = p.mask("Reply to jane@example.com; phone (510) 555-0142 or 510.555.0142.");
        assertThat(a).isEqualTo("Mail <EMAIL_1> or <EMAIL_2>, then <EMAIL_1> again.");
        assertThat(b).isEqualTo("Reply to <EMAIL_1>; phone <PHONE_1> or <PHONE_1>.");
        assertThat(p.counts()).isEqualTo(Map.of("email", 2, "phone", 1));
    }

    @Test
    void namesAndAddressesFromTheLookedUpRecordAreMaskedWithoutACue() {
        KnownPersonalData known = new KnownPersonalData().addRecord(Map.of("id", 7, "order_key", "wc_order_Zz9Yy8",
                "billing", Map.of("first_name", "Amara", "last_name", "Okonkwo", "address_1", "88 Grand Ave",
                        "city", "Oakland", "email", "amara@example.net", "phone", "+1 415 555 2671"),
                "line_items", List.of(Map.of("name", "Black Rose Hoodie"))));
        Pseudonymizer p = new Pseudonymizer(DETECTORS, known);

        String masked = p.mask("Amara Okonkwo asks: where is the hoodie? Ship to 88 grand ave. Thanks, Amara. "
                + "Ref wc_order_Zz9Yy8");

        assertThat(masked).doesNotContain("Amara").doesNotContain("Okonkwo").doesNotContain("88 grand")
                .doesNotContain("wc_order_Zz9Yy8").contains("hoodie").contains("<PERSON_1> asks")
                .contains("<ADDRESS_1>").contains("<ORDER_KEY_1>");
        // a product's name is not personal
        assertThat(p.mask("Black Rose Hoodie")).isEqualTo("Black Rose Hoodie");
    }

    @Test
    void aKnownFirstNameTakesTheSurnameWrittenAfterIt() {
        // the hub's copy of a shop customer holds only her first name
        Pseudonymizer p = new Pseudonymizer(DETECTORS, new KnownPersonalData().add(PersonalDataKind.PERSON, "Amara"));
        assertThat(p.mask("Amara Okafor asked; amara wrote again. Amaranth is a colour."))
                .isEqualTo("<PERSON_1> asked; <PERSON_2> wrote again. Amaranth is a colour.");
        assertThat(p.restore("<PERSON_1>")).isEqualTo("Amara Okafor");
    }

    @Test
    void restorationPutsTheRealValuesBackAlsoWhenTheModelRewroteThePlaceholder() {
        Pseudonymizer p = new Pseudonymizer(DETECTORS, new KnownPersonalData().add(PersonalDataKind.PERSON,
                "Jane Doe"));
        p.mask("Jane Doe (jane@example.com) lives at 1200 Broadway, Oakland, CA 94612.");

        assertThat(p.restore("Dear <PERSON_1>, we ship to <ADDRESS_1> and write to [EMAIL_1]; <PHONE_9> stays."))
                .isEqualTo("Dear Jane Doe, we ship to 1200 Broadway, Oakland, CA 94612 and write to "
                        + "jane@example.com; <PHONE_9> stays.");
        assertThat(p.restore("<p>Hello &lt;PERSON_1&gt;</p>")).isEqualTo("<p>Hello Jane Doe</p>");
        assertThat(p.restoreDeep(Map.of("reasoning", List.of("<EMAIL_1> is right"))))
                .isEqualTo(Map.of("reasoning", List.of("jane@example.com is right")));
    }

    @Test
    void cardsAndIbansBeatThePhoneLookAlikeInsideThem() {
        Pseudonymizer p = new Pseudonymizer(DETECTORS, null);
        assertThat(p.mask("Card 4111 1111 1111 1111, IBAN DE89 3704 0044 0532 0130 00."))
                .isEqualTo("Card <CARD_1>, IBAN <IBAN_1>.");
        assertThat(p.counts()).isEqualTo(Map.of("card", 1, "iban", 1));
    }

    @Test
    void textWithoutPersonalDataIsUnchangedAndNothingIsCounted() {
        Pseudonymizer p = new Pseudonymizer(DETECTORS, null);
        String text = "Describe the Black Rose hoodie: 450 gsm fleece, $185.00, ships in 3 days.";
        assertThat(p.mask(text)).isSameAs(text);
        assertThat(p.found()).isFalse();
        assertThat(p.restore("<EMAIL_1>")).isEqualTo("<EMAIL_1>");
    }
}
