package com.skyyrose.hub.platform;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisURI;
import io.lettuce.core.SocketOptions;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.data.redis.connection.RedisPassword;
import org.springframework.data.redis.connection.RedisStandaloneConfiguration;
import org.springframework.data.redis.connection.lettuce.LettuceClientConfiguration;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;

/**
 * The hub's PostgreSQL pool and Redis client. Both come from {@code DATABASE_URL} / {@code REDIS_URL} when set
 * (as Render sets them), otherwise from embedded servers; nothing after this class knows the difference.
 */
@Configuration(proxyBeanMethods = false)
public class DataConfiguration {

    private static final Logger LOG = LoggerFactory.getLogger(DataConfiguration.class);

    @Bean(destroyMethod = "close")
    @ConditionalOnProperty(name = "hub.database.embedded", havingValue = "true")
    EmbeddedPostgresServer embeddedPostgres(@Value("${hub.data-dir}") Path dataDir) throws IOException {
        return EmbeddedPostgresServer.start(dataDir.resolve("postgres"));
    }

    @Bean(destroyMethod = "close")
    @ConditionalOnProperty(name = "hub.redis.embedded", havingValue = "true")
    EmbeddedRedisServer embeddedRedis(@Value("${hub.data-dir}") Path dataDir) throws IOException {
        return EmbeddedRedisServer.start(dataDir.resolve("redis"));
    }

    @Bean
    DatabaseUrl databaseUrl(@Value("${hub.database.url:}") String url,
            ObjectProvider<EmbeddedPostgresServer> embedded) {
        EmbeddedPostgresServer server = embedded.getIfAvailable();
        DatabaseUrl resolved = server != null ? server.databaseUrl() : DatabaseUrl.parse(url);
        LOG.info("PostgreSQL mode: {} ({})", server != null ? "embedded" : "external", resolved.safeDescription());
        return resolved;
    }

    @Bean(destroyMethod = "close")
    HikariDataSource dataSource(DatabaseUrl db,
            @Value("${hub.database.pool.max-size}") int maxSize,
            @Value("${hub.database.pool.min-idle}") int minIdle,
            @Value("${hub.database.pool.connection-timeout}") Duration connectionTimeout) {
        HikariConfig config = new HikariConfig();
        config.setPoolName("hub-db");
        config.setJdbcUrl(db.jdbcUrl());
        if (db.username() != null) {
            config.setUsername(db.username());
        }
        if (db.password() != null) {
            config.setPassword(db.password());
        }
        config.setMaximumPoolSize(maxSize);
        config.setMinimumIdle(Math.min(minIdle, maxSize));
        config.setConnectionTimeout(connectionTimeout.toMillis());
        // start even when the database is briefly away; readiness reports it
        config.setInitializationFailTimeout(-1);
        return new HikariDataSource(config);
    }

    @Bean
    RedisURI redisUri(@Value("${hub.redis.url:}") String url, ObjectProvider<EmbeddedRedisServer> embedded) {
        EmbeddedRedisServer server = embedded.getIfAvailable();
        String effective = server != null ? server.url() : url;
        if (effective == null || effective.isBlank()) {
            throw new IllegalStateException("REDIS_URL is not set and embedded Redis is off");
        }
        RedisURI uri = RedisURI.create(effective.trim());
        LOG.info("Redis mode: {} ({}://{}:{}/{})", server != null ? "embedded" : "external",
                uri.isSsl() ? "rediss" : "redis", uri.getHost(), uri.getPort(), uri.getDatabase());
        return uri;
    }

    @Bean
    LettuceConnectionFactory redisConnectionFactory(RedisURI uri,
            @Value("${hub.redis.command-timeout}") Duration commandTimeout,
            @Value("${hub.redis.connect-timeout}") Duration connectTimeout,
            ObjectProvider<io.lettuce.core.resource.ClientResources> resources) {
        RedisStandaloneConfiguration standalone = new RedisStandaloneConfiguration(uri.getHost(), uri.getPort());
        standalone.setDatabase(uri.getDatabase());
        if (uri.getUsername() != null) {
            standalone.setUsername(uri.getUsername());
        }
        if (uri.getPassword() != null) {
            standalone.setPassword(RedisPassword.of(uri.getPassword()));
        }
        LettuceClientConfiguration.LettuceClientConfigurationBuilder client = LettuceClientConfiguration.builder()
                .commandTimeout(commandTimeout)
                .clientOptions(ClientOptions.builder()
                        // fail fast while disconnected instead of queueing commands until they time out
                        .disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS)
                        .socketOptions(SocketOptions.builder().connectTimeout(connectTimeout).build())
                        .build());
        if (uri.isSsl()) {
            client.useSsl();
        }
        // with tracing on, resources that make each command a span (observability/DataSpans)
        resources.ifAvailable(client::clientResources);
        return new LettuceConnectionFactory(standalone, client.build());
    }
}
