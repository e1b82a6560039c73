package com.skyyrose.hub.gdpr;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.skyyrose.hub.gdpr.PersonalDataInventory.Category;
import com.skyyrose.hub.platform.InstanceRegistry;
import com.skyyrose.hub.security.FieldCrypto;
import com.skyyrose.hub.security.Ownership;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;

/**
 * Export jobs (Art. 15/20) in PostgreSQL. A worker on every instance ({@code routes/gdpr/gdpr-jobs.camel.yaml})
 * claims queued jobs with {@code FOR UPDATE SKIP LOCKED} under a lease; a job whose instance died keeps its
 * lease until it runs out, then another instance starts it again from the beginning (building an export has no
 * side effects), at most {@code hub.gdpr.export-max-attempts} times, after which it fails with the reason.
 */
@Component("gdprExports")
public class GdprExports {

    private static final Logger LOG = LoggerFactory.getLogger(GdprExports.class);
    static final String LINK_PURPOSE = "gdpr-export-link";

    private final JdbcTemplate jdbc;
    private final FieldCrypto crypto;
    private final ObjectMapper json;
    private final DataSubjects subjects;
    private final PersonalRecords records;
    private final PersonalKeys keys;
    private final GdprRetention retention;
    private final String instanceId;
    private final Duration ttl;
    private final Duration lease;
    private final int maxAttempts;

    public GdprExports(JdbcTemplate jdbc, FieldCrypto crypto, ObjectMapper json, DataSubjects subjects,
            PersonalRecords records, PersonalKeys keys, GdprRetention retention, InstanceRegistry instance,
            @Value("${hub.gdpr.export-ttl}") Duration ttl, @Value("${hub.gdpr.export-lease}") Duration lease,
            @Value("${hub.gdpr.export-max-attempts}") int maxAttempts) {
        this.jdbc = jdbc;
        this.crypto = crypto;
        this.json = json;
        this.subjects = subjects;
        this.records = records;
        this.keys = keys;
        this.retention = retention;
        this.instanceId = instance.instanceId();
        this.ttl = ttl;
        this.lease = lease;
        this.maxAttempts = maxAttempts;
    }

    /** One job as stored; {@code status} already reads {@code expired} once the link has run out. */
    public record Job(String id, String status, int progress, String subject, String subjectUserId,
            String requestedBy, Instant createdAt, Instant finishedAt, Instant expiresAt, String error,
            Integer recordCount) {
    }

    /**
     * Whom an export searches for: {@code SELF} (a self-export without {@code gdpr:export}) the account's e-mail and
     * name only ({@link DataSubjects#resolveAccount}); {@code FULL} also names given in the request and names found
     * in shop webhooks that carry the e-mail.
     */
    public enum Scope { SELF, FULL }

    public Job create(String email, String subjectUserId, List<String> names, String requestedBy) {
        return create(email, subjectUserId, names, requestedBy, Scope.FULL);
    }

    public Job create(String email, String subjectUserId, List<String> names, String requestedBy, Scope scope) {
        String id = UUID.randomUUID().toString();
        String namesJson;
        try {
            namesJson = json.writeValueAsString(names == null ? List.of() : names);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        jdbc.update("INSERT INTO gdpr_export (id, subject_hash, subject_enc, subject_user_id, names_enc, requested_by,"
                + " scope) VALUES (?::uuid, ?, ?, ?, ?, ?, ?)", id, subjects.subjectHash(email),
                crypto.encrypt(email, FieldCrypto.aad("gdpr_export", "subject_enc", id)), subjectUserId,
                crypto.encrypt(namesJson, FieldCrypto.aad("gdpr_export", "names_enc", id)), requestedBy,
                scope.name().toLowerCase(java.util.Locale.ROOT));
        return find(id);
    }

    private static final String SELECT = "SELECT id::text AS id, CASE WHEN status = 'succeeded' AND expires_at <= now()"
            + " THEN 'expired' ELSE status END AS status, progress, subject_enc, subject_user_id, requested_by,"
            + " created_at, finished_at, expires_at, error, record_count FROM gdpr_export";

    public Job find(String id) {
        if (id == null || !id.matches("[0-9a-fA-F-]{36}")) {
            return null;
        }
        List<Job> jobs = jdbc.query(SELECT + " WHERE id = ?::uuid", (rs, n) -> map(rs), id);
        return jobs.isEmpty() ? null : jobs.get(0);
    }

    /** The job if {@code owned} (over {@code requested_by}) lets its reader see it, else null. */
    public Job find(String id, Ownership.Filter owned) {
        if (id == null || !id.matches("[0-9a-fA-F-]{36}")) {
            return null;
        }
        List<Job> jobs = jdbc.query(SELECT + " WHERE id = ?::uuid AND " + owned.sql(), (rs, n) -> map(rs),
                owned.with(id));
        return jobs.isEmpty() ? null : jobs.get(0);
    }

    /** Newest first, the jobs {@code owned} (over {@code requested_by}) lets its reader see. */
    public List<Job> list(Ownership.Filter owned, int limit, int offset) {
        return jdbc.query(SELECT + " WHERE " + owned.sql() + " ORDER BY created_at DESC, id LIMIT ? OFFSET ?",
                (rs, n) -> map(rs), owned.around(List.of(), limit, offset));
    }

    public long count(Ownership.Filter owned) {
        Long n = jdbc.queryForObject("SELECT count(*) FROM gdpr_export WHERE " + owned.sql(), Long.class,
                owned.with());
        return n == null ? 0 : n;
    }

    /** The download token of a finished job: a keyed hash of its id, valid for this export only. */
    public String linkToken(Job job) {
        return crypto.lookupHash(LINK_PURPOSE, job.id() + "|" + job.finishedAt());
    }

    /** The decrypted export document, or null when it is gone (expired or never built). */
    public String document(String id) {
        List<String> docs = jdbc.queryForList("SELECT document_enc FROM gdpr_export WHERE id = ?::uuid "
                + "AND status = 'succeeded' AND expires_at > now() AND document_enc IS NOT NULL", String.class, id);
        return docs.isEmpty() ? null : crypto.decrypt(docs.get(0), FieldCrypto.aad("gdpr_export", "document_enc", id));
    }

    /** Worker step: claims and builds due jobs until none is left; returns how many it finished. */
    public int runDue() {
        int done = 0;
        for (int i = 0; i < 10; i++) {
            Claimed claimed = claim();
            if (claimed == null) {
                return done;
            }
            run(claimed);
            done++;
        }
        return done;
    }

    record Claimed(String id, int attempts, String previousInstance) {
    }

    Claimed claim() {
        List<Claimed> claimed = jdbc.query("UPDATE gdpr_export g SET status = 'running', attempts = g.attempts + 1, "
                + "instance_id = ?, lease_until = now() + make_interval(secs => ?), started_at = now(), progress = 0 "
                + "FROM (SELECT id, instance_id FROM gdpr_export WHERE status = 'queued' OR (status = 'running' AND "
                + "lease_until < now()) ORDER BY created_at LIMIT 1 FOR UPDATE SKIP LOCKED) due "
                + "WHERE g.id = due.id RETURNING g.id::text AS id, g.attempts, due.instance_id AS previous",
                (rs, n) -> new Claimed(rs.getString("id"), rs.getInt("attempts"), rs.getString("previous")),
                instanceId, (double) lease.toSeconds());
        return claimed.isEmpty() ? null : claimed.get(0);
    }

    private void run(Claimed job) {
        if (job.attempts() > maxAttempts) {
            fail(job.id(), "abandoned: the instance building it (" + job.previousInstance() + ") stopped "
                    + (job.attempts() - 1) + " times before finishing");
            return;
        }
        if (job.attempts() > 1) {
            LOG.info("Resuming GDPR export {} left unfinished by instance {}", job.id(), job.previousInstance());
        }
        try {
            Map<String, Object> row = jdbc.queryForMap("SELECT subject_enc, names_enc, scope FROM gdpr_export "
                    + "WHERE id = ?::uuid", job.id());
            boolean self = "self".equals(row.get("scope"));
            String email = crypto.decrypt((String) row.get("subject_enc"),
                    FieldCrypto.aad("gdpr_export", "subject_enc", job.id()));
            List<String> names = new ArrayList<>();
            json.readTree(crypto.decrypt((String) row.get("names_enc"),
                    FieldCrypto.aad("gdpr_export", "names_enc", job.id()))).forEach(n -> names.add(n.asText()));
            DataSubject subject = self ? subjects.resolveAccount(email) : subjects.resolve(email, names);
            Map<Category, List<PersonalRecords.Found>> found = records.collect(subject, p -> progress(job.id(),
                    Math.min(95, p)));
            List<PersonalRecords.Found> sessions = keys.sessions(subject);
            if (!sessions.isEmpty()) {
                found.computeIfAbsent(Category.SESSIONS, c -> new ArrayList<>()).addAll(sessions);
            }
            Map<String, Object> document = document(job.id(), subject, found);
            int count = found.values().stream().mapToInt(List::size).sum();
            String text = json.writerWithDefaultPrettyPrinter().writeValueAsString(document);
            int n = jdbc.update("UPDATE gdpr_export SET status = 'succeeded', progress = 100, finished_at = now(), "
                    + "expires_at = now() + make_interval(secs => ?), document_enc = ?, record_count = ?, "
                    + "lease_until = NULL WHERE id = ?::uuid AND status = 'running' AND instance_id = ?",
                    (double) ttl.toSeconds(), crypto.encrypt(text, FieldCrypto.aad("gdpr_export", "document_enc",
                            job.id())), count, job.id(), instanceId);
            if (n == 0) {
                LOG.warn("GDPR export {} was taken over by another instance while it was being built", job.id());
            }
        } catch (Exception e) {
            LOG.error("GDPR export {} failed", job.id(), e);
            fail(job.id(), "export failed: " + e.getClass().getSimpleName());
        }
    }

    private void progress(String id, int percent) {
        jdbc.update("UPDATE gdpr_export SET progress = ?, lease_until = now() + make_interval(secs => ?) "
                + "WHERE id = ?::uuid AND status = 'running' AND instance_id = ?", percent, (double) lease.toSeconds(),
                id, instanceId);
    }

    private void fail(String id, String reason) {
        jdbc.update("UPDATE gdpr_export SET status = 'failed', error = ?, finished_at = now(), lease_until = NULL "
                + "WHERE id = ?::uuid", reason, id);
    }

    /** The Art. 15 document: who, the information of Art. 15(1) per category, then every record by category. */
    Map<String, Object> document(String id, DataSubject subject, Map<Category, List<PersonalRecords.Found>> found) {
        Map<String, Object> doc = new LinkedHashMap<>();
        doc.put("export_id", id);
        doc.put("generated_at", Instant.now().toString());
        doc.put("controller", "SkyyRose (DevSkyy Hub)");
        Map<String, Object> who = new LinkedHashMap<>();
        who.put("email", subject.email());
        who.put("user_id", subject.userId());
        who.put("names", subject.names());
        who.put("shop_customers", subject.customers());
        who.put("shop_orders", subject.orders());
        doc.put("subject", who);
        List<Map<String, Object>> information = new ArrayList<>();
        for (Category category : Category.values()) {
            List<PersonalRecords.Found> rows = found.getOrDefault(category, List.of());
            Map<String, Object> info = new LinkedHashMap<>();
            info.put("category", category.key());
            info.put("description", category.description);
            info.put("purposes", category.purpose);
            info.put("legal_basis", category.legalBasis);
            info.put("recipients", category.recipients);
            info.put("retention", retention.retentionText(category));
            info.put("source", category.source);
            info.put("records", rows.size());
            information.add(info);
        }
        doc.put("information", Map.of("categories", information, "rights", RIGHTS,
                "automated_decision_making", "None with legal or similarly significant effects: agents and the LLM "
                        + "round table draft answers and actions; high-impact actions wait for a person's approval."));
        Map<String, Object> data = new LinkedHashMap<>();
        found.forEach((category, rows) -> data.put(category.key(), rows));
        doc.put("data", data);
        return doc;
    }

    static final List<String> RIGHTS = List.of(
            "Access and a copy of the data (Art. 15) and portability in a machine-readable format (Art. 20): this export.",
            "Rectification of inaccurate data (Art. 16).",
            "Erasure (Art. 17), except where the law requires keeping records (e.g. orders for accounting).",
            "Restriction of processing (Art. 18) and objection to processing based on legitimate interests (Art. 21).",
            "Lodging a complaint with a supervisory authority (Art. 77).");

    /** The ZIP: the JSON document plus one CSV per category (table, relation, then the records' fields). */
    public byte[] zip(String id, String documentJson) throws IOException {
        JsonNode doc = json.readTree(documentJson);
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ZipOutputStream zip = new ZipOutputStream(bytes)) {
            zip.putNextEntry(new ZipEntry("export.json"));
            zip.write(documentJson.getBytes(StandardCharsets.UTF_8));
            zip.closeEntry();
            var categories = doc.path("data").fields();
            while (categories.hasNext()) {
                var category = categories.next();
                zip.putNextEntry(new ZipEntry(category.getKey() + ".csv"));
                zip.write(csv(category.getValue()).getBytes(StandardCharsets.UTF_8));
                zip.closeEntry();
            }
        }
        return bytes.toByteArray();
    }

    private String csv(JsonNode rows) throws IOException {
        Set<String> fields = new LinkedHashSet<>();
        rows.forEach(r -> r.path("record").fieldNames().forEachRemaining(fields::add));
        StringBuilder out = new StringBuilder();
        List<String> header = new ArrayList<>(List.of("table", "relation"));
        header.addAll(fields);
        line(out, header);
        for (JsonNode row : rows) {
            List<String> cells = new ArrayList<>();
            cells.add(row.path("table").asText());
            cells.add(row.path("relation").asText());
            for (String f : fields) {
                JsonNode v = row.path("record").get(f);
                cells.add(v == null || v.isNull() ? "" : v.isNumber() || v.isBoolean() ? v.asText()
                        : neutralised(v.isValueNode() ? v.asText() : json.writeValueAsString(v)));
            }
            line(out, cells);
        }
        return out.toString();
    }

    /**
     * A text cell a spreadsheet would run as a formula (starting with {@code = + - @}, tab or carriage return, as
     * a customer note or an LLM answer may) gets a leading apostrophe: shown as text, never evaluated (OWASP CSV
     * injection). Numbers are written as they are.
     */
    static String neutralised(String cell) {
        if (!cell.isEmpty() && "=+-@\t\r".indexOf(cell.charAt(0)) >= 0) {
            return "'" + cell;
        }
        return cell;
    }

    /** RFC 4180: quote cells with separators, quotes or line breaks; double inner quotes. */
    private static void line(StringBuilder out, List<String> cells) {
        for (int i = 0; i < cells.size(); i++) {
            String c = cells.get(i);
            if (i > 0) {
                out.append(',');
            }
            if (c.contains(",") || c.contains("\"") || c.contains("\n") || c.contains("\r")) {
                out.append('"').append(c.replace("\"", "\"\"")).append('"');
            } else {
                out.append(c);
            }
        }
        out.append("\r\n");
    }

    private Job map(ResultSet rs) throws SQLException {
        String id = rs.getString("id");
        String subject;
        try {
            subject = crypto.decrypt(rs.getString("subject_enc"), FieldCrypto.aad("gdpr_export", "subject_enc", id));
        } catch (FieldCrypto.CryptoException e) {
            subject = null;
        }
        return new Job(id, rs.getString("status"), rs.getInt("progress"), subject, rs.getString("subject_user_id"),
                rs.getString("requested_by"), instant(rs, "created_at"), instant(rs, "finished_at"),
                instant(rs, "expires_at"), rs.getString("error"), (Integer) rs.getObject("record_count"));
    }

    private static Instant instant(ResultSet rs, String column) throws SQLException {
        Timestamp t = rs.getTimestamp(column);
        return t == null ? null : t.toInstant();
    }
}
