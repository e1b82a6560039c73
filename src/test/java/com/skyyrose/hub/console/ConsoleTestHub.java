package com.skyyrose.hub.console;

import com.skyyrose.hub.agents.AgentTestFakes;
import com.skyyrose.hub.fakes.AnthropicFake;
import com.skyyrose.hub.fakes.GeminiFake;
import com.skyyrose.hub.fakes.LlmVendorFake;
import com.skyyrose.hub.fakes.OpenAiFake;
import com.skyyrose.hub.fakes.TripoFake;
import com.skyyrose.hub.fakes.WooCommerceFake;
import com.skyyrose.hub.support.HubIntegrationTest;
import com.skyyrose.hub.support.TestAuth;
import com.skyyrose.hub.support.TestHttp;
import java.util.List;
import java.util.UUID;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.test.context.TestPropertySource;

/**
 * The hub the console tests run against: the LLM panel, WooCommerce and Tripo3D fakes, a WooCommerce webhook
 * secret, fast webhook retries and job polls, and a fast metrics sampler. The API and browser tests share this
 * configuration; the fakes live as long as the test JVM.
 */
@TestPropertySource(properties = {
        "WOOCOMMERCE_WEBHOOK_SECRET=" + ConsoleTestHub.WEBHOOK_SECRET,
        "HUB_WEBHOOKS_POLL_INTERVAL=50ms",
        "HUB_WEBHOOKS_BACKOFF_BASE=100ms",
        "HUB_WEBHOOKS_BACKOFF_MAX=300ms",
        "HUB_WEBHOOKS_MAX_ATTEMPTS=3",
        "HUB_WEBHOOKS_RECONCILE_ENABLED=false",
        "HUB_TOOL_JOBS_POLL_INTERVAL=600",
        "HUB_TOOL_JOBS_BACKOFF_INITIAL=600ms",
        "HUB_TOOL_JOBS_BACKOFF_MAX=600ms",
        "HUB_CONSOLE_METRICS_INTERVAL_MS=500"
})
@DirtiesContext // its fast webhook retries and its Tripo poller must not outlive these tests in a cached context
abstract class ConsoleTestHub extends HubIntegrationTest {

    static final String WEBHOOK_SECRET = "console-webhook-secret";
    /** Shared by both subclasses, so not registered as an extension (that would close them after the first). */
    static final AgentTestFakes FAKES = new AgentTestFakes();
    static final OpenAiFake OPENAI = FAKES.openAi;
    static final AnthropicFake ANTHROPIC = FAKES.anthropic;
    static final GeminiFake GEMINI = FAKES.gemini;
    static final List<LlmVendorFake> PANEL = FAKES.panel;
    static final WooCommerceFake STORE = FAKES.store;
    static final TripoFake TRIPO = new TripoFake();

    @DynamicPropertySource
    static void fakes(DynamicPropertyRegistry registry) {
        FAKES.register(registry);
        registry.add("TRIPO_BASE_URL", TRIPO::baseUrl);
        registry.add("TRIPO_API_KEY", () -> TripoFake.API_KEY);
        // a database of its own: the job pollers and webhook workers of other test classes' cached hubs share the
        // test database and would claim this hub's Tripo jobs (polling their own fakes) and webhook events
        String database = freshDatabase("console");
        registry.add("DATABASE_URL", () -> database);
    }

    /** A new user with this role; returns its e-mail (the password is {@link #PASSWORD}). */
    String newUser(String role) {
        String email = role + "-" + UUID.randomUUID() + "@skyyrose.test";
        TestHttp.Reply created = http().postJson("/api/v1/users", "{\"email\":\"" + email + "\",\"password\":\""
                + PASSWORD + "\",\"role\":\"" + role + "\"}", TestAuth.admin(http()));
        if (created.status() != 201) {
            throw new AssertionError("could not create a " + role + ": " + created.status() + " " + created.body());
        }
        return email;
    }

    static final String PASSWORD = "console console 1234";

    /** Bearer headers of a new user with this role. */
    String[] signedIn(String role) {
        return TestAuth.bearer(TestAuth.login(http(), newUser(role), PASSWORD).get("access_token").asText());
    }
}
