package com.skyyrose.hub.routes;

import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.apache.camel.CamelContext;
import org.apache.camel.Route;
import org.apache.camel.model.ModelCamelContext;
import org.apache.camel.model.RouteDefinition;
import org.apache.camel.spi.Resource;
import org.apache.camel.support.PluginHelper;
import org.apache.camel.support.ResourceHelper;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Replaces the routes of one file in the running CamelContext with the routes of new content (or removes them),
 * never leaving a hole: when the new routes cannot be created, the file's previous routes are put back and the
 * error is thrown to the caller. A route id that another file already uses is refused (Camel would silently
 * replace that file's route).
 */
public class LiveRouteFiles {

    private static final Logger LOG = LoggerFactory.getLogger(LiveRouteFiles.class);

    private final CamelContext camel;

    public LiveRouteFiles(CamelContext camel) {
        this.camel = camel;
    }

    /** Applies {@code content} as the file {@code file} (null: the file is gone); returns the ids now running. */
    public synchronized Set<String> apply(Path file, String content) throws Exception {
        ModelCamelContext model = (ModelCamelContext) camel;
        List<RouteDefinition> previous = definitionsFrom(model, file);
        Set<String> previousIds = new LinkedHashSet<>();
        previous.forEach(d -> previousIds.add(d.getRouteId()));
        if (content == null) {
            removeRoutesOf(file, previousIds);
            return Set.of();
        }
        Resource resource = ResourceHelper.fromString(locationFor(file), content);
        try {
            List<String> declared = RouteFileValidator.routeIds(RouteFileValidator.parse(content).json());
            for (String id : declared) {
                Route other = camel.getRoute(id);
                if (other != null && !previousIds.contains(id)) {
                    throw new IllegalArgumentException("route id '" + id + "' is already used by "
                            + (other.getSourceResource() == null ? "a Java route"
                                    : other.getSourceResource().getLocation()));
                }
            }
            Set<String> ids = PluginHelper.getRoutesLoader(camel).updateRoutes(List.of(resource));
            // routes the new version no longer declares
            for (String id : previousIds) {
                if (!ids.contains(id) && camel.getRoute(id) != null) {
                    camel.getRouteController().stopRoute(id);
                    camel.removeRoute(id);
                }
            }
            return ids;
        } catch (Exception e) {
            restore(model, file, previous);
            throw e;
        }
    }

    private void restore(ModelCamelContext model, Path file, List<RouteDefinition> previous) {
        boolean intact = previous.stream().allMatch(d -> camel.getRoute(d.getRouteId()) != null
                && camel.getRouteController().getRouteStatus(d.getRouteId()).isStarted()
                && sameFile(camel.getRoute(d.getRouteId()).getSourceResource(), file));
        if (intact) {
            return;
        }
        try {
            removeRoutesOf(file, Set.of());
            if (!previous.isEmpty()) {
                model.addRouteDefinitions(previous);
            }
        } catch (Exception e) {
            LOG.error("Could not restore the previous routes of {}: {}", file, e.toString(), e);
        }
    }

    private void removeRoutesOf(Path file, Set<String> alsoIds) throws Exception {
        List<String> ids = new ArrayList<>(alsoIds);
        for (Route route : camel.getRoutes()) {
            if (sameFile(route.getSourceResource(), file) && !ids.contains(route.getRouteId())) {
                ids.add(route.getRouteId());
            }
        }
        for (String id : ids) {
            if (camel.getRoute(id) != null) {
                camel.getRouteController().stopRoute(id);
                camel.removeRoute(id);
            }
        }
    }

    /** The location Camel used for this file at start-up (so the console and reloads match), else an absolute one. */
    private String locationFor(Path file) {
        for (Route route : camel.getRoutes()) {
            if (sameFile(route.getSourceResource(), file)) {
                return route.getSourceResource().getLocation();
            }
        }
        return "file:" + file.toAbsolutePath().normalize();
    }

    static List<RouteDefinition> definitionsFrom(ModelCamelContext model, Path file) {
        List<RouteDefinition> found = new ArrayList<>();
        for (RouteDefinition definition : model.getRouteDefinitions()) {
            if (sameFile(definition.getResource(), file)) {
                found.add(definition);
            }
        }
        return found;
    }

    static boolean sameFile(Resource resource, Path file) {
        if (resource == null || resource.getLocation() == null) {
            return false;
        }
        String location = resource.getLocation();
        String path = location.startsWith("file:") ? location.substring(5) : location;
        return Paths.get(path).toAbsolutePath().normalize().equals(file.toAbsolutePath().normalize());
    }
}
