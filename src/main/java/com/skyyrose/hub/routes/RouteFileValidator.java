package com.skyyrose.hub.routes;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.github.fge.jsonschema.core.report.ListReportProvider;
import com.github.fge.jsonschema.core.report.LogLevel;
import com.github.fge.jsonschema.core.report.ProcessingMessage;
import com.github.fge.jsonschema.core.report.ProcessingReport;
import com.github.fge.jsonschema.main.JsonSchema;
import com.github.fge.jsonschema.main.JsonSchemaFactory;
import com.skyyrose.hub.tools.ToolRegistry;
import java.io.InputStream;
import java.io.StringReader;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.error.Mark;
import org.yaml.snakeyaml.error.MarkedYAMLException;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.NodeTuple;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.nodes.SequenceNode;

/**
 * Checks a route file before it may run, in three stages, each error with its line and column (1-based):
 * <ol>
 *   <li>the path: relative, inside the routes folder, {@code *.camel.yaml} or a tools descriptor {@code *.tools.yml};</li>
 *   <li>the YAML parses, and a Camel file matches the Camel YAML DSL JSON Schema shipped in {@code camel-yaml-dsl}
 *       ({@code schema/camelYamlDsl.json}, the schema Kaoto and Camel JBang read); a tools descriptor is not a Camel
 *       file: it is checked as the tool registry reads it;</li>
 *   <li>optionally ({@link RouteCreationCheck}), its routes can be created in an isolated CamelContext with the
 *       hub's beans.</li>
 * </ol>
 * The build's test ({@code RouteFilesSchemaTest}) runs stage 1 and 2 over every file of {@code routes/}; the route
 * files API runs all three before it stores a revision.
 */
public final class RouteFileValidator {

    public static final String CAMEL_SUFFIX = ".camel.yaml";
    public static final String TOOLS_SUFFIX = ".tools.yml";
    public static final int MAX_CONTENT_BYTES = 512 * 1024;
    private static final Pattern SEGMENT = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]*");
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
    private static final int MAX_ERRORS = 20;

    /** One problem in a file; line and column are 1-based (0 when the problem is not at a place in the file). */
    public record Error(int line, int column, String message) {
    }

    /** The outcome: valid, the route ids the file defines, or the errors. */
    public record Result(boolean valid, List<String> routeIds, List<Error> errors) {
        static Result failed(List<Error> errors) {
            return new Result(false, List.of(), List.copyOf(errors));
        }
    }

    /** The third stage, which needs a running hub. */
    public interface RouteCreationCheck {
        /** Errors creating the routes of {@code content}, as file {@code path}; empty when they can be created. */
        List<Error> check(String path, String content, ParsedFile parsed);
    }

    /** The file as parsed: the YAML node tree (with marks) and the same content as JSON. */
    public record ParsedFile(Node root, JsonNode json) {

        /** Where a route with this id is declared, or the start of the file. */
        public Error at(String routeId, String message) {
            Node id = routeId == null ? null : findRouteIdNode(root, routeId);
            return id == null ? new Error(1, 1, message) : error(id.getStartMark(), message);
        }

        /** The first line holding {@code text} (a URI, a bean name), else where the route is declared. */
        public Error atText(String content, String text, String routeId, String message) {
            if (text != null && !text.isBlank()) {
                String[] lines = content.split("\n", -1);
                for (int i = 0; i < lines.length; i++) {
                    int col = lines[i].indexOf(text);
                    if (col >= 0) {
                        return new Error(i + 1, col + 1, message);
                    }
                }
            }
            return at(routeId, message);
        }
    }

    /** Loaded on first use: the 800 kB schema costs start-up time and heap an instance may never need. */
    private volatile JsonSchema camelSchema;
    private final RouteCreationCheck creation;

    private RouteFileValidator(RouteCreationCheck creation) {
        this.creation = creation;
    }

    /** Path, YAML and schema checks only (no running hub needed). */
    public static RouteFileValidator schemaOnly() {
        return new RouteFileValidator(null);
    }

    /** All three stages. */
    public static RouteFileValidator withCreationCheck(RouteCreationCheck creation) {
        return new RouteFileValidator(creation);
    }

    private JsonSchema camelSchema() {
        JsonSchema schema = camelSchema;
        if (schema == null) {
            synchronized (this) {
                if (camelSchema == null) {
                    camelSchema = loadCamelSchema();
                }
                schema = camelSchema;
            }
        }
        return schema;
    }

    private static JsonSchema loadCamelSchema() {
        try (InputStream in = RouteFileValidator.class.getClassLoader()
                .getResourceAsStream("schema/camelYamlDsl.json")) {
            if (in == null) {
                throw new IllegalStateException("schema/camelYamlDsl.json is not on the classpath (camel-yaml-dsl)");
            }
            JsonNode schema = new ObjectMapper().readTree(in);
            // the schema uses a few keywords draft-04 does not know ("deprecated"): report errors only
            return JsonSchemaFactory.newBuilder().setReportProvider(new ListReportProvider(LogLevel.ERROR,
                    LogLevel.FATAL)).freeze().getJsonSchema(schema);
        } catch (java.io.IOException | com.github.fge.jsonschema.core.exceptions.ProcessingException e) {
            throw new IllegalStateException("cannot load the Camel YAML DSL schema", e);
        }
    }

    /**
     * The path rule: relative, forward slashes, no {@code ..} or empty or hidden segments, ending in
     * {@code .camel.yaml} or {@code .tools.yml}. Returns why it is refused, or null when it is acceptable.
     */
    public static String pathProblem(String path) {
        if (path == null || path.isBlank()) {
            return "a path is required";
        }
        if (path.length() > 200) {
            return "a path is at most 200 characters";
        }
        if (path.startsWith("/") || path.contains("\\") || path.contains(":")) {
            return "the path must be relative to the routes folder, with forward slashes";
        }
        if (!path.endsWith(CAMEL_SUFFIX) && !path.endsWith(TOOLS_SUFFIX)) {
            return "only *" + CAMEL_SUFFIX + " route files and *" + TOOLS_SUFFIX + " tool descriptors can be edited";
        }
        for (String segment : path.split("/", -1)) {
            if (segment.equals("..") || segment.equals(".") || !SEGMENT.matcher(segment).matches()) {
                return "the path segment '" + segment + "' is not allowed (letters, digits, '.', '_', '-'; no '..')";
            }
        }
        return null;
    }

    public static boolean isToolsDescriptor(String path) {
        return path.endsWith(TOOLS_SUFFIX);
    }

    public Result validate(String path, String content) {
        String pathProblem = pathProblem(path);
        if (pathProblem != null) {
            return Result.failed(List.of(new Error(0, 0, "path: " + pathProblem)));
        }
        if (content == null) {
            return Result.failed(List.of(new Error(0, 0, "content is required")));
        }
        if (content.getBytes(java.nio.charset.StandardCharsets.UTF_8).length > MAX_CONTENT_BYTES) {
            return Result.failed(List.of(new Error(0, 0, "a route file is at most " + MAX_CONTENT_BYTES + " bytes")));
        }
        ParsedFile parsed;
        try {
            parsed = parse(content);
        } catch (MarkedYAMLException e) {
            Mark mark = e.getProblemMark() != null ? e.getProblemMark() : e.getContextMark();
            String problem = e.getProblem() != null ? e.getProblem() : e.getMessage();
            return Result.failed(List.of(mark == null ? new Error(1, 1, "YAML: " + problem)
                    : error(mark, "YAML: " + problem + (e.getContext() != null ? " (" + e.getContext() + ")" : ""))));
        } catch (RuntimeException e) {
            return Result.failed(List.of(new Error(1, 1, "YAML: " + e.getMessage())));
        }
        if (isToolsDescriptor(path)) {
            List<Error> errors = descriptorErrors(parsed);
            return errors.isEmpty() ? new Result(true, List.of(), List.of()) : Result.failed(errors);
        }
        List<Error> errors = schemaErrors(parsed);
        if (!errors.isEmpty()) {
            return Result.failed(errors);
        }
        if (creation != null) {
            errors = creation.check(path, content, parsed);
            if (!errors.isEmpty()) {
                return Result.failed(errors);
            }
        }
        return new Result(true, routeIds(parsed.json()), List.of());
    }

    static ParsedFile parse(String content) {
        LoaderOptions options = new LoaderOptions();
        options.setAllowDuplicateKeys(false);
        options.setMaxAliasesForCollections(50);
        options.setCodePointLimit(MAX_CONTENT_BYTES * 2);
        Node root = new Yaml(options).compose(new StringReader(content));
        JsonNode json;
        try {
            json = YAML.readTree(content);
        } catch (java.io.IOException e) {
            throw new IllegalArgumentException(e.getMessage(), e);
        }
        return new ParsedFile(root, json);
    }

    /** The ids of the routes and route templates a file declares, in order. */
    public static List<String> routeIds(JsonNode json) {
        List<String> ids = new ArrayList<>();
        if (json != null && json.isArray()) {
            for (JsonNode item : json) {
                for (String kind : List.of("route", "routeTemplate")) {
                    JsonNode id = item.path(kind).path("id");
                    if (id.isTextual()) {
                        ids.add(id.asText());
                    }
                }
            }
        }
        return ids;
    }

    private List<Error> schemaErrors(ParsedFile parsed) {
        if (parsed.json() == null || parsed.json().isMissingNode() || parsed.json().isNull()) {
            return List.of(new Error(1, 1, "the file is empty: a Camel YAML file is a list of routes, beans, "
                    + "route configurations..."));
        }
        ProcessingReport report;
        try {
            report = camelSchema().validate(parsed.json(), true);
        } catch (com.github.fge.jsonschema.core.exceptions.ProcessingException e) {
            return List.of(new Error(1, 1, "schema: " + e.getMessage()));
        }
        if (report.isSuccess()) {
            return List.of();
        }
        List<JsonNode> leaves = new ArrayList<>();
        for (ProcessingMessage message : report) {
            collectLeaves(message.asJson(), leaves);
        }
        Set<String> seen = new LinkedHashSet<>();
        List<Error> errors = new ArrayList<>();
        // the deepest place first: for an alternative (anyOf/oneOf) the branch that got furthest says most
        leaves.sort(Comparator.comparingInt((JsonNode n) -> -pointerDepth(n)));
        int deepest = leaves.isEmpty() ? 0 : pointerDepth(leaves.get(0));
        for (JsonNode leaf : leaves) {
            if (errors.size() >= MAX_ERRORS || pointerDepth(leaf) < deepest - 1) {
                break;
            }
            String pointer = leaf.path("instance").path("pointer").asText("");
            String message = leaf.path("message").asText("does not match the Camel YAML DSL schema");
            Node node = nodeAt(parsed.root(), pointer);
            JsonNode unwanted = leaf.get("unwanted");
            if (unwanted != null && unwanted.isArray() && unwanted.size() > 0 && node instanceof MappingNode map) {
                Node key = keyNode(map, unwanted.get(0).asText());
                if (key != null) {
                    node = key;
                    message = "'" + unwanted.get(0).asText() + "' is not allowed here by the Camel YAML DSL schema";
                }
            }
            String text = "schema: " + readable(pointer) + message;
            if (seen.add(text)) {
                errors.add(node == null ? new Error(1, 1, text) : error(node.getStartMark(), text));
            }
        }
        if (errors.isEmpty()) {
            errors.add(new Error(1, 1, "schema: the file does not match the Camel YAML DSL schema"));
        }
        return errors;
    }

    private static String readable(String pointer) {
        return pointer.isEmpty() ? "" : pointer.substring(1).replace('/', '.') + ": ";
    }

    private static int pointerDepth(JsonNode leaf) {
        String pointer = leaf.path("instance").path("pointer").asText("");
        return pointer.isEmpty() ? 0 : pointer.split("/", -1).length - 1;
    }

    /** An anyOf/oneOf report holds its branches' reports; the leaves are the concrete complaints. */
    private static void collectLeaves(JsonNode message, List<JsonNode> out) {
        JsonNode reports = message.get("reports");
        boolean nested = false;
        if (reports != null && reports.isObject()) {
            Iterator<JsonNode> branches = reports.elements();
            while (branches.hasNext()) {
                for (JsonNode inner : branches.next()) {
                    nested = true;
                    collectLeaves(inner, out);
                }
            }
        }
        if (!nested) {
            out.add(message);
        }
    }

    private static List<Error> descriptorErrors(ParsedFile parsed) {
        List<Error> errors = new ArrayList<>();
        if (!(parsed.root() instanceof SequenceNode list) || !parsed.json().isArray()) {
            errors.add(new Error(1, 1, "a tools descriptor file is a list of tool descriptors"));
            return errors;
        }
        Set<String> names = new LinkedHashSet<>();
        for (int i = 0; i < parsed.json().size(); i++) {
            Node item = list.getValue().get(i);
            try {
                String name = ToolRegistry.parse(parsed.json().get(i), "validation").name();
                if (!names.add(name)) {
                    errors.add(error(item.getStartMark(), "tool " + name + " is described twice in this file"));
                }
            } catch (RuntimeException e) {
                errors.add(error(item.getStartMark(), "tool descriptor: " + e.getMessage()));
            }
        }
        return errors;
    }

    static Error error(Mark mark, String message) {
        return new Error(mark.getLine() + 1, mark.getColumn() + 1, message);
    }

    /** The node a JSON pointer names in the YAML tree, or the deepest node reached on the way. */
    static Node nodeAt(Node root, String pointer) {
        Node node = root;
        if (pointer == null || pointer.isEmpty()) {
            return node;
        }
        for (String raw : pointer.substring(1).split("/", -1)) {
            String segment = raw.replace("~1", "/").replace("~0", "~");
            Node next = null;
            if (node instanceof SequenceNode seq) {
                try {
                    int index = Integer.parseInt(segment);
                    if (index >= 0 && index < seq.getValue().size()) {
                        next = seq.getValue().get(index);
                    }
                } catch (NumberFormatException e) {
                    next = null;
                }
            } else if (node instanceof MappingNode map) {
                for (NodeTuple tuple : map.getValue()) {
                    if (tuple.getKeyNode() instanceof ScalarNode key && key.getValue().equals(segment)) {
                        next = tuple.getValueNode();
                    }
                }
            }
            if (next == null) {
                return node;
            }
            node = next;
        }
        return node;
    }

    private static Node keyNode(MappingNode map, String name) {
        for (NodeTuple tuple : map.getValue()) {
            if (tuple.getKeyNode() instanceof ScalarNode key && key.getValue().equals(name)) {
                return key;
            }
        }
        return null;
    }

    /** The {@code id} value node of {@code - route: {id: <routeId>}} (or a template), or null. */
    static Node findRouteIdNode(Node root, String routeId) {
        if (!(root instanceof SequenceNode seq)) {
            return null;
        }
        for (Node item : seq.getValue()) {
            if (item instanceof MappingNode map) {
                for (NodeTuple tuple : map.getValue()) {
                    if (tuple.getValueNode() instanceof MappingNode body) {
                        for (NodeTuple field : body.getValue()) {
                            if (field.getKeyNode() instanceof ScalarNode key && key.getValue().equals("id")
                                    && field.getValueNode() instanceof ScalarNode value
                                    && value.getValue().equals(routeId)) {
                                return value;
                            }
                        }
                    }
                }
            }
        }
        return null;
    }
}
