package com.skyyrose.hub.routes;

import io.micrometer.core.instrument.MeterRegistry;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.camel.Route;
import org.apache.camel.model.ModelCamelContext;
import org.apache.camel.model.RouteDefinition;
import org.apache.camel.spi.Resource;
import org.apache.camel.support.PluginHelper;
import org.apache.camel.support.RouteWatcherReloadStrategy;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Live reload of the YAML routes in {@code routes/}, one file at a time, that never leaves a hole: when an edited
 * file does not parse or its routes cannot be created, the edit is rejected (logged, counted) and the routes the
 * file had before are put back, so they keep serving. Camel 4.17's own reloader removes the old routes first and
 * leaves nothing when the new ones fail.
 */
public class SafeRouteReloadStrategy extends RouteWatcherReloadStrategy {

    private static final Logger LOG = LoggerFactory.getLogger(SafeRouteReloadStrategy.class);

    private final MeterRegistry meters;
    private final Map<String, ReloadOutcome> lastOutcomes = new ConcurrentHashMap<>();

    /** What happened the last time a file was reloaded. */
    public record ReloadOutcome(String file, Instant at, boolean applied, Set<String> routeIds, String error) {
    }

    public SafeRouteReloadStrategy(String directory, MeterRegistry meters) {
        super(directory, true);
        this.meters = meters;
        setPattern("*.yaml");
        setRemoveAllRoutes(false);
    }

    public Map<String, ReloadOutcome> lastOutcomes() {
        return Map.copyOf(lastOutcomes);
    }

    @Override
    protected void onRouteReload(Collection<Resource> resources, boolean removeEverything) {
        if (resources == null || removeEverything) {
            super.onRouteReload(resources, removeEverything);
            return;
        }
        for (Resource resource : resources) {
            reload(resource);
        }
    }

    private synchronized void reload(Resource resource) {
        String file = resource.getLocation();
        ModelCamelContext model = (ModelCamelContext) getCamelContext();
        List<RouteDefinition> previous = definitionsFrom(model, resource);
        try {
            if (!exists(resource)) {
                List<String> removed = removeRoutesFrom(resource);
                LOG.info("Route file {} was deleted: removed routes {}", file, removed);
                record(file, true, Set.copyOf(removed), null);
                return;
            }
            Set<String> ids = PluginHelper.getRoutesLoader(getCamelContext()).updateRoutes(List.of(resource));
            LOG.info("Reloaded {}: routes {} are live", file, ids);
            record(file, true, ids, null);
        } catch (Exception e) {
            String reason = rootMessage(e);
            LOG.error("Rejected the edit of {}: {}. The previous version's routes keep serving.", file, reason);
            record(file, false, Set.of(), reason);
            restore(model, resource, previous);
        }
    }

    private void restore(ModelCamelContext model, Resource resource, List<RouteDefinition> previous) {
        boolean intact = previous.stream().allMatch(d -> getCamelContext().getRoute(d.getRouteId()) != null
                && getCamelContext().getRouteController().getRouteStatus(d.getRouteId()).isStarted());
        if (intact) {
            // the edit failed before any route was touched (e.g. it did not parse)
            return;
        }
        try {
            removeRoutesFrom(resource);
            if (!previous.isEmpty()) {
                model.addRouteDefinitions(previous);
            }
        } catch (Exception e) {
            LOG.error("Could not restore the previous routes of {}: {}", resource.getLocation(), rootMessage(e), e);
        }
    }

    private List<String> removeRoutesFrom(Resource resource) throws Exception {
        List<String> removed = new ArrayList<>();
        for (Route route : getCamelContext().getRoutes()) {
            Resource source = route.getSourceResource();
            if (source != null && sameFile(source, resource)) {
                getCamelContext().getRouteController().stopRoute(route.getRouteId());
                getCamelContext().removeRoute(route.getRouteId());
                removed.add(route.getRouteId());
            }
        }
        return removed;
    }

    private static List<RouteDefinition> definitionsFrom(ModelCamelContext model, Resource resource) {
        List<RouteDefinition> found = new ArrayList<>();
        for (RouteDefinition definition : model.getRouteDefinitions()) {
            Resource source = definition.getResource();
            if (source != null && sameFile(source, resource)) {
                found.add(definition);
            }
        }
        return found;
    }

    private static boolean sameFile(Resource a, Resource b) {
        return normalise(a.getLocation()).equals(normalise(b.getLocation()));
    }

    private static String normalise(String location) {
        String path = location.startsWith("file:") ? location.substring(5) : location;
        return Paths.get(path).toAbsolutePath().normalize().toString();
    }

    private static boolean exists(Resource resource) {
        return Files.exists(Path.of(normalise(resource.getLocation())));
    }

    private void record(String file, boolean applied, Set<String> ids, String error) {
        lastOutcomes.put(normalise(file), new ReloadOutcome(file, Instant.now(), applied, ids, error));
        meters.counter("hub.routes.reloads", "outcome", applied ? "applied" : "rejected").increment();
    }

    private static String rootMessage(Throwable e) {
        StringBuilder text = new StringBuilder(String.valueOf(e.getMessage()));
        Throwable cause = e.getCause();
        while (cause != null && cause != cause.getCause()) {
            if (cause.getMessage() != null && !text.toString().contains(cause.getMessage())) {
                text.append(" — ").append(cause.getMessage());
            }
            cause = cause.getCause();
        }
        return text.toString();
    }
}
