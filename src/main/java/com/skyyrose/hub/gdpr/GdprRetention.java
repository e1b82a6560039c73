package com.skyyrose.hub.gdpr;

import com.skyyrose.hub.gdpr.PersonalDataInventory.Category;
import com.skyyrose.hub.gdpr.PersonalDataInventory.Table;
import com.skyyrose.hub.webhooks.WebhookProperties;
import com.skyyrose.hub.webhooks.WebhookRetention;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.core.env.Environment;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;

/**
 * Per-category retention, from the inventory: each table with a {@link PersonalDataInventory.Retention} loses the
 * rows (or the personal columns) older than its category's period, {@code HUB_RETENTION_<CATEGORY>_DAYS} or the
 * category's default (0 turns a category's purge off). Webhook payloads keep their own setting
 * (HUB_WEBHOOKS_PAYLOAD_RETENTION) and purge ({@link WebhookRetention}). Export documents are dropped when their
 * link expires. Safe on several instances at once: every statement works in batches under
 * {@code FOR UPDATE SKIP LOCKED}, so instances share the work instead of blocking each other.
 */
@Component("gdprRetention")
public class GdprRetention {

    private static final Logger LOG = LoggerFactory.getLogger(GdprRetention.class);
    private static final int BATCH = 1000;

    private final JdbcTemplate jdbc;
    private final Environment env;
    private final WebhookRetention webhookRetention;
    private final WebhookProperties webhookProperties;

    public GdprRetention(JdbcTemplate jdbc, Environment env, WebhookRetention webhookRetention,
            WebhookProperties webhookProperties) {
        this.jdbc = jdbc;
        this.env = env;
        this.webhookRetention = webhookRetention;
        this.webhookProperties = webhookProperties;
    }

    /** The retention in days of a category (null: not a day count, see its text). */
    public Integer days(Category category) {
        if (category == Category.WEBHOOK_PAYLOADS) {
            return (int) webhookProperties.getRetention().toDays();
        }
        if (category.defaultDays == null) {
            return null;
        }
        return env.getProperty(category.retentionEnv(), Integer.class, category.defaultDays);
    }

    public String retentionText(Category category) {
        return category.retentionText(days(category));
    }

    /** The published policy (GET /api/v1/gdpr/retention). */
    public Map<String, Object> policy() {
        List<Map<String, Object>> categories = new ArrayList<>();
        for (Category category : Category.values()) {
            Map<String, Object> c = new LinkedHashMap<>();
            c.put("category", category.key());
            c.put("description", category.description);
            c.put("purposes", category.purpose);
            c.put("legal_basis", category.legalBasis);
            c.put("recipients", category.recipients);
            c.put("retention", retentionText(category));
            c.put("retention_days", days(category));
            c.put("setting", category == Category.WEBHOOK_PAYLOADS ? "HUB_WEBHOOKS_PAYLOAD_RETENTION"
                    : category.defaultDays == null ? null : category.retentionEnv());
            List<String> tables = new ArrayList<>();
            PersonalDataInventory.tables().values().stream().filter(t -> t.category() == category)
                    .forEach(t -> tables.add(t.name()));
            PersonalDataInventory.redisFamilies().stream().filter(f -> f.category() == category)
                    .forEach(f -> tables.add("redis " + f.pattern()));
            c.put("stores", tables);
            categories.add(c);
        }
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("categories", categories);
        return out;
    }

    /** Applies every category's retention once; returns rows affected per table. */
    public Map<String, Integer> apply() {
        Map<String, Integer> done = new LinkedHashMap<>();
        for (Table table : PersonalDataInventory.tables().values()) {
            if (table.retention() == null) {
                continue;
            }
            int n;
            if (table.category() == Category.WEBHOOK_PAYLOADS) {
                n = webhookRetention.purge();
            } else {
                Integer days = days(table.category());
                if (days == null || days <= 0) {
                    continue;
                }
                n = purge(table, days);
            }
            if (n > 0) {
                done.put(table.name(), n);
            }
        }
        int expired = jdbc.update("UPDATE gdpr_export SET status = 'expired', document_enc = NULL "
                + "WHERE status = 'succeeded' AND expires_at <= now()");
        if (expired > 0) {
            done.put("gdpr_export (expired links)", expired);
        }
        if (!done.isEmpty()) {
            LOG.info("Retention applied: {}", done);
        }
        return done;
    }

    /** Deletes due rows in batches (tables whose retention only clears columns delegate, like webhook payloads). */
    private int purge(Table table, int days) {
        PersonalDataInventory.Retention r = table.retention();
        String sql = "DELETE FROM " + table.name() + " WHERE ctid IN (SELECT ctid FROM " + table.name() + " WHERE "
                + r.timeColumn() + " < now() - make_interval(days => ?) AND (" + r.filter() + ") LIMIT " + BATCH
                + " FOR UPDATE SKIP LOCKED)";
        int total = 0;
        int n;
        do {
            n = jdbc.update(sql, days);
            total += n;
        } while (n == BATCH);
        return total;
    }
}
