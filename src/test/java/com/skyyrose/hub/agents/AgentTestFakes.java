package com.skyyrose.hub.agents;

import com.skyyrose.hub.fakes.LlmVendorFake;
import com.skyyrose.hub.fakes.WooCommerceFake;
import java.util.List;
import org.springframework.test.context.DynamicPropertyRegistry;

/** Points a test hub at the LLM panel fakes and the WooCommerce fake, with the round-table settings agent runs use. */
public final class AgentTestFakes {

    private AgentTestFakes() {
    }

    public static void register(DynamicPropertyRegistry registry, List<LlmVendorFake> panel, WooCommerceFake store) {
        for (LlmVendorFake fake : panel) {
            fake.env().forEach((k, v) -> registry.add(k, () -> v));
        }
        registry.add("HUB_LLM_DEADLINE_MS", () -> "5000");
        registry.add("HUB_LLM_JUDGE", () -> "never");
        registry.add("WOOCOMMERCE_URL", store::url);
        registry.add("WOOCOMMERCE_CONSUMER_KEY", () -> WooCommerceFake.KEY);
        registry.add("WOOCOMMERCE_CONSUMER_SECRET", store::secret);
    }
}
