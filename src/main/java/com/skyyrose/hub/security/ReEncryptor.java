package com.skyyrose.hub.security;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Moves every encrypted cell not under the primary key to it, in small batches without downtime: rows are claimed
 * with {@code FOR UPDATE SKIP LOCKED}, so several instances (or a running request) never block each other, and
 * each cell is rewritten only if it still holds the value that was read.
 */
@Component
public class ReEncryptor {

    private static final Logger LOG = LoggerFactory.getLogger(ReEncryptor.class);
    private static final int BATCH = 200;

    private final JdbcTemplate jdbc;
    private final TransactionTemplate tx;
    private final FieldCrypto crypto;
    private final List<EncryptedColumn> columns;

    public ReEncryptor(JdbcTemplate jdbc, TransactionTemplate tx, FieldCrypto crypto, List<EncryptedColumn> columns) {
        this.jdbc = jdbc;
        this.tx = tx;
        this.crypto = crypto;
        this.columns = List.copyOf(columns);
    }

    /** Re-encrypts all declared columns; returns rows moved per table.column. */
    public Map<String, Integer> reEncryptAll() {
        Map<String, Integer> moved = new LinkedHashMap<>();
        for (EncryptedColumn column : columns) {
            moved.put(column.table() + "." + column.column(), reEncrypt(column));
        }
        LOG.info("Re-encryption to key {} done: {}", crypto.primaryKeyId(), moved);
        return moved;
    }

    private int reEncrypt(EncryptedColumn c) {
        String prefix = "v1:" + crypto.primaryKeyId() + ":";
        String select = "SELECT " + c.idColumn() + "::text AS id, " + c.column() + " AS value FROM " + c.table()
                + " WHERE " + c.column() + " IS NOT NULL AND " + c.column() + " NOT LIKE ? LIMIT " + BATCH
                + " FOR UPDATE SKIP LOCKED";
        String update = "UPDATE " + c.table() + " SET " + c.column() + " = ? WHERE " + c.idColumn() + "::text = ? AND "
                + c.column() + " = ?";
        int total = 0;
        while (true) {
            Integer done = tx.execute(status -> {
                List<Map<String, Object>> rows = jdbc.queryForList(select, prefix.replace("_", "\\_") + "%");
                int n = 0;
                for (Map<String, Object> row : rows) {
                    String id = (String) row.get("id");
                    String old = (String) row.get("value");
                    byte[] aad = FieldCrypto.aad(c.table(), c.column(), id);
                    String fresh = crypto.encrypt(crypto.decrypt(old, aad), aad);
                    n += jdbc.update(update, fresh, id, old);
                }
                return rows.isEmpty() ? -1 : n;
            });
            if (done == null || done < 0) {
                return total;
            }
            total += done;
        }
    }
}
