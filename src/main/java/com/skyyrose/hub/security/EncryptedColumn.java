package com.skyyrose.hub.security;

/**
 * A column holding {@link FieldCrypto} ciphertexts, declared as a bean by the capability that owns it so that
 * {@link ReEncryptor} moves it to the primary key after a rotation. The AAD of each cell is
 * {@code FieldCrypto.aad(table, column, <idColumn value as text>)}.
 */
public record EncryptedColumn(String table, String idColumn, String column) {

    public EncryptedColumn {
        for (String name : new String[] {table, idColumn, column}) {
            if (!name.matches("[a-z_][a-z0-9_]*")) {
                throw new IllegalArgumentException("not a plain SQL identifier: " + name);
            }
        }
    }
}
