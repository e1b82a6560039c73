package com.skyyrose.hub.assistants;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.skyyrose.hub.llm.Candidate;
import com.skyyrose.hub.llm.ChatHttpClient;
import com.skyyrose.hub.llm.ProviderAttempt;
import com.skyyrose.hub.observability.GenAiSpans;
import dev.langchain4j.data.message.AiMessage;
import dev.langchain4j.data.message.SystemMessage;
import dev.langchain4j.data.message.TextContent;
import dev.langchain4j.data.message.UserMessage;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import com.skyyrose.hub.llm.ChatProvider;
import com.skyyrose.hub.llm.LlmMetrics;
import com.skyyrose.hub.llm.LlmProperties;
import com.skyyrose.hub.llm.ProviderCaller;
import com.skyyrose.hub.llm.ProviderRegistry;
import com.skyyrose.hub.privacy.PersonalDataGuard;
import com.skyyrose.hub.privacy.Pseudonymizer;
import dev.langchain4j.data.message.ChatMessage;
import dev.langchain4j.model.chat.StreamingChatModel;
import dev.langchain4j.model.chat.request.ChatRequest;
import dev.langchain4j.model.chat.response.ChatResponse;
import dev.langchain4j.model.chat.response.StreamingChatResponseHandler;
import dev.langchain4j.model.output.TokenUsage;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;
import org.springframework.stereotype.Component;

/**
 * The only class of the assistants capability that knows how the hub's LLM providers are wired: it lists the
 * enabled providers (id and model) and calls one with chat messages, whole ({@link #chat}) or streamed as the vendor
 * sends it ({@link #stream}). Both mask personal data for the vendor (the provider's privacy policy) and restore it
 * in the text the caller gets. When the providers' wiring changes, this is the class to adapt.
 */
@Component
public class ProviderGateway {

    /** An enabled provider and the model it serves. */
    public record ProviderModel(String provider, String model) {
        public String openAiId() {
            return provider + "/" + model;
        }
    }

    /** What a call used and cost (model as the vendor reported it). */
    public record Usage(String model, long inputTokens, long outputTokens, double costUsd) {
    }

    /** A whole answer, or the error label of a failed call ({@code refused: ...}, {@code http_429: ...}). */
    public record Answer(String text, String finishReason, Usage usage, String error) {
    }

    /** Receives a streamed answer: text pieces as they arrive, then one {@code done} or one {@code failed}. */
    public interface StreamListener {
        void piece(String text);

        void done(String finishReason, Usage usage);

        void failed(String error);
    }

    private final ProviderRegistry registry;
    private final ProviderCaller caller;
    private final PersonalDataGuard privacy;
    private final LlmProperties props;
    private final LlmMetrics metrics;
    private final GenAiSpans spans;
    private final ProviderAttempt attempts;
    private final ObjectMapper json;

    public ProviderGateway(ProviderRegistry registry, ProviderCaller caller, PersonalDataGuard privacy,
            LlmProperties props, LlmMetrics metrics, GenAiSpans spans, ProviderAttempt attempts, ObjectMapper json) {
        this.spans = spans;
        this.attempts = attempts;
        this.json = json;
        this.registry = registry;
        this.caller = caller;
        this.privacy = privacy;
        this.props = props;
        this.metrics = metrics;
    }

    public List<ProviderModel> models() {
        return registry.enabled().stream().map(p -> new ProviderModel(p.id(), p.model())).toList();
    }

    public Optional<ProviderModel> find(String provider, String model) {
        // the one provider's route, not every enabled provider's (this runs on every pass-through request)
        return registry.get(provider).filter(p -> p.model().equals(model))
                .map(p -> new ProviderModel(p.id(), p.model()));
    }

    /**
     * One call through the provider's circuit breaker and retries (deadline: the round-table deadline). A vendor that
     * speaks OpenAI's wire format is called directly ({@link #direct}); the others through the provider's route.
     */
    public Answer chat(String provider, List<ChatMessage> messages, Double temperature, Integer maxTokens) {
        long deadline = System.nanoTime() + props.getDeadline().toNanos();
        ProviderRegistry.Provider p = registry.get(provider).orElse(null);
        if (p != null && p.settings().getApi() == ChatProvider.Api.OPENAI) {
            return direct(p, messages, temperature, maxTokens, deadline);
        }
        Candidate c = caller.chat(provider, messages, temperature, maxTokens, deadline);
        Usage usage = new Usage(c.model(), c.tokens().input(), c.tokens().output(), c.costUsd());
        return new Answer(c.text(), c.finishReason(), usage, c.ok() ? null : c.error());
    }

    /**
     * The pass-through of an OpenAI-wire vendor, without the provider's route and langchain4j: those cost more CPU per
     * call than everything else a pass-through chat completion does (Camel's exchange, breaker EIP and redelivery
     * handler around langchain4j's request/response objects, JSON mapping and retry wrappers). What the route gives
     * is kept, applied here: the route's own circuit breaker (one breaker call spans the retries, as with the EIP),
     * the retry rule of {@code llm-provider-retries} ({@link ProviderAttempt#retryDelay}), the deadline, the privacy
     * policy (masked for the vendor, restored in the answer), the GenAI span and the provider metrics. The vendor gets
     * the request langchain4j would have sent (model, messages, temperature, max_tokens) on the shared HTTP pool.
     */
    private Answer direct(ProviderRegistry.Provider p, List<ChatMessage> messages, Double temperature,
            Integer maxTokens, long deadline) {
        String providerId = p.id();
        ChatProvider settings = p.settings();
        Pseudonymizer pseudonyms = privacy.open();
        List<ChatMessage> outbound;
        try {
            outbound = privacy.outbound(providerId, messages, pseudonyms);
        } catch (PersonalDataGuard.Refused refused) {
            return new Answer(null, null, new Usage(p.model(), 0, 0, 0), "refused: " + refused.getMessage());
        }
        byte[] body = requestBody(p.model(), outbound, temperature, maxTokens);
        String url = settings.getBaseUrl().endsWith("/") ? settings.getBaseUrl() + "chat/completions"
                : settings.getBaseUrl() + "/chat/completions";
        Map<String, String> headers = Map.of("Authorization", "Bearer "
                + (settings.getApiKey().isBlank() ? "unused" : settings.getApiKey()), "Accept", "application/json");
        long start = System.nanoTime();
        try (GenAiSpans.Call span = spans.chat(providerId, p.model())) {
            if (!p.circuit().tryAcquirePermission()) {
                metrics.providerCall(providerId, p.model(), "circuit_open", 0, 0, 0, 0);
                span.failed("circuit_open");
                return new Answer(null, null, new Usage(p.model(), 0, 0, 0), "circuit_open");
            }
            String reply;
            try {
                reply = withRetries(url, headers, body, settings, deadline);
            } catch (RuntimeException e) {
                long nanos = System.nanoTime() - start;
                p.circuit().onError(nanos, TimeUnit.NANOSECONDS, e);
                String error = caller.describe(e);
                String outcome = error.startsWith("timeout") ? "timeout" : "error";
                metrics.providerCall(providerId, p.model(), outcome, nanos / 1_000_000, 0, 0, 0);
                span.failed(outcome);
                return new Answer(null, null, new Usage(p.model(), 0, 0, 0), error);
            }
            long nanos = System.nanoTime() - start;
            p.circuit().onSuccess(nanos, TimeUnit.NANOSECONDS);
            JsonNode doc;
            try {
                doc = json.readTree(reply);
            } catch (java.io.IOException e) {
                metrics.providerCall(providerId, p.model(), "error", nanos / 1_000_000, 0, 0, 0);
                span.failed("error");
                return new Answer(null, null, new Usage(p.model(), 0, 0, 0), "invalid vendor answer: not JSON");
            }
            JsonNode choice = doc.path("choices").path(0);
            String text = choice.path("message").path("content").asText("");
            String finish = choice.path("finish_reason").isTextual() ? choice.get("finish_reason").asText() : "stop";
            long in = doc.path("usage").path("prompt_tokens").asLong(0);
            long out = doc.path("usage").path("completion_tokens").asLong(0);
            String model = doc.path("model").isTextual() ? doc.get("model").asText() : p.model();
            double cost = cost(p.model(), model, in, out);
            metrics.providerCall(providerId, p.model(), "success", nanos / 1_000_000, in, out, cost);
            span.response(model, in, out, finish);
            return new Answer(pseudonyms.found() ? pseudonyms.restore(text) : text, finish,
                    new Usage(model, in, out, cost), null);
        }
    }

    /** The call and its retries ({@code llm-provider-retries}' rule), each attempt bounded by the time left. */
    private String withRetries(String url, Map<String, String> headers, byte[] body, ChatProvider settings,
            long deadline) {
        for (int failed = 0; ; ) {
            Duration left = Duration.ofNanos(deadline - System.nanoTime());
            if (left.isNegative() || left.isZero()) {
                throw new ChatHttpClient.ConnectionFailure("timeout", null);
            }
            try {
                return ChatHttpClient.postJson(url, headers, body,
                        left.compareTo(settings.getTimeout()) < 0 ? left : settings.getTimeout());
            } catch (RuntimeException e) {
                failed++;
                Duration wait = attempts.retryDelay(e, failed, deadline);
                if (wait == null) {
                    throw e;
                }
                try {
                    Thread.sleep(wait.toMillis());
                } catch (InterruptedException interrupted) {
                    Thread.currentThread().interrupt();
                    throw e;
                }
            }
        }
    }

    /** The chat request as langchain4j's OpenAI model writes it (the fields the hub accepts). */
    private byte[] requestBody(String model, List<ChatMessage> messages, Double temperature, Integer maxTokens) {
        ObjectNode doc = json.createObjectNode();
        doc.put("model", model);
        ArrayNode out = doc.putArray("messages");
        for (ChatMessage m : messages) {
            ObjectNode message = out.addObject();
            if (m instanceof SystemMessage s) {
                message.put("role", "system").put("content", s.text());
            } else if (m instanceof AiMessage a) {
                message.put("role", "assistant").put("content", a.text());
            } else if (m instanceof UserMessage u) {
                message.put("role", "user").put("content", u.hasSingleText() ? u.singleText()
                        : String.join("\n", u.contents().stream().filter(TextContent.class::isInstance)
                                .map(c -> ((TextContent) c).text()).toList()));
            } else {
                throw new IllegalArgumentException("unsupported message " + m.type());
            }
        }
        if (temperature != null) {
            doc.put("temperature", temperature);
        }
        if (maxTokens != null) {
            doc.put("max_tokens", maxTokens);
        }
        try {
            return json.writeValueAsBytes(doc);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * Streams one call: the vendor's pieces reach {@code listener} as they arrive (personal data restored; a piece
     * that may be the start of a placeholder waits for the next one). Returns at once; the listener is called on the
     * HTTP client's thread.
     */
    public void stream(String provider, List<ChatMessage> messages, Double temperature, Integer maxTokens,
            StreamListener listener) {
        ProviderRegistry.Provider p = registry.get(provider).orElse(null);
        if (p == null) {
            listener.failed("not_configured");
            return;
        }
        Pseudonymizer pseudonyms = privacy.open();
        List<ChatMessage> outbound;
        try {
            outbound = privacy.outbound(provider, messages, pseudonyms);
        } catch (PersonalDataGuard.Refused refused) {
            listener.failed("refused: " + refused.getMessage());
            return;
        }
        if (!p.circuit().tryAcquirePermission()) {
            listener.failed("circuit_open");
            return;
        }
        ChatRequest.Builder request = ChatRequest.builder().messages(outbound);
        if (temperature != null) {
            request.temperature(temperature);
        }
        if (maxTokens != null) {
            request.maxOutputTokens(maxTokens);
        }
        long start = System.nanoTime();
        Restorer restorer = new Restorer(pseudonyms, listener::piece);
        streamingModel(p).chat(request.build(), new StreamingChatResponseHandler() {
            @Override
            public void onPartialResponse(String partial) {
                restorer.accept(partial);
            }

            @Override
            public void onCompleteResponse(ChatResponse response) {
                long nanos = System.nanoTime() - start;
                p.circuit().onSuccess(nanos, java.util.concurrent.TimeUnit.NANOSECONDS);
                restorer.flush();
                TokenUsage tokens = response.tokenUsage();
                long in = tokens == null || tokens.inputTokenCount() == null ? 0 : tokens.inputTokenCount();
                long out = tokens == null || tokens.outputTokenCount() == null ? 0 : tokens.outputTokenCount();
                String model = response.modelName() != null ? response.modelName() : p.model();
                double cost = cost(p.model(), model, in, out);
                metrics.providerCall(provider, p.model(), "success", nanos / 1_000_000, in, out, cost);
                String finish = response.finishReason() == null ? "stop"
                        : response.finishReason().name().toLowerCase(Locale.ROOT);
                listener.done(finish, new Usage(model, in, out, cost));
            }

            @Override
            public void onError(Throwable error) {
                long nanos = System.nanoTime() - start;
                p.circuit().onError(nanos, java.util.concurrent.TimeUnit.NANOSECONDS, error);
                metrics.providerCall(provider, p.model(), "error", nanos / 1_000_000, 0, 0, 0);
                String message = error.getMessage() == null ? error.getClass().getSimpleName() : error.getMessage();
                listener.failed(message.length() > 300 ? message.substring(0, 300) : message);
            }
        });
    }

    private double cost(String configuredModel, String responseModel, long in, long out) {
        Map<String, LlmProperties.Price> prices = props.priceTable();
        LlmProperties.Price price = prices.get(responseModel == null ? "" : responseModel.toLowerCase(Locale.ROOT));
        if (price == null) {
            price = prices.get(configuredModel == null ? "" : configuredModel.toLowerCase(Locale.ROOT));
        }
        if (price == null) {
            return 0;
        }
        return Math.round((in * price.inputPerMillion() + out * price.outputPerMillion()) / 1_000_000d * 1e8) / 1e8;
    }

    private StreamingChatModel streamingModel(ProviderRegistry.Provider p) {
        StreamingChatModel model = p.settings().streamingModel();
        if (model == null) {
            throw new IllegalArgumentException("no streaming model for provider " + p.id());
        }
        return model;
    }

    /**
     * Restores placeholders in streamed text: a piece's tail that may be an unfinished placeholder
     * ({@code <EMAIL_}, {@code [PHONE}) is held until the next piece completes it (or the stream ends).
     */
    static final class Restorer {
        private static final int LONGEST_PLACEHOLDER = 20;
        /** What may open a placeholder, longest first ({@code &lt;} is how some models write {@code <}). */
        private static final List<String> OPENINGS = List.of("&lt;", "&lt", "&l", "&", "<", "[", "{");
        private final Pseudonymizer pseudonyms;
        private final Consumer<String> out;
        private final StringBuilder held = new StringBuilder();

        Restorer(Pseudonymizer pseudonyms, Consumer<String> out) {
            this.pseudonyms = pseudonyms;
            this.out = out;
        }

        synchronized void accept(String piece) {
            if (piece == null || piece.isEmpty()) {
                return;
            }
            held.append(piece);
            if (!pseudonyms.found()) {
                emit(held.length());
                return;
            }
            emit(safeLength(held));
        }

        synchronized void flush() {
            emit(held.length());
        }

        private void emit(int length) {
            if (length <= 0) {
                return;
            }
            String text = held.substring(0, length);
            held.delete(0, length);
            out.accept(pseudonyms.restore(text));
        }

        /** How much of the buffer cannot be part of an unfinished placeholder (its tail may still become one). */
        static int safeLength(CharSequence s) {
            int n = s.length();
            int i = n;
            while (i > 0 && n - i < LONGEST_PLACEHOLDER && isPlaceholderChar(s.charAt(i - 1))) {
                i--;
            }
            for (String open : OPENINGS) {
                if (i >= open.length() && s.subSequence(i - open.length(), i).toString().equals(open)) {
                    return i - open.length();
                }
            }
            return i;
        }

        private static boolean isPlaceholderChar(char c) {
            return (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
        }
    }
}
