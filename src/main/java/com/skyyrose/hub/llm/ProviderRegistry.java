package com.skyyrose.hub.llm;

import dev.langchain4j.model.anthropic.AnthropicChatModel;
import dev.langchain4j.model.chat.ChatModel;
import dev.langchain4j.model.googleai.GoogleAiGeminiChatModel;
import dev.langchain4j.model.openai.OpenAiChatModel;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig;
import io.github.resilience4j.circuitbreaker.CircuitBreakerRegistry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

/**
 * The configured LLM providers: one langchain4j chat model each (built with the provider's base URL, key and
 * model from env), behind its own resilience4j circuit breaker tuned for low traffic, opening on failures and on
 * slow calls. A provider is enabled by its key ({@code OPENAI_API_KEY}, {@code ANTHROPIC_API_KEY},
 * {@code GEMINI_API_KEY}) or, for the OpenAI-compatible one, by {@code OPENAI_COMPAT_BASE_URL}.
 * <p>
 * The breaker is resilience4j's, kept programmatic rather than Camel's circuitBreaker EIP: the judge's calls share
 * it (they do not go through a route), and the providers operation reads its state and metrics by provider.
 */
@Component
public class ProviderRegistry {

    private static final Logger LOG = LoggerFactory.getLogger(ProviderRegistry.class);

    /** One enabled provider. {@code family} groups providers serving the same vendor's models (judge choice). */
    public record Provider(String id, String family, String model, String baseUrl, ChatModel chat,
            CircuitBreaker circuit) {
    }

    private final Map<String, Provider> providers;
    private final CircuitBreakerRegistry circuits;

    public ProviderRegistry(LlmProperties props) {
        LlmProperties.Circuit c = props.getCircuit();
        CircuitBreakerConfig config = CircuitBreakerConfig.custom()
                .slidingWindowType(CircuitBreakerConfig.SlidingWindowType.COUNT_BASED)
                .slidingWindowSize(Math.max(1, c.getWindow()))
                .minimumNumberOfCalls(Math.max(1, c.getMinimumCalls()))
                .failureRateThreshold(c.getFailureRate())
                // slow calls open it too: a provider that answers, but too late to count, is not worth waiting for
                .slowCallDurationThreshold(c.getSlowCall())
                .slowCallRateThreshold(c.getSlowCallRate())
                .waitDurationInOpenState(c.getOpenFor())
                .permittedNumberOfCallsInHalfOpenState(Math.max(1, c.getHalfOpenCalls()))
                .automaticTransitionFromOpenToHalfOpenEnabled(true)
                .build();
        this.circuits = CircuitBreakerRegistry.of(config);
        java.net.http.HttpClient jdk = java.net.http.HttpClient.newBuilder()
                .connectTimeout(Duration.ofSeconds(5))
                .version(java.net.http.HttpClient.Version.HTTP_1_1)
                .build();
        Map<String, Provider> enabled = new LinkedHashMap<>();
        for (String id : LlmProperties.PROVIDER_IDS) {
            LlmProperties.Provider p = props.getProviders().get(id);
            if (p == null || !isEnabled(id, p)) {
                continue;
            }
            Duration timeout = p.getTimeout() != null ? p.getTimeout() : props.getDeadline();
            RetryingHttpClient.Builder http = new RetryingHttpClient.Builder(jdk, timeout, props.getRetry());
            ChatModel model = build(id, p, http, timeout, props.getDefaultMaxTokens());
            enabled.put(id, new Provider(id, family(id), p.getModel(), p.getBaseUrl(), model,
                    circuits.circuitBreaker(id)));
            LOG.info("LLM provider {} enabled: model {} at {}", id, p.getModel(), p.getBaseUrl());
        }
        this.providers = Collections.unmodifiableMap(enabled);
        if (enabled.isEmpty()) {
            LOG.info("No LLM provider configured: the round table answers with the local (degraded) answerer");
        }
    }

    private static boolean isEnabled(String id, LlmProperties.Provider p) {
        return "openai-compatible".equals(id) ? !p.getBaseUrl().isBlank() : !p.getApiKey().isBlank();
    }

    private static String family(String id) {
        return id;
    }

    private static ChatModel build(String id, LlmProperties.Provider p, RetryingHttpClient.Builder http,
            Duration timeout, int maxTokens) {
        return switch (id) {
            case "openai", "openai-compatible" -> OpenAiChatModel.builder()
                    .httpClientBuilder(http)
                    .baseUrl(p.getBaseUrl())
                    // local OpenAI-compatible servers (Ollama, vLLM) accept any key
                    .apiKey(p.getApiKey().isBlank() ? "unused" : p.getApiKey())
                    .modelName(p.getModel())
                    .timeout(timeout)
                    .maxRetries(0)
                    .build();
            case "anthropic" -> AnthropicChatModel.builder()
                    .httpClientBuilder(http)
                    .baseUrl(p.getBaseUrl())
                    .apiKey(p.getApiKey())
                    .modelName(p.getModel())
                    .maxTokens(maxTokens)
                    .timeout(timeout)
                    .maxRetries(0)
                    .build();
            case "gemini" -> GoogleAiGeminiChatModel.builder()
                    .httpClientBuilder(http)
                    .baseUrl(p.getBaseUrl())
                    .apiKey(p.getApiKey())
                    .modelName(p.getModel())
                    .timeout(timeout)
                    .maxRetries(0)
                    .build();
            default -> throw new IllegalArgumentException("unknown provider " + id);
        };
    }

    public Optional<Provider> get(String id) {
        return Optional.ofNullable(providers.get(id));
    }

    /** Enabled providers in panel order. */
    public List<Provider> enabled() {
        return new ArrayList<>(providers.values());
    }

    public boolean isEnabled(String id) {
        return providers.containsKey(id);
    }

    public CircuitBreakerRegistry circuits() {
        return circuits;
    }
}
