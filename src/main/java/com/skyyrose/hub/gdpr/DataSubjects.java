package com.skyyrose.hub.gdpr;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.skyyrose.hub.security.UserService;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;

/** Finds everything that identifies a person, starting from their e-mail (see {@link DataSubject}). */
@Component
public class DataSubjects {

    private final JdbcTemplate jdbc;
    private final UserService users;
    private final ObjectMapper json;

    public DataSubjects(JdbcTemplate jdbc, UserService users, ObjectMapper json) {
        this.jdbc = jdbc;
        this.users = users;
        this.json = json;
    }

    public String subjectHash(String email) {
        return users.emailHash(email);
    }

    /** How logs and audit entries name a person: a prefix of the keyed hash of the e-mail, never the e-mail. */
    public String reference(String email) {
        return "subject:" + subjectHash(email).substring(0, 16);
    }

    /**
     * The subject of a self-export: only what the hub itself knows about the account — its e-mail, user id and
     * full name, and the shop records filed under that e-mail. No names from the request and none read out of
     * webhook payloads: an order's shipping name may be someone else's (a gift), and searching for it would export
     * that person's records to the caller.
     */
    public DataSubject resolveAccount(String email) {
        return resolve(email, List.of(), false);
    }

    public DataSubject resolve(String email, Collection<String> extraNames) {
        return resolve(email, extraNames, true);
    }

    private DataSubject resolve(String email, Collection<String> extraNames, boolean namesFromShop) {
        String normalised = UserService.normaliseEmail(email);
        UserService.User user = users.findByEmail(normalised);
        Set<String> customers = new LinkedHashSet<>(jdbc.queryForList(
                "SELECT source || ':' || customer_id FROM wc_customer WHERE lower(email) = ?", String.class,
                normalised));
        Set<String> orders = new LinkedHashSet<>();
        Set<String> names = new LinkedHashSet<>();
        if (user != null && isFullName(user.displayName())) {
            names.add(user.displayName().trim());
        }
        // webhook payloads that carry the e-mail tell which orders and customer records are theirs, and their name
        jdbc.query("SELECT source, resource, resource_id, payload FROM webhook_event WHERE payload IS NOT NULL "
                + "AND strpos(lower(encode(payload, 'escape')), ?) > 0", rs -> {
                    String source = rs.getString("source");
                    String resource = rs.getString("resource");
                    String resourceId = rs.getString("resource_id");
                    if ("order".equals(resource) && resourceId != null) {
                        orders.add(source + ":" + resourceId);
                    }
                    if ("customer".equals(resource) && resourceId != null) {
                        customers.add(source + ":" + resourceId);
                    }
                    try {
                        JsonNode body = json.readTree(rs.getBytes("payload"));
                        long customerId = body.path("customer_id").asLong(0);
                        if (customerId > 0) {
                            customers.add(source + ":" + customerId);
                        }
                        if (namesFromShop) {
                            addName(names, body);
                            addName(names, body.path("billing"));
                            addName(names, body.path("shipping"));
                        }
                    } catch (java.io.IOException notJson) {
                        // a payload that is not JSON still counts as theirs; it names nobody we can read
                    }
                }, normalised);
        if (!customers.isEmpty()) {
            orders.addAll(jdbc.queryForList("SELECT source || ':' || order_id FROM wc_order "
                    + "WHERE (source || ':' || customer_id) = ANY (?)", String.class,
                    (Object) customers.toArray(String[]::new)));
        }
        if (extraNames != null) {
            extraNames.stream().filter(n -> n != null && n.trim().length() >= 3).map(String::trim)
                    .forEach(names::add);
        }
        return new DataSubject(normalised, subjectHash(normalised), user == null ? null : user.id(),
                new ArrayList<>(customers), new ArrayList<>(orders), dedupe(names));
    }

    private static void addName(Set<String> names, JsonNode node) {
        String first = node.path("first_name").asText("").trim();
        String last = node.path("last_name").asText("").trim();
        if (!first.isEmpty() && !last.isEmpty()) {
            names.add(first + " " + last);
        }
    }

    /** Only names of two words or more are searched: a lone first name would match strangers. */
    private static boolean isFullName(String name) {
        return name != null && name.trim().split("\\s+").length >= 2;
    }

    private static List<String> dedupe(Set<String> names) {
        Set<String> seen = new LinkedHashSet<>();
        List<String> out = new ArrayList<>();
        for (String n : names) {
            if (seen.add(n.toLowerCase(Locale.ROOT))) {
                out.add(n);
            }
        }
        return out;
    }
}
