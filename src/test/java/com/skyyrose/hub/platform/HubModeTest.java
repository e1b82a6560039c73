package com.skyyrose.hub.platform;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.skyyrose.hub.security.HubSecrets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.env.YamlPropertySourceLoader;
import org.springframework.core.env.MapPropertySource;
import org.springframework.core.env.PropertySource;
import org.springframework.core.env.StandardEnvironment;
import org.springframework.core.io.ClassPathResource;

/**
 * Which security mode a hub starts in, resolved the way a start does it (application.yaml, then the mode post
 * processor) from the environment the Docker image really sets: a container is production, and so refuses to start
 * without real secrets, unless it is told {@code HUB_ENV=development}.
 */
class HubModeTest {

    private static final Pattern ENV_PAIR = Pattern.compile("([A-Za-z_][A-Za-z0-9_]*)=(\"[^\"]*\"|\\S+)");

    @TempDir
    Path dataDir;

    /** The ENV variables of the Dockerfile's final stage (what the running image has). */
    static Map<String, Object> imageEnvironment() throws Exception {
        List<String> lines = Files.readAllLines(Path.of("Dockerfile"));
        int lastFrom = 0;
        for (int i = 0; i < lines.size(); i++) {
            if (lines.get(i).trim().toUpperCase().startsWith("FROM ")) {
                lastFrom = i;
            }
        }
        StringBuilder joined = new StringBuilder();
        for (String line : lines.subList(lastFrom, lines.size())) {
            String t = line.trim();
            if (t.startsWith("#")) {
                continue;
            }
            joined.append(t.endsWith("\\") ? t.substring(0, t.length() - 1) + " " : t + "\n");
        }
        Map<String, Object> env = new LinkedHashMap<>();
        for (String instruction : joined.toString().split("\n")) {
            if (instruction.toUpperCase().startsWith("ENV ")) {
                Matcher m = ENV_PAIR.matcher(instruction.substring(4));
                while (m.find()) {
                    env.put(m.group(1), m.group(2).replaceAll("^\"|\"$", ""));
                }
            }
        }
        return env;
    }

    /** hub.production as a start with these environment variables resolves it. */
    static boolean production(Map<String, Object> variables) throws Exception {
        StandardEnvironment env = new StandardEnvironment();
        env.getPropertySources().remove(StandardEnvironment.SYSTEM_ENVIRONMENT_PROPERTY_SOURCE_NAME);
        env.getPropertySources().remove(StandardEnvironment.SYSTEM_PROPERTIES_PROPERTY_SOURCE_NAME);
        env.getPropertySources().addFirst(new MapPropertySource("container", variables));
        for (PropertySource<?> source : new YamlPropertySourceLoader().load("application.yaml",
                new ClassPathResource("application.yaml"))) {
            env.getPropertySources().addLast(source);
        }
        new HubModeEnvironmentPostProcessor().postProcessEnvironment(env, new SpringApplication());
        return Boolean.parseBoolean(env.getProperty("hub.production"));
    }

    @Test
    void theImageStartsInProductionAndRefusesToRunWithoutRealSecrets() throws Exception {
        Map<String, Object> image = imageEnvironment();
        assertThat(image).containsKey("HUB_ROUTES_DIR");
        boolean production = production(image);
        assertThat(production).as("mode of the Docker image, ENV " + image).isTrue();
        assertThatThrownBy(() -> HubSecrets.load(production, dataDir, HubSecrets.Settings.explicit("", "", "", "", ""), null))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("Refusing to start in production");
        assertThat(dataDir.resolve("secrets")).doesNotExist();
    }

    @Test
    void developmentModeOnlyWhenAskedFor() throws Exception {
        Map<String, Object> asked = new LinkedHashMap<>(imageEnvironment());
        asked.put("HUB_ENV", "development");
        assertThat(production(asked)).isFalse();
        // a plain java -jar without HUB_ENV is a developer's machine
        assertThat(production(Map.of())).isFalse();
        // Render is production whatever HUB_ENV says
        assertThat(production(Map.of("HUB_ENV", "development", "RENDER", "true"))).isTrue();
        assertThat(production(Map.of("HUB_ENV", "Production"))).isTrue();
    }

    @Test
    void anUnknownModeStopsTheStartInsteadOfFallingBackToDevelopment() {
        for (String typo : List.of("prod", "staging", "producton")) {
            assertThatThrownBy(() -> production(Map.of("HUB_ENV", typo))).as(typo)
                    .hasMessageContaining("HUB_ENV").hasMessageContaining("production or development");
        }
    }

    /** The settings a start with these variables resolves (application.yaml, then the mode post processor). */
    static StandardEnvironment resolved(Map<String, Object> variables) throws Exception {
        StandardEnvironment env = new StandardEnvironment();
        env.getPropertySources().remove(StandardEnvironment.SYSTEM_ENVIRONMENT_PROPERTY_SOURCE_NAME);
        env.getPropertySources().remove(StandardEnvironment.SYSTEM_PROPERTIES_PROPERTY_SOURCE_NAME);
        env.getPropertySources().addFirst(new MapPropertySource("container", variables));
        for (PropertySource<?> source : new YamlPropertySourceLoader().load("application.yaml",
                new ClassPathResource("application.yaml"))) {
            env.getPropertySources().addLast(source);
        }
        new HubModeEnvironmentPostProcessor().postProcessEnvironment(env, new SpringApplication());
        return env;
    }

    @Test
    void tracingIsOffUntilAnOtlpEndpointIsGivenAndLogsAreJsonInProduction() throws Exception {
        StandardEnvironment local = resolved(Map.of());
        assertThat(local.getProperty("management.tracing.enabled")).isEqualTo("false");
        assertThat(local.getProperty("logging.structured.format.console")).isNull();

        StandardEnvironment traced = resolved(Map.of("OTEL_EXPORTER_OTLP_ENDPOINT", "http://collector:4318/"));
        assertThat(traced.getProperty("management.tracing.enabled")).isEqualTo("true");
        assertThat(traced.getProperty("management.otlp.tracing.endpoint")).isEqualTo("http://collector:4318/v1/traces");
        assertThat(traced.getProperty("management.tracing.sampling.probability")).isEqualTo("1.0");

        Map<String, Object> image = new LinkedHashMap<>(imageEnvironment());
        assertThat(resolved(image).getProperty("logging.structured.format.console")).isEqualTo("ecs");
        assertThat(resolved(Map.of("HUB_LOG_FORMAT", "json")).getProperty("logging.structured.format.console"))
                .isEqualTo("ecs");
        image.put("HUB_LOG_FORMAT", "text");
        assertThat(resolved(image).getProperty("logging.structured.format.console")).isNull();
    }

    @Test
    void aBuildWithoutEmbeddedServersSaysWhichVariableIsMissing() {
        // the production jar (-Pproduction) leaves the embedded servers out: the start stops with the reason
        assertThatThrownBy(() -> HubModeEnvironmentPostProcessor.requireEmbeddedServersInThisBuild(true,
                "DATABASE_URL", "io.zonky.test.db.postgres.embedded.NotInThisBuild"))
                .hasMessageContaining("DATABASE_URL is not set").hasMessageContaining("production jar");
        // this (development) build has them, and a set variable never needs them
        HubModeEnvironmentPostProcessor.requireEmbeddedServersInThisBuild(true, "DATABASE_URL",
                "io.zonky.test.db.postgres.embedded.EmbeddedPostgres");
        HubModeEnvironmentPostProcessor.requireEmbeddedServersInThisBuild(true, "REDIS_URL", "redis.embedded.RedisServer");
        HubModeEnvironmentPostProcessor.requireEmbeddedServersInThisBuild(false, "REDIS_URL", "no.such.Server");
    }
}
