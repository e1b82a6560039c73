package com.skyyrose.hub.gdpr;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.skyyrose.hub.gdpr.PersonalDataInventory.Column;
import com.skyyrose.hub.gdpr.PersonalDataInventory.ColumnClass;
import com.skyyrose.hub.gdpr.PersonalDataInventory.Erasure;
import com.skyyrose.hub.gdpr.PersonalDataInventory.Table;
import com.skyyrose.hub.security.FieldCrypto;
import java.nio.charset.StandardCharsets;
import java.sql.Array;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.IntConsumer;
import org.postgresql.util.PGobject;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.core.namedparam.MapSqlParameterSource;
import org.springframework.jdbc.core.namedparam.NamedParameterJdbcTemplate;
import org.springframework.stereotype.Component;

/**
 * The person's rows in PostgreSQL, driven by {@link PersonalDataInventory}: for each table, the rows that belong to
 * them (the table's owner predicate) and the rows whose free-text columns mention their e-mail or name. Export
 * reads them (decrypting encrypted columns, leaving out secrets); erasure deletes or anonymises the owned rows and
 * redacts the mentions.
 */
@Component
public class PersonalRecords {

    public static final String REDACTED = "[erased]";
    private static final String OWNED = "gdpr_owned";

    private final JdbcTemplate jdbc;
    private final NamedParameterJdbcTemplate named;
    private final FieldCrypto crypto;
    private final ObjectMapper json;
    private final Map<String, String> columnTypes = new ConcurrentHashMap<>();

    public PersonalRecords(JdbcTemplate jdbc, FieldCrypto crypto, ObjectMapper json) {
        this.jdbc = jdbc;
        this.named = new NamedParameterJdbcTemplate(jdbc);
        this.crypto = crypto;
        this.json = json;
    }

    /** One exported row: its table, whether it belongs to the person or only mentions them, and its values. */
    public record Found(String table, String relation, Map<String, Object> record) {
    }

    /** Every row about the person, by category key; {@code progress} gets the percentage after each table. */
    public Map<PersonalDataInventory.Category, List<Found>> collect(DataSubject subject, IntConsumer progress) {
        Map<PersonalDataInventory.Category, List<Found>> out = new LinkedHashMap<>();
        List<Table> tables = PersonalDataInventory.personalTables();
        MapSqlParameterSource params = subject.parameters(null);
        for (int i = 0; i < tables.size(); i++) {
            Table table = tables.get(i);
            String where = matchAny(table, subject);
            if (where != null) {
                String owned = table.ownerSql() == null ? "FALSE" : "(" + table.ownerSql() + ")";
                List<Found> rows = named.query("SELECT *, " + owned + " AS " + OWNED + " FROM " + table.name()
                        + " WHERE " + where, params, (rs, n) -> new Found(table.name(),
                                rs.getBoolean(OWNED) ? "belongs to the person" : "mentions the person",
                                exportRow(table, rs)));
                if (!rows.isEmpty()) {
                    out.computeIfAbsent(table.category(), c -> new ArrayList<>()).addAll(rows);
                }
            }
            progress.accept((i + 1) * 100 / tables.size());
        }
        return out;
    }

    /** What erasure did to one table. */
    public record TableOutcome(String table, String category, String action, int rows, String reason) {
    }

    /** Deletes/anonymises the owned rows and redacts mentions, table by table (run it in one transaction). */
    public List<TableOutcome> erase(DataSubject subject, String pseudonym) {
        List<TableOutcome> out = new ArrayList<>();
        MapSqlParameterSource params = subject.parameters(pseudonym);
        for (Table table : PersonalDataInventory.personalTables()) {
            String category = table.category().key();
            if (table.ownerSql() != null) {
                if (table.erasure() == Erasure.DELETE) {
                    int n = named.update("DELETE FROM " + table.name() + " WHERE " + table.ownerSql(), params);
                    out.add(new TableOutcome(table.name(), category, "deleted", n, null));
                } else {
                    int n = named.update("UPDATE " + table.name() + " SET " + table.anonymiseSet() + " WHERE "
                            + table.ownerSql(), params);
                    out.add(new TableOutcome(table.name(), category,
                            table.erasure() == Erasure.ANONYMISE ? "anonymised" : "kept", n, table.keepReason()));
                }
            }
            for (Column column : table.of(ColumnClass.FREE_TEXT)) {
                String set = redaction(table, column);
                int n = named.update("UPDATE " + table.name() + " SET " + set + " WHERE " + mentions(table, column,
                        subject), params);
                if (n > 0) {
                    out.add(new TableOutcome(table.name() + "." + column.name(), category,
                            type(table, column).equals("bytea") ? "purged" : "redacted", n, null));
                }
            }
        }
        return out;
    }

    /** The predicate selecting a table's owned or mentioning rows; null when the table can hold neither. */
    String matchAny(Table table, DataSubject subject) {
        List<String> parts = new ArrayList<>();
        if (table.ownerSql() != null) {
            parts.add("(" + table.ownerSql() + ")");
        }
        for (Column column : table.of(ColumnClass.FREE_TEXT)) {
            parts.add(mentions(table, column, subject));
        }
        return parts.isEmpty() ? null : String.join(" OR ", parts);
    }

    private String mentions(Table table, Column column, DataSubject subject) {
        String text = textOf(table, column);
        List<String> any = new ArrayList<>();
        for (int i = 0; i < subject.identifiers().size(); i++) {
            any.add("strpos(lower(" + text + "), :ident" + i + ") > 0");
        }
        return "(" + String.join(" OR ", any) + ")";
    }

    /** The column as searchable text: raw bytes read as text, JSON as its text form. */
    private String textOf(Table table, Column column) {
        return switch (type(table, column)) {
            case "bytea" -> "encode(" + column.name() + ", 'escape')";
            case "text", "character varying" -> column.name();
            default -> column.name() + "::text";
        };
    }

    private String redaction(Table table, Column column) {
        String c = column.name();
        return switch (type(table, column)) {
            // a raw body cannot be edited without breaking its signature hash: it is dropped, as retention does
            case "bytea" -> table.retention() != null && table.retention().purgeSet() != null
                    && table.retention().purgeSet().startsWith(c + " = NULL") ? table.retention().purgeSet()
                    : c + " = NULL";
            case "jsonb" -> c + " = regexp_replace(" + c + "::text, :redact, '" + REDACTED + "', 'gi')::jsonb";
            case "json" -> c + " = regexp_replace(" + c + "::text, :redact, '" + REDACTED + "', 'gi')::json";
            default -> c + " = regexp_replace(" + c + ", :redact, '" + REDACTED + "', 'gi')";
        };
    }

    String type(Table table, Column column) {
        String key = table.name() + "." + column.name();
        String known = columnTypes.get(key);
        if (known == null) {
            List<String> found = jdbc.queryForList("SELECT data_type FROM information_schema.columns WHERE "
                    + "table_schema = current_schema() AND table_name = ? AND column_name = ?", String.class,
                    table.name(), column.name());
            known = found.isEmpty() ? "text" : found.get(0);
            columnTypes.put(key, known);
        }
        return known;
    }

    private Map<String, Object> exportRow(Table table, ResultSet rs) throws SQLException {
        Map<String, Object> row = new LinkedHashMap<>();
        ResultSetMetaData meta = rs.getMetaData();
        Object id = table.idColumn() == null ? null : rs.getObject(table.idColumn());
        for (int i = 1; i <= meta.getColumnCount(); i++) {
            String name = meta.getColumnName(i);
            Column column = table.column(name).orElse(null);
            if (column == null || column.cls() == ColumnClass.SECRET) {
                continue; // secrets never leave; an unclassified column cannot exist (PersonalDataInventoryTest)
            }
            Object value = rs.getObject(i);
            if (column.cls() == ColumnClass.NOT_PERSONAL && (value instanceof byte[]
                    || (value instanceof PGobject pg && "cube".equals(pg.getType())))) {
                continue; // embeddings: numbers about a document, not about the person
            }
            if (column.cls() == ColumnClass.ENCRYPTED && value != null) {
                value = decrypt(table, name, id, value.toString());
            }
            row.put(name, plain(value));
        }
        return row;
    }

    private Object decrypt(Table table, String column, Object id, String stored) {
        try {
            String clear = crypto.decrypt(stored, FieldCrypto.aad(table.name(), column, id));
            return column.equals("names_enc") ? json.readTree(clear) : clear;
        } catch (FieldCrypto.CryptoException | java.io.IOException e) {
            return "(cannot be decrypted: " + e.getMessage() + ")";
        }
    }

    private Object plain(Object value) throws SQLException {
        if (value == null) {
            return null;
        }
        if (value instanceof Timestamp t) {
            return t.toInstant().toString();
        }
        if (value instanceof PGobject pg) {
            if ("jsonb".equals(pg.getType()) || "json".equals(pg.getType())) {
                try {
                    return pg.getValue() == null ? null : json.readTree(pg.getValue());
                } catch (java.io.IOException e) {
                    return pg.getValue();
                }
            }
            return pg.getValue();
        }
        if (value instanceof byte[] bytes) {
            try {
                return json.readTree(bytes);
            } catch (java.io.IOException e) {
                return new String(bytes, StandardCharsets.UTF_8);
            }
        }
        if (value instanceof Array array) {
            return Arrays.asList((Object[]) array.getArray());
        }
        if (value instanceof java.util.UUID || value instanceof java.math.BigDecimal) {
            return value.toString();
        }
        return value;
    }
}
