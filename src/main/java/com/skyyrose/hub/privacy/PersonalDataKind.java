package com.skyyrose.hub.privacy;

import java.util.Locale;

/** The kinds of personal data the hub pseudonymises before a vendor call; each has its placeholder prefix. */
public enum PersonalDataKind {
    // declaration order = precedence when two findings cover the same text with the same length
    EMAIL, ORDER_KEY, IBAN, CARD, PHONE, ADDRESS, PERSON;

    /** The placeholder for the n-th distinct value of this kind in a request: {@code <EMAIL_1>}. */
    public String placeholder(int n) {
        return "<" + name() + "_" + n + ">";
    }

    /** The lower-case name used in summaries ({@code email}, {@code order_key}). */
    public String key() {
        return name().toLowerCase(Locale.ROOT);
    }
}
