package com.skyyrose.hub.routes;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The build's gate on the routes folder: every {@code routes/**&#47;*.camel.yaml} matches the Camel YAML DSL JSON
 * Schema shipped in {@code camel-yaml-dsl} (so Kaoto and Camel JBang open it), and every {@code *.tools.yml}
 * descriptor reads as the tool registry reads it. Same validator as the route files API.
 */
class RouteFilesSchemaTest {

    private static final RouteFileValidator VALIDATOR = RouteFileValidator.schemaOnly();

    @Test
    void everyShippedRouteFileAndToolDescriptorIsValid() throws IOException {
        Path routes = Path.of("routes");
        List<Path> files;
        try (Stream<Path> walk = Files.walk(routes)) {
            // the Camel files and tool descriptors; other YAML (a Kamelet's *.kamelet.yaml) has its own format
            files = walk.filter(Files::isRegularFile).filter(p -> p.toString().endsWith(RouteFileValidator.CAMEL_SUFFIX)
                    || p.toString().endsWith(RouteFileValidator.TOOLS_SUFFIX)).sorted().toList();
        }
        assertThat(files).as("route files found").hasSizeGreaterThan(10);
        List<String> failures = new ArrayList<>();
        int camelFiles = 0;
        for (Path file : files) {
            String relative = routes.relativize(file).toString().replace('\\', '/');
            if (RouteFileValidator.pathProblem(relative) != null) {
                failures.add(relative + ": " + RouteFileValidator.pathProblem(relative)
                        + " (a file in routes/ that the route files API could not edit)");
                continue;
            }
            camelFiles += relative.endsWith(RouteFileValidator.CAMEL_SUFFIX) ? 1 : 0;
            RouteFileValidator.Result result = VALIDATOR.validate(relative, Files.readString(file,
                    StandardCharsets.UTF_8));
            result.errors().forEach(e -> failures.add(relative + ":" + e.line() + ":" + e.column() + ": "
                    + e.message()));
        }
        assertThat(camelFiles).isGreaterThan(10);
        assertThat(failures).as("route files that break the Camel YAML DSL schema or the descriptor format")
                .isEmpty();
    }

    @Test
    void anUnknownStepIsReportedAtItsLine() {
        String yaml = """
                - route:
                    id: probe
                    from:
                      uri: direct:probe
                      steps:
                        - setBody:
                            constant: hi
                        - frobnicate:
                            foo: 1
                """;
        RouteFileValidator.Result result = VALIDATOR.validate("ops/probe.camel.yaml", yaml);
        assertThat(result.valid()).isFalse();
        assertThat(result.errors()).first().satisfies(e -> {
            assertThat(e.line()).isEqualTo(8);
            assertThat(e.column()).isEqualTo(11);
            assertThat(e.message()).contains("frobnicate");
        });
    }

    @Test
    void aWrongTypeDeepInsideAChoiceIsReportedAtItsLine() {
        String yaml = """
                - route:
                    id: probe
                    from:
                      uri: direct:probe
                      steps:
                        - choice:
                            when:
                              - simple: "${body} == 'x'"
                                steps:
                                  - setHeader:
                                      name: CamelHttpResponseCode
                                      constant: 503
                """;
        RouteFileValidator.Result result = VALIDATOR.validate("ops/probe.camel.yaml", yaml);
        assertThat(result.valid()).isFalse();
        assertThat(result.errors()).anySatisfy(e -> assertThat(e.line()).isBetween(10, 12));
    }

    @Test
    void yamlThatDoesNotParseIsReportedAtItsLine() {
        String yaml = "- route:\n    id: probe\n    from:\n      uri: direct:probe\n      steps:\n        - setBody: [\n";
        RouteFileValidator.Result result = VALIDATOR.validate("ops/probe.camel.yaml", yaml);
        assertThat(result.valid()).isFalse();
        assertThat(result.errors()).hasSize(1);
        assertThat(result.errors().get(0).message()).startsWith("YAML:");
        assertThat(result.errors().get(0).line()).isGreaterThanOrEqualTo(6);
    }

    @Test
    void beansRouteConfigurationsAndTemplatesAreValidCamelYaml() {
        String yaml = """
                - beans:
                    - name: greeting
                      type: java.lang.StringBuilder
                - routeConfiguration:
                    id: shared-errors
                    onException:
                      - onException:
                          exception:
                            - java.lang.IllegalStateException
                          handled:
                            constant: "true"
                          steps:
                            - setBody:
                                constant: failed
                - routeTemplate:
                    id: greeter
                    parameters:
                      - name: who
                    from:
                      uri: "direct:greet-{{who}}"
                      steps:
                        - setBody:
                            simple: "hello {{who}}"
                - route:
                    id: probe
                    routeConfigurationId: shared-errors
                    from:
                      uri: direct:probe
                      steps:
                        - circuitBreaker:
                            resilience4jConfiguration:
                              minimumNumberOfCalls: 5
                            steps:
                              - to: direct:greet-world
                            onFallback:
                              steps:
                                - setBody:
                                    constant: fallback
                """;
        RouteFileValidator.Result result = VALIDATOR.validate("round-table/probe.camel.yaml", yaml);
        assertThat(result.errors()).isEmpty();
        assertThat(result.routeIds()).containsExactly("greeter", "probe");
    }

    @Test
    void toolDescriptorsAreCheckedAsDescriptorsNotAsCamelFiles() {
        String good = """
                - name: acme.widgets.list
                  description: List widgets
                  category: commerce
                  severity: read_only
                  permission: acme:read
                  parameters: {type: object, properties: {page: {type: integer}}}
                """;
        assertThat(VALIDATOR.validate("tools/acme.tools.yml", good).errors()).isEmpty();
        String bad = good + """
                - name: acme.widgets.delete
                  description: Delete a widget
                  severity: catastrophic
                  parameters: {type: object}
                """;
        RouteFileValidator.Result result = VALIDATOR.validate("tools/acme.tools.yml", bad);
        assertThat(result.valid()).isFalse();
        assertThat(result.errors()).singleElement().satisfies(e -> {
            assertThat(e.line()).isEqualTo(7);
            assertThat(e.message()).contains("severity");
        });
    }

    @Test
    void pathsOutsideTheRoutesFolderOrOfOtherKindsAreRefused() {
        assertThat(RouteFileValidator.pathProblem("agents/support.camel.yaml")).isNull();
        assertThat(RouteFileValidator.pathProblem("tools/woocommerce.tools.yml")).isNull();
        assertThat(RouteFileValidator.pathProblem("../pom.camel.yaml")).isNotNull();
        assertThat(RouteFileValidator.pathProblem("agents/../../x.camel.yaml")).isNotNull();
        assertThat(RouteFileValidator.pathProblem("/etc/x.camel.yaml")).isNotNull();
        assertThat(RouteFileValidator.pathProblem("C:/x.camel.yaml")).isNotNull();
        assertThat(RouteFileValidator.pathProblem("agents/support.yaml")).isNotNull();
        assertThat(RouteFileValidator.pathProblem("agents/run.sh")).isNotNull();
        assertThat(RouteFileValidator.pathProblem("agents//x.camel.yaml")).isNotNull();
        assertThat(RouteFileValidator.pathProblem(".hidden/x.camel.yaml")).isNotNull();
    }
}
