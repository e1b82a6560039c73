package com.skyyrose.hub.privacy;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** Each detector: values it must find (true positives) and look-alikes it must leave alone (near misses). */
class PersonalDataDetectorsTest {

    static final PersonalDataDetectors DETECTORS = new PersonalDataDetectors("US");

    static List<String> found(PersonalDataKind kind, String text) {
        return DETECTORS.find(text).stream().filter(f -> f.kind() == kind).map(PersonalDataDetectors.Finding::value)
                .toList();
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "Write to jane.doe+shop@example.co.uk today | jane.doe+shop@example.co.uk",
            "ava@skyyrose.com. | ava@skyyrose.com",
            "(contact: O.Brien_77@mail-box.example.org) | O.Brien_77@mail-box.example.org"})
    void emails(String text, String expected) {
        assertThat(found(PersonalDataKind.EMAIL, text)).containsExactly(expected);
    }

    @ParameterizedTest
    @ValueSource(strings = {"follow @skyyrose on Instagram", "jane.doe@localhost", "user at example dot com",
            "price@ 85.00"})
    void emailNearMisses(String text) {
        assertThat(found(PersonalDataKind.EMAIL, text)).isEmpty();
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "Call me on +1 415 555 2671 please | +1 415 555 2671",
            "my number is (510) 555-0142. | (510) 555-0142",
            "text 510.555.0199 | 510.555.0199",
            "UK office +44 20 7946 0958 | +44 20 7946 0958",
            "Berlin: +49 30 901820 | +49 30 901820",
            "Paris +33 1 42 68 53 00 | +33 1 42 68 53 00"})
    void phonesInInternationalAndUsFormats(String text, String expected) {
        assertThat(found(PersonalDataKind.PHONE, text)).containsExactly(expected);
    }

    @ParameterizedTest
    @ValueSource(strings = {"order 1234567 shipped", "on 2026-12-01", "total $89.00", "SKU 4001-22",
            "+1 123 456 7890", "450 gsm fleece, 12 pieces", "version 10.2.3.4"})
    void phoneNearMisses(String text) {
        assertThat(found(PersonalDataKind.PHONE, text)).isEmpty();
    }

    @ParameterizedTest
    @ValueSource(strings = {"4111 1111 1111 1111", "5500-0000-0000-0004", "378282246310005", "6011111111111117",
            "2223000048400011"})
    void cardsWithAValidLuhnDigit(String number) {
        assertThat(found(PersonalDataKind.CARD, "card " + number + " exp 12/28")).containsExactly(number);
        assertThat(found(PersonalDataKind.CARD, "card:" + number + ", thanks")).containsExactly(number);
    }

    @ParameterizedTest
    @ValueSource(strings = {"4111 1111 1111 1112", "1234 5678 9012 3452", "411111111111", "9111111111111111",
            "order 4111111111111111111111",
            // ids whose hyphen-joined digit groups pass the card check (a UUID's last groups, an order reference)
            "request 3f2b8c1e-9d4a-4c7e-4111-111111111111", "ref 12345678-4111-1111-1111-111111111111",
            "sku SR-4111111111111111", "trace 4111111111111111ab"})
    void cardNearMisses(String text) {
        assertThat(found(PersonalDataKind.CARD, text)).isEmpty();
    }

    @ParameterizedTest
    @ValueSource(strings = {"DE89 3704 0044 0532 0130 00", "GB82WEST12345698765432", "FR1420041010050500013M02606",
            "NL91 ABNA 0417 1643 00"})
    void ibansWithTheirChecksum(String iban) {
        assertThat(found(PersonalDataKind.IBAN, "IBAN " + iban + " Thanks")).containsExactly(iban);
    }

    @ParameterizedTest
    @ValueSource(strings = {"DE89 3704 0044 0532 0130 01", "GB82WEST1234569876543", "XX00 1234 5678 9012 34",
            "AB12CDEFGHIJKLMNOP"})
    void ibanNearMisses(String text) {
        assertThat(found(PersonalDataKind.IBAN, text)).isEmpty();
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "key wc_order_AbC123xyZ please | wc_order_AbC123xyZ",
            "(wc_order_58d2d042d1d) | wc_order_58d2d042d1d"})
    void orderKeys(String text, String expected) {
        assertThat(found(PersonalDataKind.ORDER_KEY, text)).containsExactly(expected);
    }

    @ParameterizedTest
    @ValueSource(strings = {"the wc_order_ prefix", "order_key is secret", "my_wc_order_abc123"})
    void orderKeyNearMisses(String text) {
        assertThat(found(PersonalDataKind.ORDER_KEY, text)).isEmpty();
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "ship to 1200 Broadway, Oakland, CA 94612 now | 1200 Broadway, Oakland, CA 94612",
            "at 42 W. Rose Street, Apt 4B. | 42 W. Rose Street, Apt 4B",
            "lives at 7 Lake Merritt Blvd | 7 Lake Merritt Blvd",
            "Lieferung an Rosenstraße 5a, 10115 Berlin bitte | Rosenstraße 5a, 10115 Berlin",
            "London SW1A 1AA | SW1A 1AA"})
    void addresses(String text, String expected) {
        assertThat(found(PersonalDataKind.ADDRESS, text)).containsExactly(expected);
    }

    @ParameterizedTest
    @ValueSource(strings = {"arrives in 2 days", "450 gsm heavyweight fleece", "size 12 Long fit", "3 Black Rose hoodies",
            "Oakland, California"})
    void addressNearMisses(String text) {
        assertThat(found(PersonalDataKind.ADDRESS, text)).isEmpty();
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "Hello, my name is Jane Doe and | Jane Doe",
            "Please help Ms. Okafor with | Okafor",
            "Customer Amara Nwosu wrote | Amara Nwosu"})
    void namesIntroducedByACue(String text, String expected) {
        assertThat(found(PersonalDataKind.PERSON, text)).containsExactly(expected);
    }

    @ParameterizedTest
    @ValueSource(strings = {"my name is jane", "the Black Rose hoodie", "customer care replied", "SkyyRose Oakland"})
    void nameNearMisses(String text) {
        assertThat(found(PersonalDataKind.PERSON, text)).isEmpty();
    }
}
