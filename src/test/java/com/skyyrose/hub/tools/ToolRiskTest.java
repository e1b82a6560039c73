package com.skyyrose.hub.tools;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.skyyrose.hub.agents.AgentTestFakes;
import com.skyyrose.hub.fakes.LlmVendorFake;
import com.skyyrose.hub.fakes.TripoFake;
import com.skyyrose.hub.fakes.WooCommerceFake;
import com.skyyrose.hub.fakes.WordPressFake;
import com.skyyrose.hub.support.HubIntegrationTest;
import com.skyyrose.hub.support.RateLimitBuckets;
import com.skyyrose.hub.support.TestAuth;
import com.skyyrose.hub.support.TestHttp;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.data.redis.core.StringRedisTemplate;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * A tool's risk follows the arguments of the call, not only its name: a blog post that goes live waits for a
 * person's approval when an agent plans it, and a 3D job that attaches its model to a shop product needs the shop's
 * write permission, whether a caller starts it over the API or an agent plans it.
 */
@DirtiesContext
class ToolRiskTest extends HubIntegrationTest {

    @RegisterExtension
    static final AgentTestFakes FAKES = new AgentTestFakes();
    static final WooCommerceFake STORE = FAKES.store;
    static final WordPressFake WP = new WordPressFake();
    static final TripoFake TRIPO = new TripoFake();

    @DynamicPropertySource
    static void fakes(DynamicPropertyRegistry registry) {
        FAKES.register(registry);
        registry.add("WORDPRESS_URL", WP::url);
        registry.add("WORDPRESS_USERNAME", () -> WordPressFake.USER);
        registry.add("WORDPRESS_APP_PASSWORD", () -> WordPressFake.APP_PASSWORD);
        registry.add("TRIPO_BASE_URL", TRIPO::baseUrl);
        registry.add("TRIPO_API_KEY", () -> TripoFake.API_KEY);
    }

    @AfterAll
    static void stop() {
        WP.close();
        TRIPO.close();
    }

    @Autowired
    StringRedisTemplate redis;

    @BeforeEach
    void reset() {
        FAKES.panel.forEach(LlmVendorFake::reset);
        STORE.reset();
        WP.reset();
        TRIPO.reset();
        RateLimitBuckets.clear(redis, "tool:");
    }

    void panelPlans(String tool, String arguments) {
        FAKES.panel.forEach(f -> f.answers("{\"answer\":\"Planned.\",\"actions\":[{\"tool\":\"" + tool
                + "\",\"arguments\":" + arguments + "}]}"));
    }

    @Test
    void anAgentsPublishingPostWaitsForApprovalWhileADraftRunsAtOnce() {
        panelPlans("wordpress.posts.create", "{\"title\":\"Signature drop\",\"content\":\"Out now.\","
                + "\"status\":\"publish\"}");
        JsonNode run = http().postJson("/api/v1/agents/marketing/runs", "{\"task\":\"Announce the drop.\"}",
                TestAuth.admin(http())).json();
        assertThat(run.get("status").asText()).as(run.toString()).isEqualTo("awaiting_approval");
        JsonNode action = run.get("actions").get(0);
        assertThat(action.get("severity").asText()).isEqualTo("high");
        assertThat(action.get("status").asText()).isEqualTo("awaiting_approval");
        assertThat(WP.postCount()).as("nothing reaches the blog before a person approves").isZero();

        // a scheduled post goes live later by itself: the same
        panelPlans("wordpress.posts.create", "{\"title\":\"Next drop\",\"content\":\"Soon.\",\"status\":\"future\"}");
        JsonNode scheduled = http().postJson("/api/v1/agents/marketing/runs", "{\"task\":\"Schedule it.\"}",
                TestAuth.admin(http())).json();
        assertThat(scheduled.get("status").asText()).as(scheduled.toString()).isEqualTo("awaiting_approval");
        assertThat(WP.postCount()).isZero();

        TestHttp.Reply approved = http().postJson("/api/v1/runs/" + run.get("id").asText() + "/approve",
                "{\"note\":\"Copy checked.\"}", TestAuth.admin(http()));
        assertThat(approved.status()).as(approved.body()).isEqualTo(200);
        JsonNode published = approved.json().get("actions").get(0);
        assertThat(published.get("status").asText()).as(published.toString()).isEqualTo("succeeded");
        assertThat(WP.post(published.get("result").get("id").asLong()).get("status").asText()).isEqualTo("publish");

        // a draft stays low and runs without approval
        panelPlans("wordpress.posts.create", "{\"title\":\"Draft\",\"content\":\"For review.\",\"status\":\"draft\"}");
        JsonNode draft = http().postJson("/api/v1/agents/marketing/runs", "{\"task\":\"Draft it.\"}",
                TestAuth.admin(http())).json();
        assertThat(draft.get("status").asText()).as(draft.toString()).isEqualTo("succeeded");
        assertThat(draft.get("actions").get(0).get("severity").asText()).isEqualTo("low");
        assertThat(WP.postCount()).isEqualTo(2);
    }

    @Test
    void theToolListingSaysWhichArgumentsRaiseTheRisk() {
        JsonNode tool = http().get("/api/v1/tools/wordpress.posts.create", TestAuth.admin(http())).json();
        assertThat(tool.get("severity").asText()).isEqualTo("low");
        assertThat(tool.at("/escalations/0/severity").asText()).isEqualTo("high");
        assertThat(tool.at("/escalations/0/when").toString()).contains("publish").contains("future");
        JsonNode tripo = http().get("/api/v1/tools/tripo3d.generate", TestAuth.admin(http())).json();
        assertThat(tripo.at("/escalations/0/permission").asText()).isEqualTo("woocommerce:write");
    }

    @Test
    void attachingA3dModelToAProductNeedsWooCommerceWriteOverTheApi() {
        long productId = STORE.addProduct("Black Rose Hoodie", "120.00").get("id").asLong();
        String[] creator = TestAuth.withPermissions(http(), "tripo3d:generate");
        String attach = "{\"prompt\": \"A black rose hoodie\", \"product_id\": " + productId + "}";

        TestHttp.Reply refused = http().postJson("/api/v1/3d/generate", attach, creator);
        assertThat(refused.status()).as(refused.body()).isEqualTo(403);
        assertThat(refused.json().get("detail").asText()).contains("woocommerce:write");
        TestHttp.Reply viaTool = http().postJson("/api/v1/tools/tripo3d.generate/invocations",
                "{\"arguments\": " + attach + "}", creator);
        assertThat(viaTool.status()).as(viaTool.body()).isEqualTo(403);
        assertThat(TRIPO.tasks()).as("no vendor task for a refused call").isEmpty();

        // without a product the job writes nothing to the shop: tripo3d:generate is enough
        assertThat(http().postJson("/api/v1/3d/generate", "{\"prompt\": \"A black rose hoodie\"}", creator).status())
                .isEqualTo(202);
        String[] shopWriter = TestAuth.withPermissions(http(), "tripo3d:generate", "woocommerce:write");
        TestHttp.Reply accepted = http().postJson("/api/v1/3d/generate", attach, shopWriter);
        assertThat(accepted.status()).as(accepted.body()).isEqualTo(202);
        assertThat(TRIPO.tasks()).hasSize(2);
    }

    @Test
    void anAgentCannotAttachA3dModelForACallerWithoutWooCommerceWrite() {
        long productId = STORE.addProduct("Love Hurts Jacket", "300.00").get("id").asLong();
        panelPlans("tripo3d.generate", "{\"prompt\":\"Love Hurts jacket\",\"product_id\":" + productId + "}");
        String[] caller = TestAuth.withPermissions(http(), "agents:run", "tripo3d:generate");

        TestHttp.Reply reply = http().postJson("/api/v1/agents/creative/runs", "{\"task\":\"Model the jacket.\"}",
                caller);
        assertThat(reply.status()).as(reply.body()).isEqualTo(200);
        JsonNode action = reply.json().get("actions").get(0);
        assertThat(action.get("status").asText()).as(action.toString()).isEqualTo("failed");
        assertThat(action.get("error").asText()).contains("woocommerce:write");
        assertThat(TRIPO.tasks()).isEmpty();

        String[] shopWriter = TestAuth.withPermissions(http(), "agents:run", "tripo3d:generate", "woocommerce:write");
        JsonNode allowed = http().postJson("/api/v1/agents/creative/runs", "{\"task\":\"Model the jacket.\"}",
                shopWriter).json();
        assertThat(allowed.get("actions").get(0).get("status").asText()).as(allowed.toString()).isEqualTo("succeeded");
        assertThat(TRIPO.tasks()).hasSize(1);
    }
}
