package com.skyyrose.hub.llm;

import dev.langchain4j.model.chat.request.ChatRequest;
import dev.langchain4j.model.chat.response.ChatResponse;
import java.time.Duration;
import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.springframework.stereotype.Component;

/**
 * The two Java steps of a provider call (route {@code llm-attempt}, routes/round-table/llm-providers.camel.yaml):
 * {@link #call} asks the provider's model bean once, and {@link #retry} is the {@code retryWhile} of the
 * routeConfiguration {@code llm-provider-retries}: only 429, 5xx and connection failures, at most
 * {@code HUB_LLM_RETRY_MAX_ATTEMPTS} attempts, waiting the vendor's {@code Retry-After} (else exponential backoff,
 * {@code HUB_LLM_RETRY_BACKOFF}) through Camel's {@code CamelRedeliveryDelay} header, never longer than
 * {@code HUB_LLM_RETRY_MAX_WAIT} nor past the round's deadline.
 */
@Component("llmProviderAttempt")
public class ProviderAttempt {

    /** Header: the provider id (its model bean is {@code llm-<id>}). */
    public static final String PROVIDER = "hub.llm.provider";
    /** Header: the call's deadline, {@link System#nanoTime()} based. */
    public static final String DEADLINE = "hub.llm.deadline";

    private final CamelContext camel;
    private final LlmProperties.Retry retry;

    public ProviderAttempt(CamelContext camel, LlmProperties props) {
        this.camel = camel;
        this.retry = props.getRetry();
    }

    /** One attempt: the body (a ChatRequest) becomes the model's ChatResponse, tokens and finish reason included. */
    public ChatResponse call(Exchange exchange) {
        exchange.getMessage().removeHeader(Exchange.REDELIVERY_DELAY);
        String id = exchange.getMessage().getHeader(PROVIDER, String.class);
        ChatProvider provider = camel.getRegistry().lookupByNameAndType(ProviderRegistry.PREFIX + id,
                ChatProvider.class);
        if (provider == null) {
            throw new IllegalStateException("no model bean " + ProviderRegistry.PREFIX + id);
        }
        ChatRequest request = exchange.getMessage().getBody(ChatRequest.class);
        if (request == null) {
            throw new IllegalArgumentException("direct:llm-" + id + " needs a ChatRequest body");
        }
        Long deadline = exchange.getMessage().getHeader(DEADLINE, Long.class);
        if (deadline == null) {
            return provider.chatModel().chat(request);
        }
        return ChatHttpClient.withDeadline(deadline, () -> provider.chatModel().chat(request));
    }

    /** {@code retryWhile}: whether to try again, and after how long (sets {@code CamelRedeliveryDelay}). */
    public boolean retry(Exchange exchange) {
        Throwable failure = exchange.getException();
        if (failure == null) {
            failure = exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Throwable.class);
        }
        // when retryWhile runs, Camel's counter holds the attempts that failed so far
        int attempt = Math.max(1, exchange.getIn().getHeader(Exchange.REDELIVERY_COUNTER, 0, Integer.class));
        Duration wait = retryDelay(failure, attempt, exchange.getMessage().getHeader(DEADLINE, Long.class));
        if (wait == null) {
            return false;
        }
        exchange.getIn().setHeader(Exchange.REDELIVERY_DELAY, wait.toMillis());
        return true;
    }

    /**
     * The retry rule itself (also applied by the assistants' direct pass-through, which calls the vendor without the
     * route): after {@code failedAttempts} failed attempts, how long to wait before the next one, or null when the
     * failure is not retryable, the attempts are used up, or the wait would pass the deadline.
     */
    public Duration retryDelay(Throwable failure, int failedAttempts, Long deadline) {
        int attempt = Math.max(1, failedAttempts);
        if (attempt >= Math.max(1, retry.getMaxAttempts())) {
            return null;
        }
        Duration wait = null;
        boolean retryable = false;
        for (Throwable t = failure; t != null && t.getCause() != t; t = t.getCause()) {
            if (t instanceof ChatHttpClient.RetryableFailure r) {
                retryable = true;
                wait = r.retryAfter();
                break;
            }
            if (t instanceof ChatHttpClient.ConnectionFailure) {
                retryable = true;
                break;
            }
        }
        if (!retryable) {
            return null;
        }
        if (wait == null) {
            wait = retry.getBackoff().multipliedBy(1L << Math.min(10, attempt - 1));
        }
        Duration remaining = deadline == null ? Duration.ofDays(1) : Duration.ofNanos(deadline - System.nanoTime());
        if (wait.compareTo(retry.getMaxWait()) > 0 || wait.plusMillis(50).compareTo(remaining) >= 0) {
            return null;
        }
        return wait;
    }
}
