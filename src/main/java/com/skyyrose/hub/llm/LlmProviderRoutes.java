package com.skyyrose.hub.llm;

import org.apache.camel.builder.RouteBuilder;
import org.springframework.stereotype.Component;

/**
 * One route per LLM provider ({@code direct:llm-openai}, {@code direct:llm-anthropic}, {@code direct:llm-gemini},
 * {@code direct:llm-openai-compatible}): the branches {@code direct:round-table} fans out to. Each answers the
 * round's question with a {@link Candidate}, never an exception; the circuit breaker, retries and timeout sit in
 * {@link ProviderCaller}, and {@link RoundTableService#answer} returns early ({@code late}) when the round closes
 * on its quorum.
 */
@Component
public class LlmProviderRoutes extends RouteBuilder {

    private final RoundTableService roundTable;

    public LlmProviderRoutes(RoundTableService roundTable) {
        this.roundTable = roundTable;
    }

    @Override
    public void configure() {
        for (String id : LlmProperties.PROVIDER_IDS) {
            from("direct:llm-" + id).routeId("llm-" + id)
                    .description("Round-table branch: ask " + id)
                    .process(e -> e.getMessage().setBody(roundTable.answer(id, e)));
        }
    }
}
