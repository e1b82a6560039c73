package com.skyyrose.hub.observability;

import com.zaxxer.hikari.HikariDataSource;
import io.lettuce.core.resource.ClientResources;
import io.lettuce.core.tracing.MicrometerTracing;
import io.micrometer.observation.ObservationRegistry;
import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.instrumentation.jdbc.datasource.JdbcTelemetry;
import java.sql.Connection;
import java.sql.SQLException;
import javax.sql.DataSource;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.config.BeanPostProcessor;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.jdbc.datasource.DelegatingDataSource;

/**
 * With tracing on, the hub's calls to PostgreSQL and Redis are client spans of the work that made them: each
 * statement (OpenTelemetry's JDBC library instrumentation: {@code db.system}, {@code db.operation}, the statement
 * with its values replaced by {@code ?}) and each Redis command (Lettuce's own Micrometer tracing, without command
 * arguments: keys and values may hold personal data). Borrowing a pooled connection is not a span (it takes
 * microseconds). A call made outside traced work — a poller's query, Flyway at start-up — starts no trace, as the
 * Camel spans leave pollers out: a connection borrowed there is not instrumented at all, and the sampler drops client
 * spans that have no parent (a Redis command of a poller; {@link TracingSwitch}).
 */
@Configuration(proxyBeanMethods = false)
@ConditionalOnProperty(name = "management.tracing.enabled", havingValue = "true")
public class DataSpans {

    /** The pool, wrapped so the statements of traced work are spans. */
    @Bean
    static BeanPostProcessor tracedStatements(ObjectProvider<OpenTelemetry> openTelemetry) {
        return new BeanPostProcessor() {
            @Override
            public Object postProcessAfterInitialization(Object bean, String beanName) {
                return bean instanceof HikariDataSource pool ? new TracedDataSource(pool, JdbcTelemetry
                        .builder(openTelemetry.getObject()).setDataSourceInstrumenterEnabled(false).build()
                        .wrap(pool)) : bean;
            }
        };
    }

    /**
     * Hands out the instrumented connection only to traced work (a recording span is current when it is borrowed);
     * a poller, the webhook store's batch writer or start-up gets the pool's own and pays nothing for tracing. A
     * transaction borrows its connection when it begins, inside the step that opened it. Closing it closes the pool.
     */
    static final class TracedDataSource extends DelegatingDataSource implements AutoCloseable {
        private final HikariDataSource pool;
        private final DataSource traced;

        TracedDataSource(HikariDataSource pool, DataSource traced) {
            super(pool);
            this.pool = pool;
            this.traced = traced;
        }

        @Override
        public Connection getConnection() throws SQLException {
            return Span.current().isRecording() ? traced.getConnection() : pool.getConnection();
        }

        @Override
        public Connection getConnection(String username, String password) throws SQLException {
            return Span.current().isRecording() ? traced.getConnection(username, password)
                    : pool.getConnection(username, password);
        }

        @Override
        public void close() {
            pool.close();
        }
    }

    /** Lettuce's resources with command tracing (platform/DataConfiguration hands them to the Redis client). */
    @Bean(destroyMethod = "shutdown")
    ClientResources redisClientResources(ObservationRegistry observations, SpanRecording recording) {
        return ClientResources.builder()
                .tracing(recording.redisTracing(new MicrometerTracing(observations, "redis", false))).build();
    }
}
