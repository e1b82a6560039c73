package com.skyyrose.hub.webhooks;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import com.skyyrose.hub.privacy.PersonalFields;
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
    /** Personal wherever they appear; every field of the {@code billing}/{@code shipping} objects is personal. */
    private static final Set<String> PERSONAL_KEYS = PersonalFields.KEYS;
    private static final Set<String> PERSONAL_OBJECTS = PersonalFields.OBJECTS;
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
