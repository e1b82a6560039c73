package com.skyyrose.hub.tools;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.github.fge.jsonschema.main.JsonSchema;
import com.github.fge.jsonschema.main.JsonSchemaFactory;
import com.skyyrose.hub.api.ProblemException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.Route;
import org.apache.camel.ServiceStatus;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.convert.DurationStyle;
import org.springframework.stereotype.Component;

/**
 * The tool registry, generated from what is registered: every started route consuming {@code direct:tool-<name>}
 * whose descriptor is found in a {@code *.tools.yml} file of the tools folder is a tool. A route without a
 * descriptor (or a descriptor without a route) is not listed, and is logged once. Descriptor files are re-read when
 * they change, so a reloaded route and its descriptor appear together.
 */
@Component("toolRegistry")
public class ToolRegistry {

    private static final Logger LOG = LoggerFactory.getLogger(ToolRegistry.class);
    private static final String PREFIX = "direct://tool-";
    private static final Pattern NAME = Pattern.compile("^[a-z0-9][a-z0-9_]*(\\.[a-z0-9_]+)+$");
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

    private final CamelContext camel;
    private final Path dir;
    private final Map<Path, Loaded> files = new ConcurrentHashMap<>();
    private final Map<String, JsonSchema> schemas = new ConcurrentHashMap<>();
    private final Map<String, Boolean> warned = new ConcurrentHashMap<>();

    private record Loaded(long modified, long size, List<ToolDescriptor> descriptors) {
    }

    /** Edited descriptor files (route files API): their revision, not the file on disk, is what runs. */
    private final org.springframework.beans.factory.ObjectProvider<com.skyyrose.hub.routes.RouteRevisions> revisions;

    public ToolRegistry(CamelContext camel, @Value("${hub.tools.descriptors-dir}") String dir,
            org.springframework.beans.factory.ObjectProvider<com.skyyrose.hub.routes.RouteRevisions> revisions) {
        this.camel = camel;
        this.dir = Path.of(dir);
        this.revisions = revisions;
    }

    /** Every registered tool, by name. */
    public List<ToolDescriptor> tools() {
        Map<String, ToolDescriptor> descriptors = descriptors();
        List<ToolDescriptor> tools = new ArrayList<>();
        for (String name : toolRoutes()) {
            ToolDescriptor descriptor = descriptors.get(name);
            if (descriptor == null) {
                warnOnce("route:" + name, "Route direct:tool-{} has no descriptor in {}/*.tools.yml: not listed", name,
                        dir);
            } else {
                tools.add(descriptor);
            }
        }
        descriptors.keySet().stream().filter(n -> tools.stream().noneMatch(t -> t.name().equals(n)))
                .forEach(n -> warnOnce("descriptor:" + n, "Tool {} has a descriptor but no started route", n));
        tools.sort(Comparator.comparing(ToolDescriptor::name));
        return tools;
    }

    public Optional<ToolDescriptor> find(String name) {
        if (name == null || !NAME.matcher(name).matches()) {
            return Optional.empty();
        }
        return tools().stream().filter(t -> t.name().equals(name)).findFirst();
    }

    public ToolDescriptor require(String name) {
        return find(name).orElseThrow(() -> ProblemException.notFound("No tool named '" + name + "'."));
    }

    /** The compiled JSON Schema of a tool's arguments. */
    public JsonSchema schema(ToolDescriptor tool) {
        return schemas.computeIfAbsent(tool.name() + "@" + System.identityHashCode(tool.parameters()), k -> {
            try {
                return JsonSchemaFactory.byDefault().getJsonSchema(tool.parameters());
            } catch (Exception e) {
                throw new IllegalStateException("invalid JSON Schema for tool " + tool.name() + ": " + e.getMessage(), e);
            }
        });
    }

    // ---- REST: GET /api/v1/tools, GET /api/v1/tools/{name} --------------------------------------------------

    public Map<String, Object> listTools() {
        List<Map<String, Object>> list = tools().stream().map(ToolDescriptor::toMap).toList();
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("tools", list);
        body.put("count", list.size());
        return body;
    }

    public Map<String, Object> getTool(Exchange exchange) {
        return require(exchange.getMessage().getHeader("name", String.class)).toMap();
    }

    // ---- internals -----------------------------------------------------------------------------------------

    private List<String> toolRoutes() {
        List<String> names = new ArrayList<>();
        for (Route route : camel.getRoutes()) {
            String uri = route.getEndpoint().getEndpointBaseUri();
            if (uri.startsWith(PREFIX)) {
                ServiceStatus status = camel.getRouteController().getRouteStatus(route.getRouteId());
                if (status != null && status.isStarted()) {
                    names.add(uri.substring(PREFIX.length()));
                }
            }
        }
        return names;
    }

    private Map<String, ToolDescriptor> descriptors() {
        Map<String, ToolDescriptor> all = new LinkedHashMap<>();
        List<Path> present = new ArrayList<>();
        if (Files.isDirectory(dir)) {
            try (Stream<Path> list = Files.list(dir)) {
                list.filter(p -> p.getFileName().toString().endsWith(".tools.yml")).sorted().forEach(present::add);
            } catch (IOException e) {
                LOG.warn("Cannot list tool descriptors in {}: {}", dir, e.toString());
            }
        }
        com.skyyrose.hub.routes.RouteRevisions edited = revisions.getIfAvailable();
        if (edited != null) {
            present.addAll(edited.descriptorsAddedIn(dir));
        }
        files.keySet().retainAll(present);
        for (Path file : present) {
            Loaded loaded = load(file);
            for (ToolDescriptor d : loaded.descriptors()) {
                ToolDescriptor previous = all.putIfAbsent(d.name(), d);
                if (previous != null) {
                    warnOnce("dup:" + d.name(), "Tool {} is described twice; the first description wins", d.name());
                }
            }
        }
        return all;
    }

    private Loaded load(Path file) {
        com.skyyrose.hub.routes.RouteRevisions edited = revisions.getIfAvailable();
        Optional<String> override = edited == null ? null : edited.descriptorOverride(file);
        if (override != null) {
            return loadEdited(file, override.orElse(null));
        }
        long modified;
        long size;
        try {
            modified = Files.getLastModifiedTime(file).toMillis();
            size = Files.size(file);
        } catch (IOException e) {
            return new Loaded(0, 0, List.of());
        }
        Loaded cached = files.get(file);
        if (cached != null && cached.modified() == modified && cached.size() == size) {
            return cached;
        }
        List<ToolDescriptor> descriptors = new ArrayList<>();
        try {
            JsonNode root = YAML.readTree(file.toFile());
            if (root == null || !root.isArray()) {
                throw new IllegalArgumentException("expected a list of tool descriptors");
            }
            for (JsonNode node : root) {
                descriptors.add(parse(node, file.getFileName().toString()));
            }
        } catch (Exception e) {
            // a broken file is logged and skipped: the last good version keeps serving
            LOG.error("Tool descriptors in {} are invalid and ignored: {}", file, e.getMessage());
            if (cached != null) {
                return cached;
            }
            descriptors.clear();
        }
        Loaded loaded = new Loaded(modified, size, List.copyOf(descriptors));
        files.put(file, loaded);
        return loaded;
    }

    /** An edited descriptor file: its revision's content (null: deleted), keyed by content so it is parsed once. */
    private Loaded loadEdited(Path file, String content) {
        if (content == null) {
            return new Loaded(0, 0, List.of());
        }
        long key = content.hashCode();
        Loaded cached = files.get(file);
        if (cached != null && cached.modified() == -1 && cached.size() == key) {
            return cached;
        }
        List<ToolDescriptor> descriptors = new ArrayList<>();
        try {
            JsonNode root = YAML.readTree(content);
            for (JsonNode node : root) {
                descriptors.add(parse(node, file.getFileName().toString()));
            }
        } catch (Exception e) {
            LOG.error("Edited tool descriptors of {} are invalid and ignored: {}", file, e.getMessage());
            return cached != null ? cached : new Loaded(0, 0, List.of());
        }
        Loaded loaded = new Loaded(-1, key, List.copyOf(descriptors));
        files.put(file, loaded);
        return loaded;
    }

    /** One descriptor as read from a {@code *.tools.yml} list item (also used to validate edited descriptors). */
    public static ToolDescriptor parse(JsonNode node, String source) {
        String name = text(node, "name");
        if (!NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("tool name '" + name + "' must look like connector.resource.action");
        }
        String severity = text(node, "severity");
        if (!ToolDescriptor.SEVERITIES.contains(severity)) {
            throw new IllegalArgumentException(name + ": severity must be one of " + ToolDescriptor.SEVERITIES);
        }
        JsonNode parameters = node.get("parameters");
        if (parameters == null || !parameters.isObject() || !"object".equals(parameters.path("type").asText())) {
            throw new IllegalArgumentException(name + ": parameters must be a JSON Schema of type object");
        }
        try {
            JsonSchemaFactory.byDefault().getJsonSchema(parameters);
        } catch (Exception e) {
            throw new IllegalArgumentException(name + ": parameters is not a valid JSON Schema: " + e.getMessage());
        }
        JsonNode rate = node.path("rate_limit");
        int capacity = rate.path("capacity").asInt(60);
        Duration period = DurationStyle.detectAndParse(rate.path("period").asText("1m"));
        return new ToolDescriptor(name, text(node, "description"), text(node, "category"), severity, parameters,
                text(node, "permission"), DurationStyle.detectAndParse(node.path("timeout").asText("30s")),
                node.path("idempotent").asBoolean(false), new ToolDescriptor.RateLimit(capacity, period), source,
                escalations(name, severity, node.path("escalate")));
    }

    /** {@code escalate: [{when: <JSON Schema>, severity?, permission?, reason}]}: each rule must raise something. */
    private static List<ToolDescriptor.Escalation> escalations(String name, String severity, JsonNode rules) {
        if (rules.isMissingNode() || rules.isNull()) {
            return List.of();
        }
        if (!rules.isArray()) {
            throw new IllegalArgumentException(name + ": escalate must be a list");
        }
        List<ToolDescriptor.Escalation> out = new ArrayList<>();
        for (JsonNode rule : rules) {
            JsonNode when = rule.get("when");
            if (when == null || !when.isObject()) {
                throw new IllegalArgumentException(name + ": every escalate rule needs 'when', a JSON Schema");
            }
            JsonSchema schema;
            try {
                schema = JsonSchemaFactory.byDefault().getJsonSchema(when);
            } catch (Exception e) {
                throw new IllegalArgumentException(name + ": escalate 'when' is not a valid JSON Schema: "
                        + e.getMessage());
            }
            String raised = rule.path("severity").asText(null);
            String permission = rule.path("permission").asText(null);
            if (raised == null && permission == null) {
                throw new IllegalArgumentException(name + ": an escalate rule must raise the severity or add a permission");
            }
            if (raised != null && ToolDescriptor.SEVERITY_ORDER.indexOf(raised)
                    <= ToolDescriptor.SEVERITY_ORDER.indexOf(severity)) {
                throw new IllegalArgumentException(name + ": an escalate rule's severity must be above " + severity);
            }
            if (permission != null && !permission.contains(":")) {
                throw new IllegalArgumentException(name + ": an escalate rule's permission must be resource:action");
            }
            out.add(new ToolDescriptor.Escalation(when, schema, raised, permission, text(rule, "reason")));
        }
        return List.copyOf(out);
    }

    private static String text(JsonNode node, String field) {
        JsonNode value = node.get(field);
        if (value == null || !value.isTextual() || value.asText().isBlank()) {
            throw new IllegalArgumentException("descriptor " + node.path("name").asText("?") + " lacks '" + field + "'");
        }
        return value.asText();
    }

    private void warnOnce(String key, String message, Object... args) {
        if (warned.putIfAbsent(key, Boolean.TRUE) == null) {
            LOG.warn(message, args);
        }
    }
}
