package com.skyyrose.hub.console;

import com.skyyrose.hub.api.ProblemException;
import com.skyyrose.hub.routes.SafeRouteReloadStrategy;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.distribution.ValueAtPercentile;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.Route;
import org.apache.camel.ServiceStatus;
import org.apache.camel.spi.Resource;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.stereotype.Component;

/**
 * The routes page of the console: every Camel route of this instance with where it is defined, its status, and
 * its exchanges, failures and times from the Micrometer route policy; and the YAML of a route's file (read-only,
 * only files inside the routes folder).
 */
@Component("routeInspector")
public class RouteInspector {

    static final String EXCHANGES = "camel.exchanges.total";
    static final String FAILED = "camel.exchanges.failed";
    static final String ROUTE_TIMER = "camel.route.policy";
    private static final long MAX_SOURCE_BYTES = 1024 * 1024;

    private final CamelContext camel;
    private final MeterRegistry meters;
    private final RouteFailures failures;
    private final Path routesFolder;

    /** Route files edited through the API: their revision, not the file on disk, is what runs. */
    private final org.springframework.beans.factory.ObjectProvider<com.skyyrose.hub.routes.RouteRevisions> revisions;

    public RouteInspector(CamelContext camel, MeterRegistry meters, RouteFailures failures,
            @Qualifier("routesFolder") Path routesFolder,
            org.springframework.beans.factory.ObjectProvider<com.skyyrose.hub.routes.RouteRevisions> revisions) {
        this.revisions = revisions;
        this.camel = camel;
        this.meters = meters;
        this.failures = failures;
        this.routesFolder = routesFolder;
    }

    /** GET /api/v1/ops/routes */
    public Map<String, Object> list(Exchange exchange) {
        List<Map<String, Object>> items = new ArrayList<>();
        camel.getRoutes().stream().sorted(Comparator.comparing(Route::getRouteId))
                .forEach(route -> items.add(describe(route)));
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("items", items);
        body.put("total", items.size());
        body.put("routes_folder", routesFolder.getFileName().toString());
        return body;
    }

    /** GET /api/v1/ops/routes/{routeId}/source */
    public Map<String, Object> source(Exchange exchange) throws IOException {
        String routeId = exchange.getMessage().getHeader("routeId", String.class);
        Route route = routeId == null ? null : camel.getRoute(routeId);
        if (route == null) {
            throw ProblemException.notFound("No route '" + routeId + "' on this instance.");
        }
        Path file = yamlFile(route).orElseThrow(() -> ProblemException.notFound("Route '" + routeId
                + "' is defined in Java, not in a YAML file of the routes folder."));
        com.skyyrose.hub.routes.RouteRevisions edited = revisions.getIfAvailable();
        com.skyyrose.hub.routes.RouteRevisions.Effective running = edited == null ? null
                : edited.effective(routesFolder.relativize(file).toString().replace('\\', '/'));
        if (running != null && running.revision() > 0) {
            Map<String, Object> body = new LinkedHashMap<>();
            body.put("route_id", routeId);
            body.put("file", displayPath(file));
            body.put("revision", running.revision());
            body.putAll(reload(route, file));
            body.put("yaml", running.content());
            return body;
        }
        if (Files.size(file) > MAX_SOURCE_BYTES) {
            throw ProblemException.notFound("The file of route '" + routeId + "' is too large to show.");
        }
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("route_id", routeId);
        body.put("file", displayPath(file));
        body.put("modified_at", Files.getLastModifiedTime(file).toInstant().toString());
        body.putAll(reload(route, file));
        body.put("yaml", Files.readString(file, StandardCharsets.UTF_8));
        return body;
    }

    private Map<String, Object> describe(Route route) {
        String id = route.getRouteId();
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("id", id);
        putIfPresent(m, "description", route.getDescription());
        Optional<Path> yaml = yamlFile(route);
        Map<String, Object> source = new LinkedHashMap<>();
        source.put("kind", yaml.isPresent() ? "yaml" : "java");
        yaml.ifPresent(f -> source.put("file", displayPath(f)));
        if (yaml.isEmpty() && route.getSourceLocationShort() != null) {
            source.put("location", route.getSourceLocationShort());
        }
        m.put("source", source);
        putIfPresent(m, "from", route.getEndpoint() == null ? null : route.getEndpoint().getEndpointBaseUri());
        ServiceStatus status = camel.getRouteController().getRouteStatus(id);
        m.put("status", status == null ? "unknown" : status.name().toLowerCase());
        m.put("started_at", Instant.now().minusMillis(route.getUptimeMillis()).toString());
        yaml.ifPresent(f -> m.putAll(reload(route, f)));
        m.put("exchanges", (long) count(EXCHANGES, id));
        m.put("failures", (long) count(FAILED, id));
        Timer timer = meters.find(ROUTE_TIMER).tag("routeId", id).timer();
        if (timer != null && timer.count() > 0) {
            m.put("mean_ms", round(timer.mean(TimeUnit.MILLISECONDS)));
            for (ValueAtPercentile p : timer.takeSnapshot().percentileValues()) {
                if (Math.abs(p.percentile() - 0.99) < 1e-9) {
                    m.put("p99_ms", round(p.value(TimeUnit.MILLISECONDS)));
                }
            }
        }
        failures.lastFailure(id).ifPresent(f -> m.put("last_failure", Map.of("at", f.at().toString(),
                "error", f.error())));
        return m;
    }

    /** When the route's file was last reloaded (live reload), else when the route started. */
    private Map<String, Object> reload(Route route, Path file) {
        Map<String, Object> m = new LinkedHashMap<>();
        SafeRouteReloadStrategy reloader = camel.hasService(SafeRouteReloadStrategy.class);
        SafeRouteReloadStrategy.ReloadOutcome outcome = reloader == null ? null
                : reloader.lastOutcomes().get(file.toString());
        if (outcome != null && outcome.applied()) {
            m.put("reloaded_at", outcome.at().toString());
        } else {
            m.put("reloaded_at", Instant.now().minusMillis(route.getUptimeMillis()).toString());
        }
        if (outcome != null && !outcome.applied()) {
            m.put("reload_rejected", Map.of("at", outcome.at().toString(), "error", String.valueOf(outcome.error())));
        }
        m.put("live_reload", reloader != null);
        return m;
    }

    /** The route's YAML file when it lies inside the routes folder (Java routes have none). */
    Optional<Path> yamlFile(Route route) {
        Resource resource = route.getSourceResource();
        if (resource == null || resource.getLocation() == null) {
            return Optional.empty();
        }
        String location = resource.getLocation();
        if (location.startsWith("file:")) {
            location = location.substring(5);
        } else if (location.contains(":") && !location.startsWith("/")) {
            return Optional.empty();
        }
        Path file = Path.of(location).toAbsolutePath().normalize();
        // a file added through the route files API exists only as a revision
        if (!file.startsWith(routesFolder) || !(Files.isRegularFile(file) || revisions.getIfAvailable() != null)
                || !(file.toString().endsWith(".yaml") || file.toString().endsWith(".yml"))) {
            return Optional.empty();
        }
        return Optional.of(file);
    }

    private String displayPath(Path file) {
        return (routesFolder.getFileName() + "/" + routesFolder.relativize(file)).replace('\\', '/');
    }

    private double count(String name, String routeId) {
        Counter counter = meters.find(name).tag("routeId", routeId).tag("eventType", "route").counter();
        return counter == null ? 0 : counter.count();
    }

    static double round(double ms) {
        return Math.round(ms * 10) / 10.0;
    }

    private static void putIfPresent(Map<String, Object> map, String key, Object value) {
        if (value != null) {
            map.put(key, value);
        }
    }
}
