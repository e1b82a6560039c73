package com.skyyrose.hub.llm;

import io.opentelemetry.context.Context;
import java.util.concurrent.ExecutorService;
import org.apache.camel.CamelContext;
import org.apache.camel.util.concurrent.ThreadPoolRejectedPolicy;
import org.apache.camel.builder.ThreadPoolProfileBuilder;
import org.apache.camel.spi.ThreadPoolProfile;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Configuration;

/**
 * Wiring of the round table: its settings and the named thread pool profile {@code round-table} its fan-out runs
 * on (referenced by name from routes/round-table/round-table.camel.yaml). The pool is Camel's, not a Spring
 * {@code Executor} bean: Camel creates it on first use and shuts it down with the context.
 */
@Configuration
@EnableConfigurationProperties(LlmProperties.class)
public class LlmConfiguration {

    public static final String POOL_PROFILE = "round-table";

    private final CamelContext camel;
    private volatile ExecutorService judgePool;
    private volatile ExecutorService callPool;

    public LlmConfiguration(CamelContext camel, LlmProperties props) {
        this.camel = camel;
        // a branch blocks its thread for the provider call: grow to the maximum instead of queueing (a queued
        // branch would wait behind slow providers); past the maximum the caller runs the branch itself
        ThreadPoolProfile profile = new ThreadPoolProfileBuilder(POOL_PROFILE)
                .poolSize(Math.min(16, props.getPoolSize())).maxPoolSize(props.getPoolSize()).maxQueueSize(0)
                .keepAliveTime(60L).rejectedPolicy(ThreadPoolRejectedPolicy.CallerRuns).build();
        camel.getExecutorServiceManager().registerThreadPoolProfile(profile);
        ((org.apache.camel.model.ModelCamelContext) camel).addResilience4jConfiguration(CIRCUIT_CONFIGURATION,
                circuitDefaults(props.getCircuit()));
    }

    /** Name of the provider routes' shared breaker settings ({@code circuitBreaker: configuration: llm-provider}). */
    public static final String CIRCUIT_CONFIGURATION = "llm-provider";

    /**
     * The providers' breaker settings from {@code HUB_LLM_CB_*}, tuned for low traffic (resilience4j's defaults —
     * 100 calls, 60 s — never open): opens on failures and on slow calls (a provider that answers, but too late to
     * count, is not worth waiting for). A provider file may override any of them inline.
     */
    static org.apache.camel.model.Resilience4jConfigurationDefinition circuitDefaults(LlmProperties.Circuit c) {
        org.apache.camel.model.Resilience4jConfigurationDefinition d =
                new org.apache.camel.model.Resilience4jConfigurationDefinition();
        d.setSlidingWindowType("COUNT_BASED");
        d.setSlidingWindowSize(String.valueOf(Math.max(1, c.getWindow())));
        d.setMinimumNumberOfCalls(String.valueOf(Math.max(1, c.getMinimumCalls())));
        d.setFailureRateThreshold(String.valueOf(c.getFailureRate()));
        // Camel takes these two in whole seconds
        d.setSlowCallDurationThreshold(String.valueOf(Math.max(1, c.getSlowCall().toSeconds())));
        d.setSlowCallRateThreshold(String.valueOf(c.getSlowCallRate()));
        d.setWaitDurationInOpenState(String.valueOf(Math.max(1, c.getOpenFor().toSeconds())));
        d.setPermittedNumberOfCallsInHalfOpenState(String.valueOf(Math.max(1, c.getHalfOpenCalls())));
        d.setAutomaticTransitionFromOpenToHalfOpenEnabled("true");
        d.setThrowExceptionWhenHalfOpenOrOpenState("true");
        return d;
    }

    /** A pool of the same profile for the judge's two parallel calls (managed and shut down by Camel). */
    ExecutorService judgePool() {
        ExecutorService pool = judgePool;
        if (pool == null) {
            synchronized (this) {
                if (judgePool == null) {
                    judgePool = Context.taskWrapping(camel.getExecutorServiceManager().newThreadPool(this,
                            "round-table-judge", POOL_PROFILE));
                }
                pool = judgePool;
            }
        }
        return pool;
    }

    /**
     * The pool provider calls run on, apart from the fan-out branch that waits for them: a branch can then give up
     * on a late provider at once while the call runs on to its own timeout (managed and shut down by Camel). Calls
     * carry the branch's trace context, so a provider's GenAI span is a child of its branch.
     */
    ExecutorService callPool() {
        ExecutorService pool = callPool;
        if (pool == null) {
            synchronized (this) {
                if (callPool == null) {
                    callPool = Context.taskWrapping(camel.getExecutorServiceManager().newThreadPool(this,
                            "round-table-call", POOL_PROFILE));
                }
                pool = callPool;
            }
        }
        return pool;
    }
}
