package com.skyyrose.hub.privacy;

import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Which fields of the records the hub handles (WooCommerce orders, customers and coupons, WordPress posts and users,
 * agent run parameters) hold personal data, and of what kind. One list for the webhook inbox's masking for
 * non-administrators and for the pseudonymisation before LLM vendor calls.
 */
public final class PersonalFields {

    /** Personal wherever they appear (a product's {@code name} is not; a billing name is, see below). */
    public static final Set<String> KEYS = Set.of("first_name", "last_name", "email", "billing_email",
            "phone", "address_1", "address_2", "postcode", "customer_ip_address", "customer_user_agent",
            "ip_address", "user_agent", "username", "display_name", "avatar_url", "customer_note",
            "email_restrictions", "used_by", "author_name", "author_email", "order_key", "customer_name",
            "customer_email", "customer_phone", "customer_address", "full_name");

    /** Every field inside these objects is personal (name, company, city, state, country…). */
    public static final Set<String> OBJECTS = Set.of("billing", "shipping");

    /** The fields whose values are pseudonymised before a vendor call, by kind (first/last names are joined). */
    private static final Map<String, PersonalDataKind> KINDS = Map.ofEntries(
            Map.entry("email", PersonalDataKind.EMAIL), Map.entry("billing_email", PersonalDataKind.EMAIL),
            Map.entry("customer_email", PersonalDataKind.EMAIL), Map.entry("author_email", PersonalDataKind.EMAIL),
            Map.entry("phone", PersonalDataKind.PHONE), Map.entry("customer_phone", PersonalDataKind.PHONE),
            Map.entry("address_1", PersonalDataKind.ADDRESS), Map.entry("address_2", PersonalDataKind.ADDRESS),
            Map.entry("customer_address", PersonalDataKind.ADDRESS), Map.entry("postcode", PersonalDataKind.ADDRESS),
            Map.entry("first_name", PersonalDataKind.PERSON), Map.entry("last_name", PersonalDataKind.PERSON),
            Map.entry("display_name", PersonalDataKind.PERSON), Map.entry("author_name", PersonalDataKind.PERSON),
            Map.entry("customer_name", PersonalDataKind.PERSON), Map.entry("full_name", PersonalDataKind.PERSON),
            Map.entry("username", PersonalDataKind.PERSON),
            Map.entry("order_key", PersonalDataKind.ORDER_KEY));

    private PersonalFields() {
    }

    public static boolean isPersonal(String key) {
        return KEYS.contains(key.toLowerCase(Locale.ROOT));
    }

    /** The kind a field's value is pseudonymised as, or null when it is not (or not worth it, e.g. a country). */
    public static PersonalDataKind kind(String key) {
        return KINDS.get(key.toLowerCase(Locale.ROOT));
    }
}
