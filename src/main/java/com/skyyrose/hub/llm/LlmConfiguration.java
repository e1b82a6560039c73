package com.skyyrose.hub.llm;

import java.util.concurrent.ExecutorService;
import org.apache.camel.CamelContext;
import org.apache.camel.spi.ThreadPoolProfile;
import org.apache.camel.builder.ThreadPoolProfileBuilder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.context.event.ApplicationReadyEvent;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.event.EventListener;

/** Wiring of the round table: its settings and the named thread pool its fan-out (and judge) run on. */
@Configuration
@EnableConfigurationProperties(LlmProperties.class)
public class LlmConfiguration {

    private static final Logger LOG = LoggerFactory.getLogger(LlmConfiguration.class);

    /** The fan-out's own pool, managed by Camel (shut down with the context). */
    @Bean(name = "roundTablePool")
    public ExecutorService roundTablePool(CamelContext camel, LlmProperties props) {
        ThreadPoolProfile profile = new ThreadPoolProfileBuilder("round-table")
                .poolSize(props.getPoolSize()).maxPoolSize(props.getPoolSize() * 2).maxQueueSize(1000).build();
        return camel.getExecutorServiceManager().newThreadPool(this, "round-table", profile);
    }

    /** Loads the embedding model in the background so the first round does not pay for it. */
    @EventListener(ApplicationReadyEvent.class)
    public void warmUpEmbeddings() {
        Thread t = new Thread(() -> {
            try {
                TextEmbedder.warmUp();
            } catch (RuntimeException e) {
                LOG.warn("Embedding model warm-up failed: {}", e.toString());
            }
        }, "round-table-embeddings-warmup");
        t.setDaemon(true);
        t.start();
    }
}
