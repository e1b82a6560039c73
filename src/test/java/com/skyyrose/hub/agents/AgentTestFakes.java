package com.skyyrose.hub.agents;

import com.skyyrose.hub.fakes.AnthropicFake;
import com.skyyrose.hub.fakes.GeminiFake;
import com.skyyrose.hub.fakes.LlmVendorFake;
import com.skyyrose.hub.fakes.OpenAiFake;
import com.skyyrose.hub.fakes.WooCommerceFake;
import java.util.List;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.springframework.test.context.DynamicPropertyRegistry;

/**
 * One test class's LLM panel fakes and WooCommerce fake, with the round-table settings agent runs use. Declare it as
 * a {@code @RegisterExtension static} field: it closes the fakes after the class (each class has its own, on its own
 * ports), and {@link #register} points the class's hub at them from its {@code @DynamicPropertySource}.
 */
public final class AgentTestFakes implements AfterAllCallback {

    public final OpenAiFake openAi = new OpenAiFake();
    public final AnthropicFake anthropic = new AnthropicFake();
    public final GeminiFake gemini = new GeminiFake();
    public final List<LlmVendorFake> panel = List.of(openAi, anthropic, gemini);
    public final WooCommerceFake store = new WooCommerceFake();

    public void register(DynamicPropertyRegistry registry) {
        for (LlmVendorFake fake : panel) {
            fake.env().forEach((k, v) -> registry.add(k, () -> v));
        }
        registry.add("HUB_LLM_DEADLINE_MS", () -> "5000");
        registry.add("HUB_LLM_JUDGE", () -> "never");
        registry.add("WOOCOMMERCE_URL", store::url);
        registry.add("WOOCOMMERCE_CONSUMER_KEY", () -> WooCommerceFake.KEY);
        registry.add("WOOCOMMERCE_CONSUMER_SECRET", store::secret);
    }

    @Override
    public void afterAll(ExtensionContext context) {
        panel.forEach(LlmVendorFake::close);
        store.close();
    }
}
