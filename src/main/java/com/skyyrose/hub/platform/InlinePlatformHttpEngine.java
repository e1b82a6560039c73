package com.skyyrose.hub.platform;

import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.util.concurrent.CompletableFuture;
import org.apache.camel.Processor;
import org.apache.camel.component.platform.http.PlatformHttpEndpoint;
import org.apache.camel.component.platform.http.spi.PlatformHttpConsumer;
import org.apache.camel.component.platform.http.springboot.SpringBootPlatformHttpConsumer;
import org.apache.camel.component.platform.http.springboot.SpringBootPlatformHttpEngine;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * Serves Camel's platform-http routes on the servlet container's request thread.
 *
 * <p>The starter's consumer hands every request to an executor and returns a {@link CompletableFuture}, so Spring
 * MVC starts async processing and, when the route finishes, dispatches the request through the container a second
 * time (filters, DispatcherServlet, handler mapping). Our routes block anyway (JDBC, Redis, provider calls with
 * their own timeouts), so the hop buys nothing and costs a thread switch plus a second pass through the whole
 * stack on every request: 14–17 % of the hub's CPU per webhook delivery in an A/B run (bench/webhooks.md).
 *
 * <p>Returning {@code null} from the handler method tells Spring MVC's {@code CompletionStage} return-value
 * handler that the request was handled completely, so no async dispatch happens. Tomcat's request pool
 * ({@code server.tomcat.threads.max}) is then the concurrency limit of the API.
 */
@Configuration(proxyBeanMethods = false)
public class InlinePlatformHttpEngine {

    /** Replaces the starter's engine (it is {@code @ConditionalOnMissingBean}). */
    @Bean(name = "platform-http-engine")
    SpringBootPlatformHttpEngine inlinePlatformHttpEngine(@Value("${server.port:8080}") int port) {
        return new SpringBootPlatformHttpEngine(port) {
            @Override
            public PlatformHttpConsumer createConsumer(PlatformHttpEndpoint endpoint, Processor processor) {
                return new InlineConsumer(endpoint, processor);
            }
        };
    }

    static final class InlineConsumer extends SpringBootPlatformHttpConsumer {
        private static final Logger LOG = LoggerFactory.getLogger(InlineConsumer.class);

        InlineConsumer(PlatformHttpEndpoint endpoint, Processor processor) {
            super(endpoint, processor, Runnable::run);
        }

        /** Same error handling as the starter's executor task, on the calling thread; {@code null} = handled. */
        @Override
        public CompletableFuture<Void> service(HttpServletRequest request, HttpServletResponse response) {
            try {
                handleService(request, response);
            } catch (Exception e) {
                LOG.warn("Error handling request due to: {}", e.getMessage(), e);
                try {
                    if (!response.isCommitted()) {
                        response.sendError(500);
                    }
                } catch (Exception ignored) {
                    // the client is gone; nothing left to tell it
                }
            }
            return null;
        }
    }
}
