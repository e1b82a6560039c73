package com.skyyrose.hub.security;

import static org.assertj.core.api.Assertions.assertThat;

import com.skyyrose.hub.api.OpenApiContract;
import com.skyyrose.hub.support.HubIntegrationTest;
import com.skyyrose.hub.support.TestAuth;
import com.skyyrose.hub.support.TestHttp;
import io.swagger.v3.oas.models.Operation;
import io.swagger.v3.oas.models.media.MediaType;
import java.net.http.HttpRequest;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;

/**
 * Walks every operation of the contract and checks it requires exactly the permission it declares: a key holding
 * only that permission gets through (not 401/403); a key holding a neighbouring permission (same resource, other
 * action) or an unrelated one gets 403; no credentials get 401. {@code authenticated} operations take any user.
 */
class PermissionWalkTest extends HubIntegrationTest {

    @Autowired
    OpenApiContract contract;

    @Test
    void everyOperationRequiresExactlyItsDeclaredPermission() throws Exception {
        List<String> walked = new ArrayList<>();
        for (var entry : contract.model().getPaths().entrySet()) {
            for (var op : entry.getValue().readOperationsMap().entrySet()) {
                Operation operation = op.getValue();
                String permission = contract.operation(operation.getOperationId()).permission();
                assertThat(permission).as(operation.getOperationId() + " declares x-hub-permission").isNotBlank();
                if (Permissions.PUBLIC.equals(permission)) {
                    continue;
                }
                String path = entry.getKey().replace("{agentId}", "commerce").replaceAll("\\{[^}]+}",
                        UUID.randomUUID().toString());
                String method = op.getKey().name();
                String body = exampleBody(operation);
                String id = operation.getOperationId();
                assertThat(send(method, path, body).status()).as(id + " without credentials").isEqualTo(401);
                if (Permissions.AUTHENTICATED.equals(permission)) {
                    String[] user = freshViewer();
                    assertThat(send(method, path, body, user).status()).as(id + " as any user").isNotIn(401, 403);
                    continue;
                }
                assertThat(permission).matches("[a-z0-9-]+:[a-z0-9-]+");
                String[] exact = TestAuth.withPermissions(http(), permission);
                assertThat(send(method, path, body, exact).status()).as(id + " with exactly " + permission)
                        .isNotIn(401, 403);
                String resource = permission.substring(0, permission.indexOf(':'));
                String[] neighbour = TestAuth.withPermissions(http(), resource + ":not-" + permission.substring(
                        permission.indexOf(':') + 1));
                assertThat(send(method, path, body, neighbour).status()).as(id + " with a neighbour of " + permission)
                        .isEqualTo(403);
                String[] unrelated = TestAuth.withPermissions(http(), "unrelated:thing");
                assertThat(send(method, path, body, unrelated).status()).as(id + " with an unrelated permission")
                        .isEqualTo(403);
                walked.add(id);
            }
        }
        assertThat(walked).contains("listUsers", "createApiKey", "listAuditEntries", "queryRoundTable");
    }

    @Test
    void unknownPermissionsAreAdminOnlyAndWildcardsWork() {
        assertThat(Permissions.allows(Permissions.grantsOf("operator"), "never-heard-of:it")).isFalse();
        assertThat(Permissions.allows(Permissions.grantsOf("viewer"), "never-heard-of:write")).isFalse();
        assertThat(Permissions.allows(Permissions.grantsOf("admin"), "never-heard-of:it")).isTrue();
        assertThat(Permissions.allows(Permissions.grantsOf("viewer"), null)).isFalse();
        assertThat(Permissions.allows(Permissions.grantsOf("admin"), null)).isTrue();
        assertThat(Permissions.allows(Permissions.grantsOf("viewer"), "knowledge:read")).isTrue();
        assertThat(Permissions.allows(Permissions.grantsOf("viewer"), "audit:read")).isFalse();
        assertThat(Permissions.allows(Permissions.grantsOf("editor"), "brand:write")).isTrue();
        assertThat(Permissions.allows(Permissions.grantsOf("operator"), "brand:write")).isFalse();
        assertThat(Permissions.allows(Permissions.grantsOf("operator"), "tools:invoke")).isTrue();
        assertThat(Permissions.allows(Permissions.grantsOf("partner"), "tools:invoke")).isFalse();
        assertThat(Permissions.allows(List.of("brand:*"), "brand:write")).isTrue();
        assertThat(Permissions.allows(List.of("brand:*"), "brandx:write")).isFalse();
    }

    private String[] freshViewer() {
        String email = "walk-" + UUID.randomUUID() + "@skyyrose.test";
        TestHttp.Reply created = http().postJson("/api/v1/users", "{\"email\":\"" + email
                + "\",\"password\":\"walk walk walk walk\",\"role\":\"viewer\"}", TestAuth.admin(http()));
        assertThat(created.status()).isEqualTo(201);
        return TestAuth.bearer(TestAuth.login(http(), email, "walk walk walk walk").get("access_token").asText());
    }

    private TestHttp.Reply send(String method, String path, String body, String... headers) {
        HttpRequest.Builder b = http().request(path).method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                : HttpRequest.BodyPublishers.ofString(body));
        if (body != null) {
            b.header("Content-Type", "application/json");
        }
        for (int i = 0; i + 1 < headers.length; i += 2) {
            b.header(headers[i], headers[i + 1]);
        }
        return http().send(b.build());
    }

    private static String exampleBody(Operation operation) throws Exception {
        if (operation.getRequestBody() == null) {
            return null;
        }
        MediaType json = operation.getRequestBody().getContent().get("application/json");
        return json == null || json.getExample() == null ? null : TestHttp.json().writeValueAsString(json.getExample());
    }
}
