package com.skyyrose.hub.api;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import io.swagger.v3.oas.models.OpenAPI;
import io.swagger.v3.oas.models.Operation;
import io.swagger.v3.oas.models.media.Schema;
import io.swagger.v3.oas.models.parameters.Parameter;
import io.swagger.v3.parser.OpenAPIV3Parser;
import io.swagger.v3.parser.core.models.ParseOptions;
import io.swagger.v3.parser.core.models.SwaggerParseResult;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.core.io.Resource;
import org.springframework.stereotype.Component;

/**
 * The one OpenAPI document that describes the hub's whole HTTP surface, loaded once: as a model for validation
 * and routing decisions, and as JSON for {@code /openapi.json}.
 */
@Component("openApiContract")
public class OpenApiContract {

    /** Vendor extension naming the permission an operation needs ({@code public} for none). */
    public static final String PERMISSION_EXTENSION = "x-hub-permission";

    private final String yaml;
    private final String json;
    private final OpenAPI model;
    private final List<ContractOperation> operations;
    private final Map<String, List<QueryParameter>> queryParameters = new java.util.HashMap<>();
    private final List<java.util.regex.Pattern> pathPatterns;

    /** Vendor extension raising an operation's request body limit above the default ({@code HUB_MAX_BODY_BYTES}). */
    public static final String MAX_BODY_EXTENSION = "x-hub-max-body-bytes";

    /**
     * Vendor extension {@code x-hub-validate-body: false}: the request body is a vendor's document that the route
     * authenticates itself (e.g. an HMAC over the raw bytes) and the contract does not describe; the facade then
     * checks only that its media type is one the operation declares, not its JSON Schema (the full request
     * validation is the most expensive step of a small request).
     */
    public static final String VALIDATE_BODY_EXTENSION = "x-hub-validate-body";

    /** One operation of the contract, as the rest of the hub needs to know it. */
    public record ContractOperation(String operationId, String method, String path, String permission,
            Long maxBodyBytes, boolean validateBody, Set<String> mediaTypes, boolean bodyRequired) {
    }

    /**
     * A query parameter an operation declares, with its integer bounds ({@code minimum}/{@code maximum}, null when
     * not declared or not an integer).
     */
    public record QueryParameter(String name, Long minimum, Long maximum) {
    }

    public OpenApiContract(@Value("${hub.api.contract}") Resource contract) throws IOException {
        try (InputStream in = contract.getInputStream()) {
            this.yaml = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        this.json = new ObjectMapper().writerWithDefaultPrettyPrinter()
                .writeValueAsString(new YAMLMapper().readTree(yaml));
        ParseOptions options = new ParseOptions();
        options.setResolve(true);
        SwaggerParseResult result = new OpenAPIV3Parser().readContents(yaml, null, options);
        if (result.getOpenAPI() == null || (result.getMessages() != null && !result.getMessages().isEmpty())) {
            throw new IllegalStateException("The API contract " + contract + " is invalid: " + result.getMessages());
        }
        this.model = result.getOpenAPI();
        List<ContractOperation> ops = new ArrayList<>();
        model.getPaths().forEach((path, item) -> item.readOperationsMap().forEach((method, op) -> {
            if (op.getOperationId() == null) {
                throw new IllegalStateException("Contract operation " + method + " " + path + " has no operationId");
            }
            ops.add(new ContractOperation(op.getOperationId(), method.name(), path, permissionOf(op),
                    maxBodyOf(op), validateBodyOf(op), mediaTypesOf(op),
                    op.getRequestBody() != null && Boolean.TRUE.equals(op.getRequestBody().getRequired())));
            queryParameters.put(op.getOperationId(), queryParametersOf(item.getParameters(), op.getParameters()));
        }));
        this.operations = Collections.unmodifiableList(ops);
        this.pathPatterns = ops.stream().map(op -> pathPattern(op.path())).toList();
    }

    private List<QueryParameter> queryParametersOf(List<Parameter> common, List<Parameter> own) {
        List<QueryParameter> out = new ArrayList<>();
        List<Parameter> all = new ArrayList<>();
        if (common != null) {
            all.addAll(common);
        }
        if (own != null) {
            all.addAll(own);
        }
        for (Parameter p : all) {
            if (p.get$ref() != null && model.getComponents() != null
                    && model.getComponents().getParameters() != null) {
                p = model.getComponents().getParameters().get(p.get$ref().substring(p.get$ref().lastIndexOf('/') + 1));
            }
            if (p == null || !"query".equals(p.getIn())) {
                continue;
            }
            Schema<?> schema = p.getSchema();
            boolean integer = schema != null && "integer".equals(schema.getType());
            out.add(new QueryParameter(p.getName(),
                    integer && schema.getMinimum() != null ? schema.getMinimum().longValue() : null,
                    integer && schema.getMaximum() != null ? schema.getMaximum().longValue() : null));
        }
        return List.copyOf(out);
    }

    /** The query parameters the operation declares (the only values a route may read as query values). */
    public List<QueryParameter> queryParameters(String operationId) {
        return queryParameters.getOrDefault(operationId, List.of());
    }

    private static String permissionOf(Operation op) {
        Map<String, Object> ext = op.getExtensions();
        Object permission = ext != null ? ext.get(PERMISSION_EXTENSION) : null;
        return permission != null ? permission.toString() : null;
    }

    private static Long maxBodyOf(Operation op) {
        Map<String, Object> ext = op.getExtensions();
        Object limit = ext != null ? ext.get(MAX_BODY_EXTENSION) : null;
        return limit instanceof Number n ? n.longValue() : limit != null ? Long.parseLong(limit.toString()) : null;
    }

    private static boolean validateBodyOf(Operation op) {
        Map<String, Object> ext = op.getExtensions();
        Object validate = ext != null ? ext.get(VALIDATE_BODY_EXTENSION) : null;
        return validate == null || !"false".equalsIgnoreCase(validate.toString());
    }

    private static Set<String> mediaTypesOf(Operation op) {
        if (op.getRequestBody() == null || op.getRequestBody().getContent() == null) {
            return Set.of();
        }
        Set<String> types = new java.util.HashSet<>();
        op.getRequestBody().getContent().keySet().forEach(t -> types.add(t.toLowerCase(java.util.Locale.ROOT)));
        return Set.copyOf(types);
    }

    /** The largest body any operation accepts: the servlet layer's absolute ceiling. */
    public long largestBodyLimit(long defaultLimit) {
        return operations.stream().map(ContractOperation::maxBodyBytes).filter(java.util.Objects::nonNull)
                .mapToLong(Long::longValue).reduce(defaultLimit, Math::max);
    }

    public OpenAPI model() {
        return model;
    }

    public String yaml() {
        return yaml;
    }

    public String json() {
        return json;
    }

    public List<ContractOperation> operations() {
        return operations;
    }

    /**
     * The operation serving this method and path (as the servlet sees it, before Camel routes it), or null; literal
     * paths win over templated ones. Lets the servlet filters apply an operation's rules before its body is read.
     */
    public ContractOperation match(String method, String path) {
        ContractOperation best = null;
        int bestVariables = Integer.MAX_VALUE;
        for (int i = 0; i < operations.size(); i++) {
            ContractOperation op = operations.get(i);
            if (op.method().equalsIgnoreCase(method) && pathPatterns.get(i).matcher(path).matches()) {
                int variables = op.path().split("\\{", -1).length - 1;
                if (variables < bestVariables) {
                    best = op;
                    bestVariables = variables;
                }
            }
        }
        return best;
    }

    private static java.util.regex.Pattern pathPattern(String template) {
        StringBuilder regex = new StringBuilder();
        for (String part : template.split("(?=\\{)|(?<=\\})")) {
            regex.append(part.startsWith("{") && part.endsWith("}") ? "[^/]+" : java.util.regex.Pattern.quote(part));
        }
        return java.util.regex.Pattern.compile(regex.toString());
    }

    /** The operation with this id; every id the REST facade routes is in the contract. */
    public ContractOperation operation(String operationId) {
        for (ContractOperation op : operations) {
            if (op.operationId().equals(operationId)) {
                return op;
            }
        }
        throw new IllegalArgumentException("No contract operation " + operationId);
    }
}
