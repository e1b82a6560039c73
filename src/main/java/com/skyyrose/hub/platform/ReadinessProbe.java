package com.skyyrose.hub.platform;

import com.skyyrose.hub.security.Principal;
import java.sql.Connection;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import javax.sql.DataSource;
import org.apache.camel.Exchange;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.data.redis.connection.RedisConnection;
import org.springframework.data.redis.connection.RedisConnectionFactory;
import org.springframework.stereotype.Component;

/**
 * Checks the hub's two dependencies in parallel, each with its own deadline, and reports per component.
 * Used by the readiness route ({@code routes/ops/health.camel.yaml}); liveness never calls it.
 *
 * <p>{@code /health/ready} is public (load balancers probe it without credentials), so an anonymous caller learns
 * only UP/DOWN per component: versions, latencies and exception messages (host names, user names, driver
 * internals) go to a caller holding {@link #DETAILS_PERMISSION}, and every change of a component's state is logged
 * with its error.
 */
@Component("readinessProbe")
public class ReadinessProbe implements DisposableBean {

    private static final Logger LOG = LoggerFactory.getLogger(ReadinessProbe.class);
    /** Who may see why a component is down: the ops console's permission (operators, admins). */
    public static final String DETAILS_PERMISSION = "routes:inspect";

    private final Map<String, String> lastStatus = new ConcurrentHashMap<>();

    private final DataSource dataSource;
    private final RedisConnectionFactory redis;
    private final Duration timeout;
    private final ExecutorService checks = Executors.newFixedThreadPool(2, r -> {
        Thread t = new Thread(r, "readiness-check");
        t.setDaemon(true);
        return t;
    });

    private final ShutdownDrain shutdown;

    public ReadinessProbe(DataSource dataSource, RedisConnectionFactory redis,
            @Value("${hub.readiness.timeout}") Duration timeout, ShutdownDrain shutdown) {
        this.dataSource = dataSource;
        this.redis = redis;
        this.timeout = timeout;
        this.shutdown = shutdown;
    }

    /** GET /health/ready: the full report for a caller with {@link #DETAILS_PERMISSION}, else status only. */
    public Map<String, Object> report(Exchange exchange) {
        Map<String, Object> report = check();
        boolean details = Principal.current(exchange).map(p -> p.has(DETAILS_PERMISSION)).orElse(false);
        return details ? report : statusOnly(report);
    }

    /** The report without anything but UP/DOWN per component. */
    static Map<String, Object> statusOnly(Map<String, Object> report) {
        Map<String, Object> components = new LinkedHashMap<>();
        ((Map<?, ?>) report.get("components")).forEach((name, component) -> components.put((String) name,
                Map.of("status", ((Map<?, ?>) component).get("status"))));
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("status", report.get("status"));
        out.put("components", components);
        return out;
    }

    /** {@code {status: UP|DOWN, components: {postgres: {...}, redis: {...}}}}. */
    public Map<String, Object> check() {
        CompletableFuture<Map<String, Object>> postgres = run(this::checkPostgres);
        CompletableFuture<Map<String, Object>> cache = run(this::checkRedis);
        Map<String, Object> components = new LinkedHashMap<>();
        components.put("postgres", await(postgres));
        components.put("redis", await(cache));
        if (shutdown.draining()) {
            // the platform must stop sending traffic before the instance stops accepting it
            Map<String, Object> draining = new LinkedHashMap<>();
            draining.put("status", "DOWN");
            draining.put("error", "the instance is shutting down");
            components.put("instance", draining);
        }
        components.forEach((name, c) -> logChange(name, (Map<?, ?>) c));
        boolean up = components.values().stream()
                .allMatch(c -> "UP".equals(((Map<?, ?>) c).get("status")));
        Map<String, Object> report = new LinkedHashMap<>();
        report.put("status", up ? "UP" : "DOWN");
        report.put("components", components);
        return report;
    }

    private void logChange(String name, Map<?, ?> component) {
        String status = String.valueOf(component.get("status"));
        String before = lastStatus.put(name, status);
        if (status.equals(before)) {
            return;
        }
        if ("DOWN".equals(status)) {
            LOG.warn("Readiness: {} is DOWN: {}", name, component.get("error"));
        } else if (before != null) {
            LOG.info("Readiness: {} is UP again", name);
        }
    }

    private String checkPostgres() throws Exception {
        try (Connection c = dataSource.getConnection()) {
            if (!c.isValid((int) Math.max(1, timeout.toSeconds()))) {
                throw new IllegalStateException("connection is not valid");
            }
            return c.getMetaData().getDatabaseProductVersion();
        }
    }

    private String checkRedis() {
        try (RedisConnection c = redis.getConnection()) {
            return c.ping();
        }
    }

    private CompletableFuture<Map<String, Object>> run(Callable<String> check) {
        return CompletableFuture.supplyAsync(() -> {
            long start = System.nanoTime();
            Map<String, Object> result = new LinkedHashMap<>();
            try {
                String detail = check.call();
                result.put("status", "UP");
                result.put("detail", detail);
            } catch (Exception e) {
                result.put("status", "DOWN");
                result.put("error", describe(e));
            }
            result.put("latencyMs", (System.nanoTime() - start) / 1_000_000);
            return result;
        }, checks);
    }

    private Map<String, Object> await(CompletableFuture<Map<String, Object>> future) {
        try {
            return future.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            future.cancel(true);
            Map<String, Object> result = new LinkedHashMap<>();
            result.put("status", "DOWN");
            result.put("error", "no answer within " + timeout.toMillis() + " ms");
            return result;
        } catch (Exception e) {
            Map<String, Object> result = new LinkedHashMap<>();
            result.put("status", "DOWN");
            result.put("error", describe(e));
            return result;
        }
    }

    private static String describe(Throwable e) {
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        String message = root.getMessage();
        return root.getClass().getSimpleName() + (message != null ? ": " + message : "");
    }

    @Override
    public void destroy() {
        checks.shutdownNow();
    }
}
