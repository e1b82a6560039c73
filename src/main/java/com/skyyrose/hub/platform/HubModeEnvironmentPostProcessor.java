package com.skyyrose.hub.platform;

import java.util.Map;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.env.EnvironmentPostProcessor;
import org.springframework.core.Ordered;
import org.springframework.core.env.ConfigurableEnvironment;
import org.springframework.core.env.MapPropertySource;

/**
 * Decides, before any bean exists, whether the hub runs on embedded servers (no {@code DATABASE_URL} and no
 * {@code REDIS_URL}) and publishes that as {@code hub.embedded}. Route reload defaults to on in the embedded
 * (developer) mode and off against real servers, unless {@code HUB_ROUTES_RELOAD} says otherwise.
 */
public class HubModeEnvironmentPostProcessor implements EnvironmentPostProcessor, Ordered {

    static final String SOURCE_NAME = "hubMode";

    @Override
    public void postProcessEnvironment(ConfigurableEnvironment env, SpringApplication application) {
        boolean embeddedDatabase = isBlank(env.getProperty("DATABASE_URL"));
        boolean embeddedRedis = isBlank(env.getProperty("REDIS_URL"));
        boolean embedded = embeddedDatabase && embeddedRedis;
        env.getPropertySources().addLast(new MapPropertySource(SOURCE_NAME, Map.of(
                "hub.embedded", Boolean.toString(embedded),
                "hub.database.embedded", Boolean.toString(embeddedDatabase),
                "hub.redis.embedded", Boolean.toString(embeddedRedis))));
    }

    private static boolean isBlank(String s) {
        return s == null || s.isBlank();
    }

    @Override
    public int getOrder() {
        return Ordered.LOWEST_PRECEDENCE;
    }
}
