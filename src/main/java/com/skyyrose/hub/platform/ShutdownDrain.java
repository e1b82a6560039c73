package com.skyyrose.hub.platform;

import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.context.ApplicationContext;
import org.springframework.context.ApplicationListener;
import org.springframework.context.SmartLifecycle;
import org.springframework.context.event.ContextClosedEvent;
import org.springframework.stereotype.Component;

/**
 * Zero-downtime deploys: readiness turns DOWN the moment shutdown begins (the context-closed event comes before any
 * bean stops), then the instance keeps serving for {@code hub.shutdown.drain-delay} so the platform's probe sees it
 * and stops sending traffic. Only then does the web server's graceful shutdown (a later lifecycle phase) stop
 * accepting and wait for in-flight requests, and after it Camel finishes in-flight exchanges.
 */
@Component
public class ShutdownDrain implements SmartLifecycle, ApplicationListener<ContextClosedEvent> {

    private static final Logger LOG = LoggerFactory.getLogger(ShutdownDrain.class);

    private final ApplicationContext context;
    private final Duration drainDelay;
    private volatile boolean draining;
    private volatile boolean running;

    public ShutdownDrain(ApplicationContext context, @Value("${hub.shutdown.drain-delay:0s}") Duration drainDelay) {
        this.context = context;
        this.drainDelay = drainDelay;
    }

    public boolean draining() {
        return draining;
    }

    @Override
    public void onApplicationEvent(ContextClosedEvent event) {
        if (event.getApplicationContext() == context && !draining) {
            draining = true;
            LOG.info("Shutting down: readiness is DOWN from now; serving on for {} while traffic drains", drainDelay);
        }
    }

    @Override
    public void start() {
        running = true;
    }

    @Override
    public void stop() {
        draining = true;
        try {
            Thread.sleep(drainDelay.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        running = false;
    }

    @Override
    public boolean isRunning() {
        return running;
    }

    /** Stops first: before the web server's graceful shutdown and before Camel. */
    @Override
    public int getPhase() {
        return Integer.MAX_VALUE;
    }
}
