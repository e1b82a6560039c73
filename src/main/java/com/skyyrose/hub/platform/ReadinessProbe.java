package com.skyyrose.hub.platform;

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
import javax.sql.DataSource;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.data.redis.connection.RedisConnection;
import org.springframework.data.redis.connection.RedisConnectionFactory;
import org.springframework.stereotype.Component;

/**
 * Checks the hub's two dependencies in parallel, each with its own deadline, and reports per component.
 * Used by the readiness route ({@code routes/ops/health.camel.yaml}); liveness never calls it.
 */
@Component("readinessProbe")
public class ReadinessProbe implements DisposableBean {

    private final DataSource dataSource;
    private final RedisConnectionFactory redis;
    private final Duration timeout;
    private final ExecutorService checks = Executors.newFixedThreadPool(2, r -> {
        Thread t = new Thread(r, "readiness-check");
        t.setDaemon(true);
        return t;
    });

    public ReadinessProbe(DataSource dataSource, RedisConnectionFactory redis,
            @Value("${hub.readiness.timeout}") Duration timeout) {
        this.dataSource = dataSource;
        this.redis = redis;
        this.timeout = timeout;
    }

    /** {@code {status: UP|DOWN, components: {postgres: {...}, redis: {...}}}}. */
    public Map<String, Object> check() {
        CompletableFuture<Map<String, Object>> postgres = run(this::checkPostgres);
        CompletableFuture<Map<String, Object>> cache = run(this::checkRedis);
        Map<String, Object> components = new LinkedHashMap<>();
        components.put("postgres", await(postgres));
        components.put("redis", await(cache));
        boolean up = components.values().stream()
                .allMatch(c -> "UP".equals(((Map<?, ?>) c).get("status")));
        Map<String, Object> report = new LinkedHashMap<>();
        report.put("status", up ? "UP" : "DOWN");
        report.put("components", components);
        return report;
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
