package com.skyyrose.hub.llm;

import dev.langchain4j.model.anthropic.AnthropicChatModel;
import dev.langchain4j.model.anthropic.AnthropicStreamingChatModel;
import dev.langchain4j.model.chat.ChatModel;
import dev.langchain4j.model.chat.StreamingChatModel;
import dev.langchain4j.model.googleai.GoogleAiGeminiChatModel;
import dev.langchain4j.model.googleai.GoogleAiGeminiStreamingChatModel;
import dev.langchain4j.model.openai.OpenAiChatModel;
import dev.langchain4j.model.openai.OpenAiStreamingChatModel;
import java.time.Duration;
import java.util.Locale;

/**
 * The model bean of one round-table provider, declared in its YAML file under routes/round-table/providers/
 * ({@code - beans: [{name: llm-<id>, type: com.skyyrose.hub.llm.ChatProvider, properties: {...}}]}) next to the
 * route {@code llm-<id>} that calls it behind its circuit breaker.
 * <p>
 * A thin bean rather than camel-langchain4j-chat: that component keeps only the answer's text, and the round table
 * needs the token usage (cost, GenAI metrics), the finish reason and the model that answered; and langchain4j's
 * exceptions lose the vendor's {@code Retry-After}, which {@link ChatHttpClient} keeps for the route's retries.
 * The langchain4j model is built on first use, so a file whose key is not set loads and is simply not listed.
 */
public class ChatProvider {

    /** Wire formats the hub speaks; {@code openai} also covers OpenAI-compatible servers (Mistral, vLLM, Ollama). */
    public enum Api { OPENAI, ANTHROPIC, GEMINI }

    private Api api = Api.OPENAI;
    private String family = "";
    private String baseUrl = "";
    private String apiKey = "";
    private String model = "";
    private Duration timeout = Duration.ofSeconds(20);
    private int maxTokens = 1024;
    private boolean keyRequired = true;
    private volatile ChatModel chatModel;
    private volatile StreamingChatModel streamingModel;

    /** Configured: a key is set, or (servers that take none) a base URL. Unconfigured providers are not listed. */
    public boolean isConfigured() {
        return keyRequired ? !apiKey.isBlank() : !baseUrl.isBlank();
    }

    /** The langchain4j chat model, built once on first use. */
    public ChatModel chatModel() {
        ChatModel m = chatModel;
        if (m == null) {
            synchronized (this) {
                if (chatModel == null) {
                    chatModel = build();
                }
                m = chatModel;
            }
        }
        return m;
    }

    /**
     * The vendor's streaming chat model with the same settings, built once on first use: for pass-through streams
     * (the OpenAI-compatible API), which forward the vendor's pieces as they arrive. langchain4j's default HTTP client
     * (no retries: a stream cannot be replayed once pieces went out).
     */
    public StreamingChatModel streamingModel() {
        StreamingChatModel m = streamingModel;
        if (m == null) {
            synchronized (this) {
                if (streamingModel == null) {
                    streamingModel = buildStreaming();
                }
                m = streamingModel;
            }
        }
        return m;
    }

    private StreamingChatModel buildStreaming() {
        return switch (api) {
            case OPENAI -> OpenAiStreamingChatModel.builder()
                    .baseUrl(baseUrl)
                    .apiKey(apiKey.isBlank() ? "unused" : apiKey)
                    .modelName(model)
                    .timeout(timeout)
                    .build();
            case ANTHROPIC -> AnthropicStreamingChatModel.builder()
                    .baseUrl(baseUrl)
                    .apiKey(apiKey)
                    .modelName(model)
                    .maxTokens(maxTokens)
                    .timeout(timeout)
                    .build();
            case GEMINI -> GoogleAiGeminiStreamingChatModel.builder()
                    .baseUrl(baseUrl)
                    .apiKey(apiKey)
                    .modelName(model)
                    .timeout(timeout)
                    .build();
        };
    }

    private ChatModel build() {
        ChatHttpClient.Builder http = new ChatHttpClient.Builder();
        return switch (api) {
            case OPENAI -> OpenAiChatModel.builder()
                    .httpClientBuilder(http)
                    .baseUrl(baseUrl)
                    // local OpenAI-compatible servers (Ollama, vLLM) accept any key
                    .apiKey(apiKey.isBlank() ? "unused" : apiKey)
                    .modelName(model)
                    .timeout(timeout)
                    .maxRetries(0)
                    .build();
            case ANTHROPIC -> AnthropicChatModel.builder()
                    .httpClientBuilder(http)
                    .baseUrl(baseUrl)
                    .apiKey(apiKey)
                    .modelName(model)
                    .maxTokens(maxTokens)
                    .timeout(timeout)
                    .maxRetries(0)
                    .build();
            case GEMINI -> GoogleAiGeminiChatModel.builder()
                    .httpClientBuilder(http)
                    .baseUrl(baseUrl)
                    .apiKey(apiKey)
                    .modelName(model)
                    .timeout(timeout)
                    .maxRetries(0)
                    .build();
        };
    }

    public Api getApi() { return api; }
    public void setApi(String api) { this.api = Api.valueOf(api.trim().toUpperCase(Locale.ROOT)); }
    public String getFamily() { return family; }
    public void setFamily(String family) { this.family = family == null ? "" : family.trim(); }
    public String getBaseUrl() { return baseUrl; }
    public void setBaseUrl(String baseUrl) { this.baseUrl = baseUrl == null ? "" : baseUrl.trim(); }
    public String getApiKey() { return apiKey; }
    public void setApiKey(String apiKey) { this.apiKey = apiKey == null ? "" : apiKey.trim(); }
    public String getModel() { return model; }
    public void setModel(String model) { this.model = model == null ? "" : model.trim(); }
    public Duration getTimeout() { return timeout; }
    /** {@code 20s}, {@code 20000ms} or {@code PT20S}. */
    public void setTimeout(String timeout) {
        this.timeout = org.springframework.boot.convert.DurationStyle.detectAndParse(timeout.trim());
    }
    public int getMaxTokens() { return maxTokens; }
    public void setMaxTokens(int maxTokens) { this.maxTokens = maxTokens; }
    public boolean isKeyRequired() { return keyRequired; }
    public void setKeyRequired(boolean keyRequired) { this.keyRequired = keyRequired; }

    @Override
    public String toString() {
        // never the key
        return "ChatProvider[" + api + " " + model + " at " + baseUrl + "]";
    }
}
