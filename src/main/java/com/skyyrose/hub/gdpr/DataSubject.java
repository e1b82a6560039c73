package com.skyyrose.hub.gdpr;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import org.springframework.jdbc.core.namedparam.MapSqlParameterSource;

/**
 * A person whose data is exported or erased, with everything that identifies them in the hub's data: the e-mail
 * (always), the hub user id (when they have an account), the shop customer and order ids found for the e-mail,
 * and full names (account name, names in webhook payloads with their e-mail, names an administrator adds).
 *
 * @param subjectHash keyed hash of the e-mail (HUB_INDEX_KEY): how requests and the audit log name the person
 */
public record DataSubject(String email, String subjectHash, String userId, List<String> customers,
        List<String> orders, List<String> names) {

    /** A value no column holds, bound where a list or id is empty (SQL has no empty IN list). */
    static final String NONE = "-none-";

    public DataSubject {
        customers = List.copyOf(customers);
        orders = List.copyOf(orders);
        names = List.copyOf(names);
    }

    /** Lower-cased strings searched for in free text: the e-mail and each full name. */
    public List<String> identifiers() {
        Set<String> out = new LinkedHashSet<>();
        out.add(email.toLowerCase(Locale.ROOT));
        names.forEach(n -> out.add(n.toLowerCase(Locale.ROOT)));
        return new ArrayList<>(out);
    }

    /** A short pseudonymous reference for logs and audit targets (never the e-mail). */
    public String reference() {
        return "subject:" + subjectHash.substring(0, 16);
    }

    /** The named parameters of the inventory's owner predicates, plus {@code :ident<i>} and {@code :pseudonym}. */
    MapSqlParameterSource parameters(String pseudonym) {
        MapSqlParameterSource p = new MapSqlParameterSource();
        p.addValue("uid", userId == null ? NONE : userId);
        p.addValue("emails", List.of(email.toLowerCase(Locale.ROOT)));
        p.addValue("subject_hash", subjectHash);
        p.addValue("customers", customers.isEmpty() ? List.of(NONE) : customers);
        p.addValue("orders", orders.isEmpty() ? List.of(NONE) : orders);
        p.addValue("pseudonym", pseudonym == null ? NONE : pseudonym);
        List<String> ids = identifiers();
        for (int i = 0; i < ids.size(); i++) {
            p.addValue("ident" + i, ids.get(i));
        }
        p.addValue("redact", redactionRegex());
        return p;
    }

    /** A case-insensitive PostgreSQL regular expression matching any identifier literally. */
    String redactionRegex() {
        List<String> parts = new ArrayList<>();
        for (String id : identifiers()) {
            StringBuilder quoted = new StringBuilder();
            for (char c : id.toCharArray()) {
                if (!Character.isLetterOrDigit(c) && c != ' ') {
                    quoted.append('\\');
                }
                quoted.append(c);
            }
            parts.add(quoted.toString());
        }
        return "(" + String.join("|", parts) + ")";
    }
}
