package com.skyyrose.hub.gdpr;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Erasure (Art. 17): every table of the inventory in one transaction (deleted, anonymised, or kept anonymised with
 * the reason), then the Redis key families (sessions first among them, so the person's tokens stop working), then
 * a record of the erasure that names the person only by the keyed hash of the e-mail.
 */
@Component
public class GdprErasure {

    private final JdbcTemplate jdbc;
    private final TransactionTemplate tx;
    private final PersonalRecords records;
    private final PersonalKeys keys;
    private final ObjectMapper json;

    public GdprErasure(JdbcTemplate jdbc, TransactionTemplate tx, PersonalRecords records, PersonalKeys keys,
            ObjectMapper json) {
        this.jdbc = jdbc;
        this.tx = tx;
        this.records = records;
        this.keys = keys;
        this.json = json;
    }

    public Map<String, Object> erase(DataSubject subject, String requestedBy) throws Exception {
        String id = UUID.randomUUID().toString();
        // stands in for the person where a kept record needs some actor (audit log); leads nowhere
        String pseudonym = "erased:" + id.substring(0, 8);
        List<PersonalRecords.TableOutcome> tables = tx.execute(s -> records.erase(subject, pseudonym));
        List<PersonalKeys.KeyOutcome> redis = keys.erase(subject);
        List<Map<String, Object>> erased = new ArrayList<>();
        List<Map<String, Object>> kept = new ArrayList<>();
        for (PersonalRecords.TableOutcome t : tables == null ? List.<PersonalRecords.TableOutcome>of() : tables) {
            if (t.rows() == 0) {
                continue;
            }
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("store", t.table());
            m.put("category", t.category());
            m.put("action", t.action());
            m.put("count", t.rows());
            if (t.action().equals("kept")) {
                m.put("reason", t.reason());
                kept.add(m);
            } else {
                erased.add(m);
            }
        }
        for (PersonalKeys.KeyOutcome k : redis) {
            if (k.keys() > 0) {
                Map<String, Object> m = new LinkedHashMap<>();
                m.put("store", "redis " + k.family());
                m.put("category", k.category());
                m.put("action", k.action());
                m.put("count", k.keys());
                erased.add(m);
            }
        }
        Map<String, Object> result = new LinkedHashMap<>();
        result.put("id", id);
        result.put("subject", subject.reference());
        result.put("hub_user", subject.userId() != null);
        result.put("shop_customers", subject.customers().size());
        result.put("shop_orders", subject.orders().size());
        result.put("erased", erased);
        result.put("kept", kept);
        result.put("pseudonym", pseudonym);
        result.put("note", "Data held by the shop (WooCommerce) and by the vendors the data was sent to is not "
                + "erased by the hub: erase the customer in WooCommerce too, or the next webhook brings them back.");
        jdbc.update("INSERT INTO gdpr_erasure (id, subject_hash, requested_by, result) VALUES (?::uuid, ?, ?, ?::jsonb)",
                id, subject.subjectHash(), requestedBy, json.writeValueAsString(result));
        return result;
    }
}
