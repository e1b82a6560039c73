package com.skyyrose.hub.platform;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class DatabaseUrlTest {

    @Test
    void renderFormBecomesJdbc() {
        DatabaseUrl url = DatabaseUrl.parse("postgres://hub_user:s3cret@dpg-abc123-a.oregon-postgres.render.com:5432/hub_db");
        assertThat(url.jdbcUrl()).isEqualTo("jdbc:postgresql://dpg-abc123-a.oregon-postgres.render.com:5432/hub_db");
        assertThat(url.username()).isEqualTo("hub_user");
        assertThat(url.password()).isEqualTo("s3cret");
    }

    @Test
    void percentEncodedPasswordWithAtColonAndPercentIsDecoded() {
        DatabaseUrl url = DatabaseUrl.parse("postgresql://user:p%40ss%3Aw%25rd@db.internal:6543/app?sslmode=require");
        assertThat(url.password()).isEqualTo("p@ss:w%rd");
        assertThat(url.jdbcUrl()).isEqualTo("jdbc:postgresql://db.internal:6543/app?sslmode=require");
    }

    @Test
    void rawAtColonAndPercentInPasswordAreTolerated() {
        DatabaseUrl url = DatabaseUrl.parse("postgres://user:p@ss:w%rd@db.internal/app");
        assertThat(url.username()).isEqualTo("user");
        assertThat(url.password()).isEqualTo("p@ss:w%rd");
        assertThat(url.jdbcUrl()).isEqualTo("jdbc:postgresql://db.internal:5432/app");
    }

    @Test
    void encodedUsernameAndUnicodePassword() {
        DatabaseUrl url = DatabaseUrl.parse("postgres://us%65r:%C3%A9t%C3%A9@h:1/d");
        assertThat(url.username()).isEqualTo("user");
        assertThat(url.password()).isEqualTo("été");
    }

    @Test
    void noCredentialsAndIpv6Host() {
        DatabaseUrl url = DatabaseUrl.parse("postgres://[::1]/test");
        assertThat(url.jdbcUrl()).isEqualTo("jdbc:postgresql://[::1]:5432/test");
        assertThat(url.username()).isNull();
        assertThat(url.password()).isNull();
    }

    @Test
    void jdbcFormIsKept() {
        DatabaseUrl url = DatabaseUrl.parse("jdbc:postgresql://127.0.0.1:5432/test?user=postgres");
        assertThat(url.jdbcUrl()).isEqualTo("jdbc:postgresql://127.0.0.1:5432/test?user=postgres");
    }

    @Test
    void safeDescriptionHidesThePassword() {
        DatabaseUrl url = DatabaseUrl.parse("jdbc:postgresql://h/d?user=u&password=topsecret");
        assertThat(url.safeDescription()).doesNotContain("topsecret");
        assertThat(DatabaseUrl.parse("postgres://u:topsecret@h/d").safeDescription()).doesNotContain("topsecret");
    }

    @Test
    void otherSchemesAreRejectedWithoutLeakingTheUrl() {
        assertThatThrownBy(() -> DatabaseUrl.parse("mysql://u:topsecret@h/d"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageNotContaining("topsecret");
        assertThatThrownBy(() -> DatabaseUrl.parse(" ")).isInstanceOf(IllegalArgumentException.class);
    }
}
