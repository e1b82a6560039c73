package com.skyyrose.hub.routes;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.camel.CamelContext;
import org.apache.camel.FailedToCreateRouteException;
import org.apache.camel.NoSuchBeanException;
import org.apache.camel.ResolveEndpointFailedException;
import org.apache.camel.Route;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.model.ModelCamelContext;
import org.apache.camel.spi.Resource;
import org.apache.camel.spring.spi.ApplicationContextBeanRepository;
import org.apache.camel.support.DefaultRegistry;
import org.apache.camel.support.PluginHelper;
import org.apache.camel.support.ResourceHelper;
import org.springframework.context.ApplicationContext;
import org.springframework.core.env.Environment;

/**
 * The third validation stage: the file's routes are created in a CamelContext of their own that sees the hub's
 * beans (Spring's registry), its settings ({@code {{...}}} placeholders), and the route configurations and templates
 * the other files declare — but starts nothing (no consumer, no timer). An unknown component or language, a bean
 * that does not exist, or a route id another file already uses is an error, placed at the line that names it.
 */
public class IsolatedRouteCreation implements RouteFileValidator.RouteCreationCheck {

    private static final Pattern NO_BEAN = Pattern.compile("No bean could be found in the registry for: ([^\\s]+)");
    private static final Pattern NO_COMPONENT = Pattern.compile("No component found with scheme: ([^\\s]+)");
    private static final Pattern ENDPOINT = Pattern.compile("(?:Failed to resolve endpoint|No endpoint could be found "
            + "for): ([^\\s,]+)");
    /** Camel names the failing step as {@code >>> to[nosuch:x] <<<}: the text in brackets is as written. */
    private static final Pattern STEP = Pattern.compile(">>> \\w+\\[([^\\]]+)\\] <<<");

    private final ApplicationContext spring;
    private final CamelContext live;
    private final Path folder;

    public IsolatedRouteCreation(ApplicationContext spring, CamelContext live, Path folder) {
        this.spring = spring;
        this.live = live;
        this.folder = folder.toAbsolutePath().normalize();
    }

    @Override
    public List<RouteFileValidator.Error> check(String path, String content, RouteFileValidator.ParsedFile parsed) {
        List<RouteFileValidator.Error> errors = new ArrayList<>();
        Path file = folder.resolve(path).normalize();
        // a route id already used by another file (Camel would quietly replace that file's route)
        for (String id : RouteFileValidator.routeIds(parsed.json())) {
            Route other = live.getRoute(id);
            if (other != null && !LiveRouteFiles.sameFile(other.getSourceResource(), file)) {
                errors.add(parsed.at(id, "route id '" + id + "' is already used by " + (other.getSourceResource()
                        == null ? "a Java route" : display(other.getSourceResource().getLocation()))));
            }
        }
        if (!errors.isEmpty()) {
            return errors;
        }
        Environment env = spring.getEnvironment();
        DefaultCamelContext isolated = new DefaultCamelContext(new DefaultRegistry(
                new ApplicationContextBeanRepository(spring)));
        try {
            isolated.getCamelContextExtension().setName("route-validation");
            isolated.setAutoStartup(false);
            isolated.getPropertiesComponent().addPropertiesSource(new org.apache.camel.spi.PropertiesSource() {
                @Override
                public String getName() {
                    return "spring-environment";
                }

                @Override
                public String getProperty(String name) {
                    return env.getProperty(name);
                }
            });
            ModelCamelContext liveModel = (ModelCamelContext) live;
            // shared pieces other files declare: route configurations and templates (not this file's own)
            isolated.addRouteConfigurations(liveModel.getRouteConfigurationDefinitions().stream()
                    .filter(c -> !LiveRouteFiles.sameFile(c.getResource(), file)).toList());
            isolated.addRouteTemplateDefinitions(liveModel.getRouteTemplateDefinitions().stream()
                    .filter(t -> !LiveRouteFiles.sameFile(t.getResource(), file)).toList());
            isolated.start();
            Resource resource = ResourceHelper.fromString("file:" + file, content);
            PluginHelper.getRoutesLoader(isolated).loadRoutes(Set.of(resource));
        } catch (Exception e) {
            errors.add(placed(e, content, parsed));
        } finally {
            try {
                isolated.close();
            } catch (Exception ignored) {
                // the validation context holds nothing worth reporting
            }
        }
        return errors;
    }

    private RouteFileValidator.Error placed(Exception e, String content, RouteFileValidator.ParsedFile parsed) {
        String routeId = null;
        String token = null;
        for (Throwable t = e; t != null && t != t.getCause(); t = t.getCause()) {
            if (t instanceof FailedToCreateRouteException failed && routeId == null) {
                routeId = failed.getRouteId();
            }
            if (token == null && t instanceof NoSuchBeanException noBean) {
                token = noBean.getName();
            }
            if (token == null && t instanceof ResolveEndpointFailedException endpoint) {
                token = endpoint.getUri();
            }
            if (token == null && t.getMessage() != null) {
                token = find(NO_BEAN, t.getMessage());
                if (token == null) {
                    token = find(STEP, t.getMessage());
                }
                if (token == null) {
                    token = find(ENDPOINT, t.getMessage());
                }
                if (token == null) {
                    token = find(NO_COMPONENT, t.getMessage());
                }
            }
        }
        String message = "routes cannot be created: " + RouteRevisions.rootMessage(e);
        if (token != null) {
            // an endpoint URI is reported normalised ("nosuch://x"): search for its scheme as written
            String written = token.contains("://") ? token.substring(0, token.indexOf("://")) + ":" : token;
            RouteFileValidator.Error at = parsed.atText(content, written, routeId, message);
            return at;
        }
        return parsed.at(routeId, message);
    }

    private static String find(Pattern pattern, String text) {
        Matcher m = pattern.matcher(text);
        return m.find() ? m.group(1).replaceAll("[.,;]+$", "") : null;
    }

    private String display(String location) {
        String p = location.startsWith("file:") ? location.substring(5) : location;
        Path abs = Path.of(p).toAbsolutePath().normalize();
        return abs.startsWith(folder) ? folder.relativize(abs).toString().replace('\\', '/') : location;
    }
}
