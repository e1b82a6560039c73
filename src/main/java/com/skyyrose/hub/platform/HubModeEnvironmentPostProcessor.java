package com.skyyrose.hub.platform;

import java.util.Locale;
import java.util.Map;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.env.EnvironmentPostProcessor;
import org.springframework.core.Ordered;
import org.springframework.core.env.ConfigurableEnvironment;
import org.springframework.core.env.MapPropertySource;
import org.springframework.util.ClassUtils;

/**
 * Decides, before any bean exists, whether the hub runs on embedded servers (no {@code DATABASE_URL} and no
 * {@code REDIS_URL}) and publishes that as {@code hub.embedded}. Route reload defaults to on in the embedded
 * (developer) mode and off against real servers, unless {@code HUB_ROUTES_RELOAD} says otherwise.
 *
 * <p>It also resolves the security mode once, as {@code hub.production}: production when {@code HUB_ENV=production}
 * or on Render ({@code RENDER} set), development only when {@code HUB_ENV} is {@code development} or unset (a plain
 * {@code java -jar}); any other value stops the start, so a typo never falls back to generated keys. The Docker image
 * sets {@code HUB_ENV=production}: a container is production unless told {@code HUB_ENV=development}.
 */
public class HubModeEnvironmentPostProcessor implements EnvironmentPostProcessor, Ordered {

    static final String SOURCE_NAME = "hubMode";

    @Override
    public void postProcessEnvironment(ConfigurableEnvironment env, SpringApplication application) {
        boolean embeddedDatabase = isBlank(env.getProperty("DATABASE_URL"));
        boolean embeddedRedis = isBlank(env.getProperty("REDIS_URL"));
        boolean embedded = embeddedDatabase && embeddedRedis;
        boolean production = production(env.getProperty("hub.security.env"), env.getProperty("hub.security.render"));
        requireEmbeddedServersInThisBuild(embeddedDatabase, "DATABASE_URL", "io.zonky.test.db.postgres.embedded.EmbeddedPostgres");
        requireEmbeddedServersInThisBuild(embeddedRedis, "REDIS_URL", "redis.embedded.RedisServer");
        env.getPropertySources().addLast(new MapPropertySource(SOURCE_NAME + "Observability",
                observability(env, production)));
        env.getPropertySources().addLast(new MapPropertySource(SOURCE_NAME, Map.of(
                "hub.production", Boolean.toString(production),
                "hub.embedded", Boolean.toString(embedded),
                "hub.database.embedded", Boolean.toString(embeddedDatabase),
                "hub.redis.embedded", Boolean.toString(embeddedRedis))));
    }

    /** The production build (-Pproduction) carries no embedded servers: say so instead of failing obscurely. */
    static void requireEmbeddedServersInThisBuild(boolean wanted, String variable, String serverClass) {
        if (wanted && !ClassUtils.isPresent(serverClass, HubModeEnvironmentPostProcessor.class.getClassLoader())) {
            throw new IllegalStateException(variable + " is not set, and this build (the production jar) has no "
                    + "embedded server to fall back to: set " + variable + ", or run the development build");
        }
    }

    /**
     * Tracing is off unless {@code OTEL_EXPORTER_OTLP_ENDPOINT} is set (then Micrometer tracing over OpenTelemetry
     * exports OTLP/HTTP to {@code <endpoint>/v1/traces}, or {@code OTEL_EXPORTER_OTLP_TRACES_ENDPOINT}). Logs are one JSON object per line (Elastic Common Schema, with
     * trace_id, span_id, request_id and principal_id) when {@code HUB_LOG_FORMAT=json}, the default in production;
     * plain text otherwise. With tracing on, Camel's routes and steps are spans too ({@code observability/CamelTracing}).
     */
    static Map<String, Object> observability(ConfigurableEnvironment env, boolean production) {
        Map<String, Object> settings = new java.util.HashMap<>();
        String otlp = env.getProperty("OTEL_EXPORTER_OTLP_ENDPOINT");
        boolean tracing = !isBlank(otlp);
        settings.put("management.tracing.enabled", Boolean.toString(tracing));
        if (tracing) {
            String traces = env.getProperty("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT");
            settings.put("management.otlp.tracing.endpoint", !isBlank(traces) ? traces.trim()
                    : otlp.trim().replaceAll("/+$", "") + "/v1/traces");
        }
        String format = env.getProperty("HUB_LOG_FORMAT");
        boolean json = isBlank(format) ? production : format.trim().equalsIgnoreCase("json");
        if (json) {
            settings.put("logging.structured.format.console", "ecs");
            // the MDC under the names log pipelines expect (Datadog, Loki, the OpenTelemetry log data model)
            settings.put("logging.structured.json.rename.traceId", "trace_id");
            settings.put("logging.structured.json.rename.spanId", "span_id");
            settings.put("logging.structured.json.rename.requestId", "request_id");
            settings.put("logging.structured.json.rename.principalId", "principal_id");
        }
        return settings;
    }

    /** Production unless HUB_ENV says development (or is unset) and RENDER is not set; unknown values refuse. */
    static boolean production(String hubEnv, String render) {
        String mode = isBlank(hubEnv) ? "development" : hubEnv.trim().toLowerCase(Locale.ROOT);
        if (!mode.equals("development") && !mode.equals("production")) {
            throw new IllegalStateException("HUB_ENV is '" + hubEnv + "': it must be production or development");
        }
        return mode.equals("production") || !isBlank(render);
    }

    private static boolean isBlank(String s) {
        return s == null || s.isBlank();
    }

    @Override
    public int getOrder() {
        return Ordered.LOWEST_PRECEDENCE;
    }
}
