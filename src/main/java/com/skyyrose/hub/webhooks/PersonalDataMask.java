package com.skyyrose.hub.webhooks;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import java.util.Iterator;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Masks personal data in a stored webhook payload for readers who are not administrators: names, e-mail
 * addresses, phone numbers, postal addresses, IPs and user agents of WooCommerce orders/customers/coupons and
 * WordPress posts. {@code billing}/{@code shipping} objects are masked field by field; an e-mail address in any
 * other string is masked too. The shape of the document stays, so an operator still sees what arrived.
 */
final class PersonalDataMask {

    static final String MASK = "•••";
    /** Personal wherever they appear (a product's {@code name} is not; a billing name is, see below). */
    private static final Set<String> PERSONAL_KEYS = Set.of("first_name", "last_name", "email", "billing_email",
            "phone", "address_1", "address_2", "postcode", "customer_ip_address", "customer_user_agent",
            "ip_address", "user_agent", "username", "display_name", "avatar_url", "customer_note",
            "email_restrictions", "used_by", "author_name", "author_email");
    /** Every field inside these objects is personal (name, company, city, state, country…). */
    private static final Set<String> PERSONAL_OBJECTS = Set.of("billing", "shipping");
    private static final java.util.regex.Pattern EMAIL =
            java.util.regex.Pattern.compile("[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\\.[A-Za-z]{2,}");

    private PersonalDataMask() {
    }

    /** A masked copy (the argument is left as it is). */
    static JsonNode mask(JsonNode payload) {
        if (payload == null) {
            return null;
        }
        JsonNode copy = payload.deepCopy();
        walk(copy, false);
        return copy;
    }

    /** A payload stored as text (not JSON): e-mail addresses masked. */
    static String maskText(String payload) {
        return EMAIL.matcher(payload).replaceAll(MASK);
    }

    private static void walk(JsonNode node, boolean allPersonal) {
        if (node instanceof ObjectNode object) {
            Iterator<Map.Entry<String, JsonNode>> fields = object.fields();
            while (fields.hasNext()) {
                Map.Entry<String, JsonNode> field = fields.next();
                String key = field.getKey().toLowerCase(Locale.ROOT);
                JsonNode value = field.getValue();
                if (PERSONAL_OBJECTS.contains(key)) {
                    walk(value, true);
                } else if ((allPersonal || PERSONAL_KEYS.contains(key)) && !value.isContainerNode()) {
                    if (!value.isNull() && !(value.isTextual() && value.asText().isEmpty())) {
                        field.setValue(TextNode.valueOf(MASK));
                    }
                } else if (PERSONAL_KEYS.contains(key)) {
                    walk(value, true);
                } else if (value.isTextual() && EMAIL.matcher(value.asText()).find()) {
                    field.setValue(TextNode.valueOf(EMAIL.matcher(value.asText()).replaceAll(MASK)));
                } else {
                    walk(value, allPersonal);
                }
            }
        } else if (node instanceof ArrayNode array) {
            for (int i = 0; i < array.size(); i++) {
                JsonNode value = array.get(i);
                if (value.isContainerNode()) {
                    walk(value, allPersonal);
                } else if (allPersonal && !value.isNull()) {
                    array.set(i, TextNode.valueOf(MASK));
                } else if (value.isTextual() && EMAIL.matcher(value.asText()).find()) {
                    array.set(i, TextNode.valueOf(EMAIL.matcher(value.asText()).replaceAll(MASK)));
                }
            }
        }
    }
}
