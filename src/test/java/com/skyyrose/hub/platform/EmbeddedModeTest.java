package com.skyyrose.hub.platform;

import static org.assertj.core.api.Assertions.assertThat;

import com.skyyrose.hub.support.RunningHub;
import com.skyyrose.hub.support.TestAuth;
import com.skyyrose.hub.support.TestHttp;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.jdbc.core.JdbcTemplate;

/** With no DATABASE_URL / REDIS_URL the hub runs on embedded PostgreSQL 16 and Redis, and keeps its data. */
class EmbeddedModeTest {

    @TempDir
    Path dataDir;

    @Test
    void startsOnEmbeddedServersAndKeepsDataAcrossRestarts() {
        String firstInstance;
        try (RunningHub hub = embeddedHub()) {
            hub.await("/health/ready", r -> r.status() == 200, Duration.ofSeconds(30));
            // the server version is a detail for an admin, not for anonymous probes
            TestHttp.Reply ready = hub.http().get("/health/ready", TestAuth.admin(hub.http()));
            assertThat(ready.json().at("/components/postgres/detail").asText()).startsWith("16.");
            JdbcTemplate jdbc = hub.context().getBean(JdbcTemplate.class);
            jdbc.execute("CREATE TABLE IF NOT EXISTS embedded_probe (note TEXT)");
            jdbc.update("INSERT INTO embedded_probe VALUES ('kept')");
            hub.context().getBean(org.springframework.data.redis.core.StringRedisTemplate.class)
                    .opsForValue().set("embedded:probe", "kept", Duration.ofMinutes(5));
            firstInstance = hub.context().getBean(InstanceRegistry.class).instanceId();
            assertThat(hub.context().getEnvironment().getProperty("hub.embedded")).isEqualTo("true");
        }
        assertThat(dataDir.resolve("postgres/PG_VERSION")).exists();
        assertThat(Files.exists(dataDir.resolve("redis"))).isTrue();

        try (RunningHub again = embeddedHub()) {
            again.await("/health/ready", r -> r.status() == 200, Duration.ofSeconds(30));
            JdbcTemplate jdbc = again.context().getBean(JdbcTemplate.class);
            assertThat(jdbc.queryForList("SELECT note FROM embedded_probe", String.class)).containsExactly("kept");
            assertThat(jdbc.queryForList("SELECT instance_id FROM hub_instance", String.class)).contains(firstInstance);
            assertThat(again.context().getBean(org.springframework.data.redis.core.StringRedisTemplate.class)
                    .opsForValue().get("embedded:probe")).isEqualTo("kept");
        }
    }

    private RunningHub embeddedHub() {
        // command-line settings outrank any DATABASE_URL / REDIS_URL in the environment
        return RunningHub.start("DATABASE_URL=", "REDIS_URL=", "HUB_DATA_DIR=" + dataDir,
                "HUB_ROUTES_RELOAD=false");
    }
}
