package com.skyyrose.hub.platform;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.skyyrose.hub.security.Principal;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import org.apache.camel.Exchange;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.support.DefaultExchange;
import org.junit.jupiter.api.Test;
import org.postgresql.ds.PGSimpleDataSource;
import org.slf4j.LoggerFactory;
import org.springframework.data.redis.connection.RedisStandaloneConfiguration;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;

/**
 * Why a dependency is down (an exception message naming hosts, ports and user names) is for the log and for a
 * caller with the ops permission, never for the anonymous callers of the public readiness probe. Both dependencies
 * here are really unreachable (closed ports on this machine).
 */
class ReadinessDetailsTest {

    @Test
    void anAnonymousCallerLearnsOnlyDownWhileTheLogAndAnOperatorLearnWhy() throws Exception {
        PGSimpleDataSource postgres = new PGSimpleDataSource();
        postgres.setURL("jdbc:postgresql://127.0.0.1:1/shop_secrets");
        postgres.setUser("hub_owner_account");
        postgres.setConnectTimeout(2);
        LettuceConnectionFactory redis = new LettuceConnectionFactory(new RedisStandaloneConfiguration("127.0.0.1", 1));
        redis.afterPropertiesSet();
        redis.start();
        Logger log = (Logger) LoggerFactory.getLogger(ReadinessProbe.class);
        ListAppender<ILoggingEvent> logged = new ListAppender<>();
        logged.start();
        log.addAppender(logged);
        ReadinessProbe probe = new ReadinessProbe(postgres, redis, Duration.ofSeconds(3), new ShutdownDrain(null, Duration.ZERO));
        try (DefaultCamelContext camel = new DefaultCamelContext()) {
            Exchange anonymous = new DefaultExchange(camel);
            String anonymousView = new ObjectMapper().writeValueAsString(probe.report(anonymous));
            assertThat(anonymousView).isEqualTo("{\"status\":\"DOWN\",\"components\":{\"postgres\":{\"status\":\"DOWN\"},"
                    + "\"redis\":{\"status\":\"DOWN\"}}}");

            Exchange viewer = new DefaultExchange(camel);
            viewer.setProperty(Principal.EXCHANGE_PROPERTY, new Principal("k1", Principal.Kind.API_KEY, "viewer key",
                    Set.of("partner"), Set.of("*:read")));
            assertThat(new ObjectMapper().writeValueAsString(probe.report(viewer))).isEqualTo(anonymousView);

            Exchange operator = new DefaultExchange(camel);
            operator.setProperty(Principal.EXCHANGE_PROPERTY, new Principal("u1", Principal.Kind.USER, "operator",
                    Set.of("operator"), Set.of(ReadinessProbe.DETAILS_PERMISSION)));
            Map<String, Object> full = probe.report(operator);
            assertThat(((Map<?, ?>) ((Map<?, ?>) full.get("components")).get("postgres")).get("error").toString())
                    .contains("Connection refused");
            assertThat(((Map<?, ?>) ((Map<?, ?>) full.get("components")).get("redis")).get("error")).isNotNull();
        } finally {
            log.detachAppender(logged);
            probe.destroy();
            redis.destroy();
        }
        // each component's fall is logged once, with its reason
        assertThat(logged.list).filteredOn(e -> e.getFormattedMessage().contains("postgres is DOWN")).hasSize(1)
                .allMatch(e -> e.getFormattedMessage().contains("Connection refused"));
        assertThat(logged.list).filteredOn(e -> e.getFormattedMessage().contains("redis is DOWN")).hasSize(1);
    }
}
