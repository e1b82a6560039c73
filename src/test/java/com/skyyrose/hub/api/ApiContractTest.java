package com.skyyrose.hub.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.skyyrose.hub.support.HubIntegrationTest;
import com.skyyrose.hub.support.TestAuth;
import com.skyyrose.hub.support.TestHttp;
import io.swagger.v3.oas.models.Operation;
import io.swagger.v3.oas.models.media.MediaType;
import io.swagger.v3.parser.OpenAPIV3Parser;
import io.swagger.v3.parser.core.models.SwaggerParseResult;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.apache.camel.CamelContext;
import org.apache.camel.Route;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;

/** The HTTP surface against the contract: routed or 501, validation, problem documents, headers, ops pages. */
class ApiContractTest extends HubIntegrationTest {

    @Autowired
    OpenApiContract contract;
    @Autowired
    CamelContext camel;

    /**
     * Camel's platform-http routes run on the container's request thread and finish the request there: no hand-off
     * to an executor and no second (async) dispatch through the filters (platform/InlinePlatformHttpEngine).
     */
    @Test
    void platformHttpRoutesAreServedOnTheRequestThread() throws Exception {
        camel.addRoutes(new org.apache.camel.builder.RouteBuilder() {
            @Override
            public void configure() {
                from("platform-http:/test-only/serving-thread?httpMethodRestrict=GET").routeId("test-serving-thread")
                        .process(exchange -> {
                            var request = exchange.getMessage().getHeader(org.apache.camel.Exchange.HTTP_SERVLET_REQUEST,
                                    jakarta.servlet.http.HttpServletRequest.class);
                            exchange.getMessage().setBody(Thread.currentThread().getName() + "|async="
                                    + (request != null && request.isAsyncStarted()));
                        });
            }
        });
        try {
            TestHttp.Reply reply = http().get("/test-only/serving-thread");
            assertThat(reply.status()).isEqualTo(200);
            assertThat(reply.body()).startsWith("http-nio-").endsWith("|async=false");
        } finally {
            camel.getRouteController().stopRoute("test-serving-thread");
            camel.removeRoute("test-serving-thread");
        }
    }

    @Test
    void everyContractOperationIsRoutedOrAnswers501() throws Exception {
        List<String> checked = new ArrayList<>();
        for (var entry : contract.model().getPaths().entrySet()) {
            for (var op : entry.getValue().readOperationsMap().entrySet()) {
                Operation operation = op.getValue();
                String path = samplePath(entry.getKey());
                String body = sampleBody(operation);
                // a fresh admin session per operation: the walk includes logout
                String[] auth = path.startsWith("/api/v1/") ? TestAuth.bearer(TestAuth.login(http(),
                        TestAuth.ADMIN_EMAIL, TestAuth.ADMIN_PASSWORD).get("access_token").asText()) : new String[0];
                TestHttp.Reply reply;
                if (body == null) {
                    reply = http().method(op.getKey().name(), path, auth);
                } else {
                    var request = http().request(path).method(op.getKey().name(),
                            java.net.http.HttpRequest.BodyPublishers.ofString(body))
                            .header("Content-Type", "application/json");
                    for (int i = 0; i + 1 < auth.length; i += 2) {
                        request.header(auth[i], auth[i + 1]);
                    }
                    reply = http().send(request.build());
                }
                String permission = String.valueOf(operation.getExtensions().get("x-hub-permission"));
                if (!permission.equals("public")) {
                    assertThat(reply.status()).as(operation.getOperationId() + " as admin").isNotIn(401, 403);
                }
                boolean routed = routed(operation.getOperationId());
                if (routed) {
                    assertThat(reply.status()).as(operation.getOperationId() + " is routed").isNotEqualTo(501);
                } else {
                    assertThat(reply.status()).as(operation.getOperationId() + " has no route").isEqualTo(501);
                    assertThat(reply.contentType()).startsWith("application/problem+json");
                    assertThat(reply.json().get("type").asText()).endsWith("/problems/not-implemented");
                }
                checked.add(operation.getOperationId());
            }
        }
        assertThat(checked).hasSameSizeAs(contract.operations()).contains("getLiveness", "queryRoundTable");
    }

    @Test
    void everyNonPublicOperationAnswers401WithoutCredentials() throws Exception {
        int checked = 0;
        for (var entry : contract.model().getPaths().entrySet()) {
            for (var op : entry.getValue().readOperationsMap().entrySet()) {
                Operation operation = op.getValue();
                Object permission = operation.getExtensions() == null ? null
                        : operation.getExtensions().get("x-hub-permission");
                if ("public".equals(permission)) {
                    assertThat(operation.getSecurity()).as(operation.getOperationId() + " public: security []")
                            .isNotNull().isEmpty();
                    continue;
                }
                String body = sampleBody(operation);
                TestHttp.Reply reply = http().send(http().request(samplePath(entry.getKey()))
                        .method(op.getKey().name(), body == null ? java.net.http.HttpRequest.BodyPublishers.noBody()
                                : java.net.http.HttpRequest.BodyPublishers.ofString(body))
                        .header("Content-Type", "application/json").build());
                assertThat(reply.status()).as(operation.getOperationId() + " without credentials").isEqualTo(401);
                assertThat(reply.header("WWW-Authenticate")).as(operation.getOperationId()).hasValueSatisfying(
                        v -> assertThat(v).startsWith("Bearer"));
                assertThat(reply.contentType()).startsWith("application/problem+json");
                assertThat(reply.json().get("type").asText()).endsWith("/problems/unauthorized");
                checked++;
            }
        }
        assertThat(checked).isGreaterThan(10);
    }

    @Test
    void malformedBodyIsA400ProblemNamingTheField() {
        TestHttp.Reply reply = http().postJson("/api/v1/round-table/query", "{\"prompt\": 42, \"providers\": [\"HAL 9000\"]}",
                TestAuth.plus(TestAuth.admin(http()), "X-Request-Id", "contract-test-1"));
        assertThat(reply.status()).isEqualTo(400);
        assertThat(reply.contentType()).startsWith("application/problem+json");
        JsonNode problem = reply.json();
        assertThat(problem.get("type").asText()).endsWith("/problems/validation-failed");
        assertThat(problem.get("requestId").asText()).isEqualTo("contract-test-1");
        assertThat(problem.get("errors").findValuesAsText("field")).contains("/prompt", "/providers/0");

        TestHttp.Reply missing = http().postJson("/api/v1/round-table/query", "{}", TestAuth.admin(http()));
        assertThat(missing.status()).isEqualTo(400);
        assertThat(missing.json().get("errors").get(0).get("field").asText()).isEqualTo("/prompt");

        TestHttp.Reply notJson = http().postJson("/api/v1/round-table/query", "{not json", TestAuth.admin(http()));
        assertThat(notJson.status()).isEqualTo(400);
        assertThat(notJson.json().get("errors").get(0).get("field").asText()).isEqualTo("body");
    }

    @Test
    void wrongTypeInPathAndUnknownEnumAre400() {
        TestHttp.Reply reply = http().get("/api/v1/agents/wizard", TestAuth.admin(http()));
        assertThat(reply.status()).isEqualTo(400);
        assertThat(reply.json().get("errors").get(0).get("field").asText()).isEqualTo("agentId");
    }

    @Test
    void aPlainJsonAcceptIsServedAndAnAcceptTheContractCannotServeIs406Problem() {
        String[] admin = TestAuth.admin(http());
        for (String accept : List.of("application/json", "application/json; charset=utf-8", "*/*",
                "application/*", "application/json, application/problem+json")) {
            TestHttp.Reply reply = http().get("/api/v1/agents", TestAuth.plus(admin, "Accept", accept));
            assertThat(reply.status()).as(accept).isEqualTo(200);
            assertThat(reply.contentType()).as(accept).startsWith("application/json");
        }
        TestHttp.Reply html = http().get("/api/v1/agents", TestAuth.plus(admin, "Accept", "text/html"));
        assertThat(html.status()).isEqualTo(406);
        assertThat(html.contentType()).startsWith("application/problem+json");
        assertThat(html.json().get("detail").asText()).contains("text/html");
        // sign-in with a JSON-only Accept, as most HTTP clients send it
        TestHttp.Reply token = http().post("/api/v1/auth/token", "application/json",
                "{\"grant_type\":\"password\",\"username\":\"" + TestAuth.ADMIN_EMAIL + "\",\"password\":\""
                        + TestAuth.ADMIN_PASSWORD + "\"}", "Accept", "application/json");
        assertThat(token.status()).as(token.body()).isEqualTo(200);
    }

    @Test
    void wrongContentTypeIs415Problem() {
        TestHttp.Reply reply = http().post("/api/v1/round-table/query", "text/plain", "hello", TestAuth.admin(http()));
        assertThat(reply.status()).isEqualTo(415);
        assertThat(reply.contentType()).startsWith("application/problem+json");
        assertThat(reply.json().get("requestId").asText()).isNotBlank();
    }

    @Test
    void unknownPathIs404AndWrongMethodIs405AsProblems() {
        for (String path : List.of("/no/such/thing", "/docs/extra", "/api/v1/agents/commerce/extra")) {
            TestHttp.Reply notFound = http().get(path, TestAuth.admin(http()));
            assertThat(notFound.status()).as(path).isEqualTo(404);
            assertThat(notFound.contentType()).as(path).startsWith("application/problem+json");
            assertThat(notFound.json().get("type").asText()).endsWith("/problems/not-found");
            assertThat(notFound.json().get("requestId").asText())
                    .isEqualTo(notFound.header("X-Request-Id").orElseThrow());
        }
        TestHttp.Reply wrongMethod = http().method("DELETE", "/health");
        assertThat(wrongMethod.status()).isEqualTo(405);
        assertThat(wrongMethod.contentType()).startsWith("application/problem+json");
        assertThat(wrongMethod.header("Allow")).contains("GET");
        assertThat(wrongMethod.json().get("type").asText()).endsWith("/problems/method-not-allowed");
    }

    @Test
    void requestIdIsEchoedWhenValidAndReplacedOtherwise() {
        assertThat(http().get("/health", "X-Request-Id", "abc-123.X_y:z").header("X-Request-Id"))
                .contains("abc-123.X_y:z");
        String replaced = http().get("/health", "X-Request-Id", "bad id {with} spaces").header("X-Request-Id")
                .orElseThrow();
        assertThat(replaced).isNotEqualTo("bad id {with} spaces").matches("[0-9a-f-]{36}");
        assertThat(http().get("/health").header("X-Request-Id")).isPresent();
        assertThat(http().get("/api/v1/agents").header("X-Request-Id")).isPresent();
    }

    @Test
    void requestHeadersAreNeverEchoedAsResponseHeaders() {
        String[] sent = {"Authorization", "Bearer secret-token", "Cookie", "session=abc", "X-Custom", "custom",
                "X-Hub-Spoof", "spoof", "X-Api-Key", "key-1", "CamelHttpResponseCode", "299"};
        for (String path : List.of("/health", "/health/ready", "/api/v1/agents", "/no/such/path")) {
            TestHttp.Reply reply = http().get(path, sent);
            Set<String> names = reply.headers().map().keySet();
            assertThat(names).as(path).noneMatch(n -> Set.of("authorization", "cookie", "x-custom", "x-hub-spoof",
                    "x-api-key", "user-agent", "camelhttpresponsecode", "accept").contains(n.toLowerCase()));
            assertThat(reply.status()).as(path + " status not steerable by a Camel header").isNotEqualTo(299);
        }
    }

    @Test
    void livenessAndReadinessReportStatus() {
        TestHttp.Reply live = http().get("/health");
        assertThat(live.status()).isEqualTo(200);
        assertThat(live.json().get("status").asText()).isEqualTo("UP");
        TestHttp.Reply ready = http().get("/health/ready");
        assertThat(ready.status()).isEqualTo(200);
        assertThat(ready.json().at("/components/postgres/status").asText()).isEqualTo("UP");
        assertThat(ready.json().at("/components/redis/status").asText()).isEqualTo("UP");
    }

    @Test
    void metricsExposeHttpAndCamelRouteMetrics() {
        http().get("/health");
        TestHttp.Reply metrics = http().get("/metrics");
        assertThat(metrics.status()).isEqualTo(200);
        assertThat(metrics.contentType()).startsWith("text/plain");
        assertThat(metrics.body()).contains("http_server_requests_seconds_count")
                .contains("camel_exchanges_total").contains("routeId=\"liveness\"")
                .contains("jvm_memory_used_bytes");
    }

    @Test
    void contractAndDocsPagesAreServed() {
        TestHttp.Reply spec = http().get("/openapi.json");
        assertThat(spec.status()).isEqualTo(200);
        SwaggerParseResult parsed = new OpenAPIV3Parser().readContents(spec.body(), null, null);
        assertThat(parsed.getMessages()).isEmpty();
        assertThat(parsed.getOpenAPI().getPaths()).containsKeys("/health", "/api/v1/round-table/query");

        for (String page : List.of("/docs", "/redoc")) {
            TestHttp.Reply html = http().get(page);
            assertThat(html.status()).isEqualTo(200);
            assertThat(html.contentType()).startsWith("text/html");
            assertThat(html.body()).contains("/openapi.json");
        }
        assertThat(http().get("/webjars/swagger-ui/swagger-ui-bundle.js").status()).isEqualTo(200);
        assertThat(http().get("/vendor/redoc/redoc.standalone.js").status()).isEqualTo(200);
        assertThat(http().get("/docs-assets/swagger-init.js").status()).isEqualTo(200);
    }

    private boolean routed(String operationId) {
        for (Route route : camel.getRoutes()) {
            if (route.getEndpoint().getEndpointBaseUri().equals("direct://" + operationId)) {
                return true;
            }
        }
        return false;
    }

    private static String samplePath(String template) {
        return template.replace("{agentId}", "commerce").replaceAll("\\{[^}]+}", "1");
    }

    private static String sampleBody(Operation operation) throws Exception {
        if (operation.getRequestBody() == null) {
            return null;
        }
        MediaType json = operation.getRequestBody().getContent().get("application/json");
        assertThat(json).as(operation.getOperationId() + " takes JSON").isNotNull();
        assertThat(json.getExample()).as(operation.getOperationId() + " documents an example body").isNotNull();
        return TestHttp.json().writeValueAsString(json.getExample());
    }
}
