package com.skyyrose.hub.agents;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.skyyrose.hub.fakes.WooCommerceFake;
import com.skyyrose.hub.support.HubIntegrationTest;
import com.skyyrose.hub.support.RateLimitBuckets;
import com.skyyrose.hub.support.TestAuth;
import com.skyyrose.hub.support.TestHttp;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.data.redis.core.StringRedisTemplate;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * Whose rights an agent's actions run with: a cached tool result is its caller's (another caller, even one who may
 * run the tool, gets a fresh call; one who may not is refused, never served from the cache), and an approved
 * action runs only if both the approver and the run's creator may run it.
 */
class AgentPrincipalTest extends HubIntegrationTest {

    @RegisterExtension
    static final AgentTestFakes FAKES = new AgentTestFakes();
    static final WooCommerceFake STORE = FAKES.store;

    @DynamicPropertySource
    static void fakes(DynamicPropertyRegistry registry) {
        FAKES.register(registry);
    }

    @Autowired
    StringRedisTemplate redis;

    @BeforeEach
    void reset() {
        STORE.reset();
        RateLimitBuckets.clear(redis, "tool:");
    }

    @Test
    void aCachedToolResultIsOnlyItsCallersAndNeverSkipsThePermissionCheck() {
        ObjectNode product = STORE.addProduct("Cached Hoodie " + System.nanoTime(), "185.00");
        String body = "{\"task\":\"Show the hoodie\",\"use_round_table\":false,\"actions\":[{\"tool\":"
                + "\"woocommerce.products.get\",\"arguments\":{\"id\":" + product.get("id") + "}}]}";
        String[] first = TestAuth.withPermissions(http(), "agents:run", "agents:read", "woocommerce:read");
        JsonNode looked = action(run(body, first));
        assertThat(looked.get("status").asText()).isEqualTo("succeeded");
        assertThat(action(run(body, first)).path("cached").asBoolean()).as("the same caller: cached").isTrue();

        // a caller without woocommerce:read: refused by the tool's permission, not answered from the cache
        String[] runner = TestAuth.withPermissions(http(), "agents:run", "agents:read");
        JsonNode refused = action(run(body, runner));
        assertThat(refused.get("status").asText()).isEqualTo("failed");
        assertThat(refused.has("result") && !refused.get("result").isNull()).isFalse();
        assertThat(refused.path("cached").asBoolean()).isFalse();

        // another caller who may read products gets its own call, not the first caller's result
        String[] second = TestAuth.withPermissions(http(), "agents:run", "agents:read", "woocommerce:*");
        JsonNode own = action(run(body, second));
        assertThat(own.get("status").asText()).isEqualTo("succeeded");
        assertThat(own.path("cached").asBoolean()).isFalse();
        assertThat(STORE.requests("GET", "/wp-json/wc/v3/products/" + product.get("id"))).hasSize(2);
    }

    @Test
    void anApprovedActionNeedsTheCreatorsRightsAsWellAsTheApprovers() {
        ObjectNode product = STORE.addProduct("Approval Tee " + System.nanoTime(), "85.00");
        long id = product.get("id").asLong();
        String body = "{\"task\":\"Raise the tee\",\"use_round_table\":false,\"actions\":[{\"tool\":"
                + "\"woocommerce.products.update\",\"arguments\":{\"id\":" + id
                + ",\"changes\":{\"regular_price\":\"95.00\"}}}]}";
        // the creator may start runs but never write products; the approver (an admin) may do anything
        String[] creator = TestAuth.withPermissions(http(), "agents:run", "agents:read");
        JsonNode waiting = run(body, creator);
        assertThat(waiting.get("status").asText()).as(waiting.toString()).isEqualTo("awaiting_approval");

        TestHttp.Reply approved = http().postJson("/api/v1/runs/" + waiting.get("id").asText() + "/approve", "{}",
                TestAuth.admin(http()));
        assertThat(approved.status()).as(approved.body()).isEqualTo(200);
        assertThat(action(approved.json()).get("status").asText()).isEqualTo("failed");
        assertThat(action(approved.json()).get("error").asText()).contains("woocommerce:write");
        assertThat(STORE.product(id).get("regular_price").asText()).isEqualTo("85.00");
        assertThat(STORE.requests("PUT", ".*")).isEmpty();

        // a creator who holds the permission: the same approval goes through
        String[] writer = TestAuth.withPermissions(http(), "agents:run", "agents:read", "woocommerce:write");
        JsonNode writerRun = run(body, writer);
        JsonNode done = http().postJson("/api/v1/runs/" + writerRun.get("id").asText() + "/approve", "{}",
                TestAuth.admin(http())).json();
        assertThat(action(done).get("status").asText()).as(done.toString()).isEqualTo("succeeded");
        assertThat(STORE.product(id).get("regular_price").asText()).isEqualTo("95.00");
    }

    private JsonNode run(String body, String[] who) {
        TestHttp.Reply reply = http().postJson("/api/v1/agents/commerce/runs", body, who);
        assertThat(reply.status()).as(reply.body()).isEqualTo(200);
        return reply.json();
    }

    private static JsonNode action(JsonNode run) {
        return run.get("actions").get(0);
    }
}
