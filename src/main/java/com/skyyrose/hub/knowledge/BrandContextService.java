package com.skyyrose.hub.knowledge;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.skyyrose.hub.api.Problem;
import com.skyyrose.hub.api.ProblemException;
import com.skyyrose.hub.api.ProblemType;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.data.redis.core.StringRedisTemplate;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Service;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * The brand DNA, versioned in PostgreSQL. Every change inserts a new version (who, when, how); the current brand
 * context is the latest one. Changes are serialised by a transaction-scoped advisory lock, so concurrent writers
 * each get their own version and a merge patch always applies to the latest one.
 * <p>
 * The current version is cached in memory. A change publishes on the Redis channel {@link #CHANNEL}; every instance
 * drops its cache when it hears it. If a message is missed (Redis briefly away), the cache still expires after
 * {@code hub.brand.cache-max-age}.
 */
@Service
public class BrandContextService {

    public static final String CHANNEL = "hub:brand-context:changed";
    private static final Logger LOG = LoggerFactory.getLogger(BrandContextService.class);
    private static final long LOCK_KEY = 0x6272616e64L; // "brand"
    private static final Pattern HEX = Pattern.compile("^#[0-9A-Fa-f]{6}$");
    private static final TypeReference<LinkedHashMap<String, Object>> MAP = new TypeReference<>() {
    };

    private record Cached(Map<String, Object> context, long loadedAt) {
    }

    private final JdbcTemplate jdbc;
    private final TransactionTemplate tx;
    private final ObjectMapper json;
    private final StringRedisTemplate redis;
    private final long maxAgeNanos;
    private volatile Cached cached;

    public BrandContextService(JdbcTemplate jdbc, TransactionTemplate tx, ObjectMapper json, StringRedisTemplate redis,
            @Value("${hub.brand.cache-max-age}") Duration maxAge) {
        this.jdbc = jdbc;
        this.tx = tx;
        this.json = json;
        this.redis = redis;
        this.maxAgeNanos = maxAge.toNanos();
    }

    /** The current brand context (cached), as the {@code direct:brand-context} building block returns it. */
    public Map<String, Object> current() {
        Cached c = cached;
        if (c != null && System.nanoTime() - c.loadedAt() < maxAgeNanos) {
            return c.context();
        }
        long started = System.nanoTime();
        Map<String, Object> loaded = load(null);
        cached = new Cached(loaded, started);
        return loaded;
    }

    /** Drops the cached brand context (called when any instance publishes a change). */
    public void invalidate() {
        cached = null;
    }

    public Map<String, Object> version(int version) {
        return load(version);
    }

    public List<Map<String, Object>> versions(int limit, int offset) {
        return jdbc.query("SELECT version, change_kind, created_by, created_at, comment FROM brand_context_version "
                + "ORDER BY version DESC LIMIT ? OFFSET ?", (rs, i) -> {
                    Map<String, Object> row = new LinkedHashMap<>();
                    row.put("version", rs.getInt("version"));
                    row.put("change", rs.getString("change_kind"));
                    row.put("created_by", rs.getString("created_by"));
                    row.put("created_at", rs.getObject("created_at", OffsetDateTime.class).toString());
                    if (rs.getString("comment") != null) {
                        row.put("comment", rs.getString("comment"));
                    }
                    return row;
                }, limit, offset);
    }

    public int count() {
        Integer n = jdbc.queryForObject("SELECT count(*) FROM brand_context_version", Integer.class);
        return n == null ? 0 : n;
    }

    /** Stores a whole new brand context as the next version. */
    public Map<String, Object> replace(JsonNode document, String who, String comment) {
        ObjectNode doc = withoutMetadata(document);
        validate(doc);
        return write(current -> doc, "replace", who, comment);
    }

    /** Applies an RFC 7386 JSON Merge Patch to the latest version and stores the result as the next version. */
    public Map<String, Object> patch(JsonNode mergePatch, String who, String comment) {
        if (!mergePatch.isObject()) {
            throw ProblemException.badRequest("body", "a merge patch must be a JSON object");
        }
        ObjectNode patch = withoutMetadata(mergePatch);
        return write(current -> {
            JsonNode merged = mergePatch(current, patch);
            ObjectNode doc = withoutMetadata(merged);
            validate(doc);
            return doc;
        }, "patch", who, comment);
    }

    private interface Change {
        ObjectNode apply(ObjectNode current);
    }

    private Map<String, Object> write(Change change, String kind, String who, String comment) {
        Integer version = tx.execute(status -> {
            jdbc.queryForObject("SELECT pg_advisory_xact_lock(?)", Object.class, LOCK_KEY);
            Map<String, Object> latest = jdbc.queryForMap(
                    "SELECT version, document::text AS document FROM brand_context_version ORDER BY version DESC LIMIT 1");
            ObjectNode current;
            try {
                current = (ObjectNode) json.readTree((String) latest.get("document"));
            } catch (Exception e) {
                throw new IllegalStateException("stored brand context is not JSON", e);
            }
            ObjectNode next = change.apply(current);
            int nextVersion = ((Number) latest.get("version")).intValue() + 1;
            try {
                jdbc.update("INSERT INTO brand_context_version (version, document, change_kind, created_by, comment) "
                        + "VALUES (?, ?::jsonb, ?, ?, ?)", nextVersion, json.writeValueAsString(next), kind, who,
                        comment);
            } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
                throw new IllegalStateException(e);
            }
            return nextVersion;
        });
        invalidate();
        LOG.info("brand context version {} stored by {} ({})", version, who, kind);
        try {
            redis.convertAndSend(CHANNEL, String.valueOf(version));
        } catch (RuntimeException e) {
            LOG.warn("could not announce brand context version {} on Redis (other instances refresh within their "
                    + "cache max age): {}", version, e.toString());
        }
        return load(version);
    }

    private Map<String, Object> load(Integer version) {
        List<Map<String, Object>> rows = jdbc.query(
                "SELECT version, document::text AS document, created_by, created_at FROM brand_context_version "
                        + (version == null ? "ORDER BY version DESC LIMIT 1" : "WHERE version = ?"),
                (ResultSet rs, int i) -> toContext(rs), version == null ? new Object[0] : new Object[] {version});
        if (rows.isEmpty()) {
            throw ProblemException.notFound(version == null ? "No brand context is stored."
                    : "Brand context version " + version + " does not exist.");
        }
        return rows.get(0);
    }

    private Map<String, Object> toContext(ResultSet rs) throws SQLException {
        Map<String, Object> context = new LinkedHashMap<>();
        context.put("version", rs.getInt("version"));
        try {
            context.putAll(json.readValue(rs.getString("document"), MAP));
        } catch (Exception e) {
            throw new IllegalStateException("stored brand context is not JSON", e);
        }
        context.put("updated_by", rs.getString("created_by"));
        context.put("updated_at", rs.getObject("created_at", OffsetDateTime.class).toString());
        @SuppressWarnings("unchecked")
        Map<String, Object> frozen = (Map<String, Object>) freeze(context);
        return frozen;
    }

    /** Deeply read-only, so no caller can change the cached context for the others. */
    private static Object freeze(Object value) {
        if (value instanceof Map<?, ?> map) {
            Map<Object, Object> copy = new LinkedHashMap<>();
            map.forEach((k, v) -> copy.put(k, freeze(v)));
            return java.util.Collections.unmodifiableMap(copy);
        }
        if (value instanceof List<?> list) {
            List<Object> copy = new ArrayList<>(list.size());
            list.forEach(v -> copy.add(freeze(v)));
            return java.util.Collections.unmodifiableList(copy);
        }
        return value;
    }

    private ObjectNode withoutMetadata(JsonNode node) {
        if (!node.isObject()) {
            throw ProblemException.badRequest("body", "the brand context must be a JSON object");
        }
        ObjectNode copy = ((ObjectNode) node).deepCopy();
        copy.remove(List.of("version", "updated_by", "updated_at"));
        return copy;
    }

    static JsonNode mergePatch(JsonNode target, JsonNode patch) {
        if (!patch.isObject()) {
            return patch.deepCopy();
        }
        ObjectNode result = target != null && target.isObject() ? ((ObjectNode) target).deepCopy()
                : new ObjectMapper().createObjectNode();
        Iterator<Map.Entry<String, JsonNode>> fields = patch.fields();
        while (fields.hasNext()) {
            Map.Entry<String, JsonNode> f = fields.next();
            if (f.getValue().isNull()) {
                result.remove(f.getKey());
            } else {
                result.set(f.getKey(), mergePatch(result.get(f.getKey()), f.getValue()));
            }
        }
        return result;
    }

    /** The rules a stored brand context obeys (the same as the contract's BrandContext schema). */
    static void validate(JsonNode doc) {
        List<Problem.FieldError> errors = new ArrayList<>();
        for (String field : List.of("name", "tagline", "philosophy", "location", "audience")) {
            text(doc, "/" + field, doc.get(field), errors);
        }
        JsonNode tone = doc.get("tone");
        if (tone == null || !tone.isObject()) {
            errors.add(new Problem.FieldError("/tone", "must be an object with primary, descriptors and avoid"));
        } else {
            text(tone, "/tone/primary", tone.get("primary"), errors);
            strings("/tone/descriptors", tone.get("descriptors"), 1, errors);
            strings("/tone/avoid", tone.get("avoid"), 0, errors);
        }
        JsonNode colors = doc.get("colors");
        if (colors == null || !colors.isArray() || colors.isEmpty()) {
            errors.add(new Problem.FieldError("/colors", "must be a non-empty array of {name, hex}"));
        } else {
            for (int i = 0; i < colors.size(); i++) {
                JsonNode c = colors.get(i);
                text(c, "/colors/" + i + "/name", c.get("name"), errors);
                JsonNode hex = c.get("hex");
                if (hex == null || !hex.isTextual() || !HEX.matcher(hex.asText()).matches()) {
                    errors.add(new Problem.FieldError("/colors/" + i + "/hex", "must be a colour like #B76E79"));
                }
            }
        }
        JsonNode typography = doc.get("typography");
        if (typography == null || !(typography.isObject() && !typography.isEmpty()
                || typography.isTextual() && !typography.asText().isBlank())) {
            errors.add(new Problem.FieldError("/typography", "must be a non-empty object (e.g. headings, body)"));
        }
        strings("/product_types", doc.get("product_types"), 1, errors);
        JsonNode collections = doc.get("collections");
        if (collections == null || !collections.isArray()) {
            errors.add(new Problem.FieldError("/collections", "must be an array"));
        } else {
            for (int i = 0; i < collections.size(); i++) {
                JsonNode c = collections.get(i);
                for (String f : List.of("name", "tagline", "mood", "description")) {
                    text(c, "/collections/" + i + "/" + f, c.get(f), errors);
                }
                strings("/collections/" + i + "/colors", c.get("colors"), 1, errors);
            }
        }
        JsonNode policies = doc.get("policies");
        if (policies == null || !policies.isObject()) {
            errors.add(new Problem.FieldError("/policies", "must be an object with returns and shipping"));
        } else {
            text(policies, "/policies/returns", policies.get("returns"), errors);
            text(policies, "/policies/shipping", policies.get("shipping"), errors);
        }
        if (!errors.isEmpty()) {
            throw new ProblemException(Problem.of(ProblemType.VALIDATION_FAILED, 400,
                    "The brand context is not valid: " + errors.stream().map(e -> e.field() + " " + e.message())
                            .reduce((a, b) -> a + "; " + b).orElse("")).withErrors(errors));
        }
    }

    private static void text(JsonNode parent, String field, JsonNode value, List<Problem.FieldError> errors) {
        if (value == null || !value.isTextual() || value.asText().isBlank()) {
            errors.add(new Problem.FieldError(field, "is required (non-empty text)"));
        }
    }

    private static void strings(String field, JsonNode value, int min, List<Problem.FieldError> errors) {
        if (value == null || !value.isArray() || value.size() < min) {
            errors.add(new Problem.FieldError(field, "must be an array of at least " + min + " text item(s)"));
            return;
        }
        for (int i = 0; i < value.size(); i++) {
            if (!value.get(i).isTextual() || value.get(i).asText().isBlank()) {
                errors.add(new Problem.FieldError(field + "/" + i, "must be non-empty text"));
            }
        }
    }
}
