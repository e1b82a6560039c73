package com.skyyrose.hub.llm;

import dev.langchain4j.data.message.ChatMessage;
import dev.langchain4j.data.message.SystemMessage;
import dev.langchain4j.data.message.UserMessage;
import dev.langchain4j.exception.HttpException;
import dev.langchain4j.model.chat.request.ChatRequest;
import dev.langchain4j.model.chat.response.ChatResponse;
import dev.langchain4j.model.output.TokenUsage;
import io.github.resilience4j.circuitbreaker.CallNotPermittedException;
import org.apache.camel.Exchange;
import org.apache.camel.ProducerTemplate;
import org.apache.camel.support.DefaultExchange;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.skyyrose.hub.observability.GenAiSpans;
import com.skyyrose.hub.privacy.PersonalDataGuard;
import com.skyyrose.hub.privacy.Pseudonymizer;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.springframework.stereotype.Component;

/**
 * Calls one provider for one round: builds the chat request (system prompt grounded in brand and passages),
 * sends it to the provider's route {@code direct:llm-<id>} (its YAML file: circuit breaker, then
 * {@code direct:llm-attempt} with the retries of {@code llm-provider-retries}), and always returns a
 * {@link Candidate} — an answer with tokens and cost, or the error — so one provider never fails the round.
 */
@Component
public class ProviderCaller {

    private final ProviderRegistry registry;
    private final LlmMetrics metrics;
    private final Map<String, LlmProperties.Price> prices;
    private final ObjectMapper json = new ObjectMapper();
    private final PersonalDataGuard privacy;
    private final GenAiSpans spans;
    private final ProducerTemplate routes;

    public ProviderCaller(ProviderRegistry registry, LlmMetrics metrics, LlmProperties props,
            PersonalDataGuard privacy, GenAiSpans spans, ProducerTemplate routes) {
        this.registry = registry;
        this.spans = spans;
        this.routes = routes;
        this.privacy = privacy;
        this.metrics = metrics;
        this.prices = props.priceTable();
    }

    /** Answers the round's question with one provider, within the deadline (personal data masked and restored). */
    public Candidate answer(String providerId, RoundTableRequest request, long deadlineNanos) {
        Pseudonymizer pseudonyms = privacy.open();
        return restore(answer(providerId, request, deadlineNanos, pseudonyms), pseudonyms);
    }

    /**
     * Answers with the request's pseudonymizer: the vendor sees placeholders (policy {@code mask}) and so does the
     * returned text; the caller restores it when it is shown.
     */
    public Candidate answer(String providerId, RoundTableRequest request, long deadlineNanos,
            Pseudonymizer pseudonyms) {
        if (pseudonyms == null) {
            return answer(providerId, request, deadlineNanos);
        }
        List<ChatMessage> messages = new ArrayList<>();
        String system = Grounding.systemPrompt(request);
        if (!system.isBlank()) {
            messages.add(SystemMessage.from(system));
        }
        messages.add(UserMessage.from(request.prompt()));
        return chat(providerId, messages, request.temperature(), request.maxTokens(), deadlineNanos, pseudonyms);
    }

    /**
     * One chat call through the provider's circuit breaker; never throws. Personal data is masked for the vendor and
     * restored in the returned text (any vendor call, e.g. a pass-through chat, can use this one).
     */
    public Candidate chat(String providerId, List<ChatMessage> messages, Double temperature, Integer maxTokens,
            long deadlineNanos) {
        Pseudonymizer pseudonyms = privacy.open();
        return restore(chat(providerId, messages, temperature, maxTokens, deadlineNanos, pseudonyms), pseudonyms);
    }

    /**
     * One chat call with a request's pseudonymizer: the messages pass the privacy guard (the provider's policy:
     * masked, allowed, or refused with error {@code refused: ...}); the returned text keeps the placeholders.
     */
    public Candidate chat(String providerId, List<ChatMessage> messages, Double temperature, Integer maxTokens,
            long deadlineNanos, Pseudonymizer pseudonyms) {
        if (pseudonyms == null) {
            return chat(providerId, messages, temperature, maxTokens, deadlineNanos);
        }
        ProviderRegistry.Provider provider = registry.get(providerId).orElse(null);
        if (provider == null) {
            return Candidate.failed(providerId, null, "not_configured", 0);
        }
        List<ChatMessage> outbound;
        try {
            outbound = privacy.outbound(providerId, messages, pseudonyms);
        } catch (PersonalDataGuard.Refused refused) {
            return Candidate.failed(providerId, provider.model(), "refused: " + refused.getMessage(), 0);
        }
        ChatRequest.Builder chatRequest = ChatRequest.builder().messages(outbound);
        if (temperature != null) {
            chatRequest.temperature(temperature);
        }
        if (maxTokens != null) {
            chatRequest.maxOutputTokens(maxTokens);
        }
        ChatRequest built = chatRequest.build();
        long start = System.nanoTime();
        try (GenAiSpans.Call span = spans.chat(providerId, provider.model())) {
            return chat(providerId, provider, built, deadlineNanos, start, span);
        }
    }

    private Candidate chat(String providerId, ProviderRegistry.Provider provider, ChatRequest built,
            long deadlineNanos, long start, GenAiSpans.Call span) {
        try {
            ChatResponse response = callRoute(providerId, built, deadlineNanos);
            long latency = (System.nanoTime() - start) / 1_000_000;
            TokenUsage usage = response.tokenUsage();
            long in = usage == null || usage.inputTokenCount() == null ? 0 : usage.inputTokenCount();
            long out = usage == null || usage.outputTokenCount() == null ? 0 : usage.outputTokenCount();
            String model = response.modelName() != null ? response.modelName() : provider.model();
            double cost = cost(provider.model(), model, in, out);
            String finish = response.finishReason() == null ? null
                    : response.finishReason().name().toLowerCase(Locale.ROOT);
            metrics.providerCall(providerId, provider.model(), "success", latency, in, out, cost);
            span.response(model, in, out, finish);
            return new Candidate(providerId, model, response.aiMessage().text(), null, latency,
                    new Candidate.Tokens(in, out), cost, finish, Map.of(), null);
        } catch (RuntimeException e) {
            long latency = (System.nanoTime() - start) / 1_000_000;
            String error = describe(e);
            String outcome = error.startsWith("timeout") ? "timeout"
                    : error.startsWith("circuit_open") ? "circuit_open" : "error";
            metrics.providerCall(providerId, provider.model(), outcome, latency, 0, 0, 0);
            span.failed(outcome);
            return Candidate.failed(providerId, provider.model(), error, latency);
        }
    }

    /** One call through the provider's route; its failure (breaker open, vendor error, timeout) is thrown. */
    private ChatResponse callRoute(String providerId, ChatRequest request, long deadlineNanos) {
        Exchange exchange = new DefaultExchange(routes.getCamelContext());
        exchange.getMessage().setBody(request);
        exchange.getMessage().setHeader(ProviderAttempt.PROVIDER, providerId);
        exchange.getMessage().setHeader(ProviderAttempt.DEADLINE, deadlineNanos);
        Exchange done = routes.send(ProviderRegistry.PREFIX_ENDPOINT + providerId, exchange);
        Exception failure = done.getException();
        if (failure != null) {
            throw failure instanceof RuntimeException r ? r : new IllegalStateException(failure.getMessage(), failure);
        }
        ChatResponse response = done.getMessage().getBody(ChatResponse.class);
        if (response == null) {
            throw new IllegalStateException("route llm-" + providerId + " returned no chat response");
        }
        return response;
    }

    private static Candidate restore(Candidate c, Pseudonymizer pseudonyms) {
        return RoundTablePrivacy.restore(List.of(c), pseudonyms).get(0);
    }

    double cost(String configuredModel, String responseModel, long in, long out) {
        LlmProperties.Price price = prices.get(Grounding.lower(responseModel));
        if (price == null) {
            price = prices.get(Grounding.lower(configuredModel));
        }
        if (price == null) {
            return 0;
        }
        double usd = (in * price.inputPerMillion() + out * price.outputPerMillion()) / 1_000_000d;
        return Math.round(usd * 1e8) / 1e8;
    }

    /** A short, stable error label with the vendor's own message when there is one. */
    public String describe(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof CallNotPermittedException) {
                return "circuit_open";
            }
            if (t instanceof ChatHttpClient.ConnectionFailure f) {
                return "timeout".equals(f.getMessage()) ? "timeout" : f.getMessage();
            }
            if (t instanceof java.net.http.HttpTimeoutException) {
                return "timeout";
            }
            if (t instanceof HttpException h) {
                if (h.statusCode() == 504 && String.valueOf(h.getMessage()).startsWith("deadline")) {
                    return "timeout";
                }
                return "http_" + h.statusCode() + ": " + vendorMessage(h.getMessage());
            }
        }
        String message = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
        return message.length() > 300 ? message.substring(0, 300) : message;
    }

    private String vendorMessage(String body) {
        if (body == null) {
            return "";
        }
        try {
            JsonNode node = json.readTree(body);
            JsonNode error = node.path("error");
            String msg = error.isObject() ? error.path("message").asText(body) : error.asText(body);
            return msg.length() > 300 ? msg.substring(0, 300) : msg;
        } catch (Exception notJson) {
            return body.length() > 300 ? body.substring(0, 300) : body;
        }
    }
}
