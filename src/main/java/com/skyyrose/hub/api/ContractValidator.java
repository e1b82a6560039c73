package com.skyyrose.hub.api;

import com.atlassian.oai.validator.OpenApiInteractionValidator;
import com.atlassian.oai.validator.model.Request;
import com.atlassian.oai.validator.model.SimpleRequest;
import com.atlassian.oai.validator.report.LevelResolver;
import com.atlassian.oai.validator.report.ValidationReport;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.springframework.stereotype.Component;

/**
 * Validates a request against the contract: parameters, content type, accept, and the body's JSON Schema.
 * The validator is built once (Camel's own request validator rebuilds it on every request).
 * Authentication is not its business: security requirements are checked by the security layer.
 */
@Component
public class ContractValidator {

    private static final Pattern QUOTED = Pattern.compile("\"([^\"]+)\"");

    private final OpenApiInteractionValidator validator;

    public ContractValidator(OpenApiContract contract) {
        this.validator = OpenApiInteractionValidator.createFor(contract.model())
                .withLevelResolver(LevelResolver.create()
                        .withLevel("validation.request.security", ValidationReport.Level.IGNORE)
                        .build())
                .build();
    }

    /** The HTTP parts of a request the validator looks at. */
    public record HttpRequest(String method, String path, String rawQuery, Map<String, String> headers,
            String body) {
    }

    /** Returns null when the request conforms, otherwise the problem to answer with. */
    public Problem validate(HttpRequest http) {
        SimpleRequest.Builder builder = new SimpleRequest.Builder(Request.Method.valueOf(http.method()), http.path());
        http.headers().forEach(builder::withHeader);
        if (http.body() != null && !http.body().isEmpty()) {
            builder.withBody(http.body());
        }
        if (http.rawQuery() != null && !http.rawQuery().isEmpty()) {
            for (String pair : http.rawQuery().split("&")) {
                if (pair.isEmpty()) {
                    continue;
                }
                int eq = pair.indexOf('=');
                String name = decode(eq >= 0 ? pair.substring(0, eq) : pair);
                String value = eq >= 0 ? decode(pair.substring(eq + 1)) : "";
                builder.withQueryParam(name, value);
            }
        }
        ValidationReport report = validator.validateRequest(builder.build());
        if (!report.hasErrors()) {
            return null;
        }
        List<Problem.FieldError> errors = new ArrayList<>();
        int status = 400;
        for (ValidationReport.Message message : report.getMessages()) {
            if (message.getLevel() != ValidationReport.Level.ERROR) {
                continue;
            }
            String key = message.getKey();
            if (key.contains("contentType")) {
                status = 415;
            } else if (key.contains("accept")) {
                status = 406;
            }
            errors.addAll(fieldErrors(message));
        }
        String detail = errors.isEmpty() ? "The request does not match the API contract."
                : errors.stream().map(e -> e.field() + ": " + e.message()).reduce((a, b) -> a + "; " + b).orElse("");
        ProblemType type = status == 415 ? ProblemType.UNSUPPORTED_MEDIA_TYPE
                : status == 406 ? ProblemType.NOT_ACCEPTABLE : ProblemType.VALIDATION_FAILED;
        return Problem.of(type, status, detail).withErrors(errors);
    }

    private static List<Problem.FieldError> fieldErrors(ValidationReport.Message message) {
        String text = message.getMessage();
        var context = message.getContext();
        String parameter = context.flatMap(ValidationReport.MessageContext::getParameter)
                .map(p -> p.getName()).orElse(null);
        if (parameter != null) {
            return List.of(new Problem.FieldError(parameter, text));
        }
        String pointer = context.flatMap(ValidationReport.MessageContext::getPointers)
                .map(ValidationReport.MessageContext.Pointers::getInstance).orElse("");
        if (message.getKey().endsWith(".required") && text.toLowerCase(Locale.ROOT).contains("missing required")) {
            // "Object has missing required properties ([\"query\"])": name each missing property
            List<Problem.FieldError> missing = new ArrayList<>();
            Matcher m = QUOTED.matcher(text.substring(Math.max(0, text.indexOf('('))));
            while (m.find()) {
                String parent = pointer.endsWith("/") ? pointer.substring(0, pointer.length() - 1) : pointer;
                missing.add(new Problem.FieldError(parent + "/" + m.group(1), "is required"));
            }
            if (!missing.isEmpty()) {
                return missing;
            }
        }
        String field = pointer.isEmpty() ? bodyOrRequest(message.getKey()) : pointer;
        return List.of(new Problem.FieldError(field, text));
    }

    private static String bodyOrRequest(String key) {
        return key.contains(".body") ? "body" : key.contains("contentType") ? "Content-Type"
                : key.contains("accept") ? "Accept" : "request";
    }

    private static String decode(String s) {
        try {
            return URLDecoder.decode(s, StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            return s;
        }
    }
}
