package com.skyyrose.hub.gdpr;

import static org.assertj.core.api.Assertions.assertThat;

import com.skyyrose.hub.support.HubIntegrationTest;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * The inventory covers the migrated schema exactly: a migration that adds a table or column fails this test until
 * the column is classified in {@link PersonalDataInventory} (personal, encrypted, free text, secret or not personal),
 * and an entry for a column that no longer exists fails it too.
 */
class PersonalDataInventoryTest extends HubIntegrationTest {

    @Autowired
    JdbcTemplate jdbc;

    @Test
    void everyColumnOfEveryTableIsClassified() {
        List<Map<String, Object>> columns = jdbc.queryForList("SELECT c.table_name, c.column_name FROM "
                + "information_schema.columns c JOIN information_schema.tables t ON t.table_schema = c.table_schema "
                + "AND t.table_name = c.table_name WHERE c.table_schema = current_schema() "
                + "AND t.table_type = 'BASE TABLE' ORDER BY 1, 2");
        assertThat(columns).hasSizeGreaterThan(100);
        Set<String> inSchema = new LinkedHashSet<>();
        List<String> unclassified = new ArrayList<>();
        for (Map<String, Object> c : columns) {
            String table = (String) c.get("table_name");
            String column = (String) c.get("column_name");
            inSchema.add(table + "." + column);
            PersonalDataInventory.Table declared = PersonalDataInventory.table(table);
            if (declared == null || declared.column(column).isEmpty()) {
                unclassified.add(table + "." + column);
            }
        }
        assertThat(unclassified).as("columns PersonalDataInventory does not classify").isEmpty();
        List<String> stale = new ArrayList<>();
        PersonalDataInventory.tables().values().forEach(t -> t.columns().forEach(c -> {
            if (!inSchema.contains(t.name() + "." + c.name())) {
                stale.add(t.name() + "." + c.name());
            }
        }));
        assertThat(stale).as("inventory entries for columns that do not exist").isEmpty();
    }

    @Test
    void everyPersonalTableSaysHowToFindAndEraseItsRowsAndItsCategory() {
        for (PersonalDataInventory.Table t : PersonalDataInventory.personalTables()) {
            assertThat(t.category()).as(t.name() + " category").isNotNull();
            if (t.ownerSql() != null) {
                assertThat(t.erasure()).as(t.name() + " erasure").isNotNull();
                if (t.erasure() != PersonalDataInventory.Erasure.DELETE) {
                    assertThat(t.anonymiseSet()).as(t.name() + " anonymisation").isNotBlank();
                }
                if (t.erasure() == PersonalDataInventory.Erasure.KEEP_ANONYMISED) {
                    assertThat(t.keepReason()).as(t.name() + " reason to keep").isNotBlank();
                }
            }
            // the owner predicate and free-text search are valid SQL against the real schema
            jdbc.queryForList("EXPLAIN SELECT 1 FROM " + t.name() + " WHERE " + (t.ownerSql() == null ? "TRUE"
                    : t.ownerSql().replace(":uid", "'u'").replace(":emails", "'e'").replace(":customers", "'c'")
                            .replace(":orders", "'o'").replace(":subject_hash", "'h'")));
        }
        assertThat(PersonalDataInventory.notPersonalColumns()).contains("hub_user.role", "wc_product.name");
    }
}
