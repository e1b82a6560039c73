package com.skyyrose.hub.tools;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.skyyrose.hub.api.Problem;
import com.skyyrose.hub.api.ProblemException;
import com.skyyrose.hub.api.ProblemType;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import org.apache.camel.Exchange;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.stereotype.Component;

/**
 * FASHN virtual try-on: {@code POST /v1/run} then {@code GET /v1/status/{id}} until {@code completed} or
 * {@code failed} (also {@code canceled}, {@code time_out}). Output CDN URLs are kept by FASHN for 72 hours.
 * FASHN's 429s ({@code RateLimitExceeded}, {@code ConcurrencyLimitExceeded}) become 429 with Retry-After;
 * {@code OutOfCredits} is a 503 (retrying soon will not help).
 */
@Component("fashn")
public class FashnConnector extends Connector implements JobVendor {

    private static final Set<String> FAILED = Set.of("failed", "canceled", "cancelled", "time_out");
    private static final Pattern DATA_URL = Pattern.compile("^data:image/(png|jpeg|jpg|webp);base64,[A-Za-z0-9+/=\\s]+$");

    private final String apiKey;
    private final String modelName;
    private final SsrfGuard ssrf;
    private final ToolJobs jobs;

    public FashnConnector(@Qualifier("fashnHttp") VendorHttp http, @Value("${hub.tools.fashn.api-key:}") String apiKey,
            @Value("${hub.tools.fashn.model-name:tryon-v1.6}") String modelName, SsrfGuard ssrf, ToolJobs jobs) {
        super(http, "FASHN", "FASHN_API_KEY and FASHN_BASE_URL");
        this.apiKey = apiKey;
        this.modelName = modelName;
        this.ssrf = ssrf;
        this.jobs = jobs;
    }

    @Override
    public boolean configured() {
        return http.configured() && !apiKey.isBlank();
    }

    @Override
    public String vendor() {
        return "fashn";
    }

    /** Tool {@code fashn.tryon}: starts the FASHN prediction and the hub job (status queued). */
    public Map<String, Object> tryOn(Exchange exchange) {
        JsonNode args = args(exchange);
        requireKey();
        String model = image("/arguments/model_image", args.path("model_image").asText());
        String garment = image("/arguments/garment_image", args.path("garment_image").asText());
        ObjectNode run = http.mapper().createObjectNode().put("model_name", modelName);
        run.putObject("inputs").put("model_image", model).put("garment_image", garment)
                .put("category", args.path("category").asText("auto")).put("mode", args.path("mode").asText("balanced"));
        VendorHttp.Response response = http.send(bearer(VendorHttp.Request.json("POST", http.uri("/v1/run"),
                bytes(run), false, "run")), deadline(exchange));
        JsonNode body = fashn(response);
        String id = body.path("id").asText(null);
        if (id == null) {
            throw new ProblemException(ProblemType.UPSTREAM_FAILED, 502, "FASHN accepted the run without an id.");
        }
        ObjectNode recorded = http.mapper().createObjectNode()
                .put("model_image", summary(model)).put("garment_image", summary(garment))
                .put("category", args.path("category").asText("auto")).put("mode", args.path("mode").asText("balanced"));
        return jobs.create("tryon", vendor(), id, recorded, exchange);
    }

    @Override
    public Outcome poll(ToolJobs.Claimed job) {
        requireKey();
        JsonNode body = fashn(http.send(bearer(VendorHttp.Request.get(http.uri("/v1/status/" + job.vendorTaskId()),
                "status")), System.nanoTime() + http.settings().readTimeout().toNanos() * 2));
        String status = body.path("status").asText("processing").toLowerCase(Locale.ROOT);
        if (status.equals("completed")) {
            ObjectNode result = http.mapper().createObjectNode();
            result.set("output", body.path("output"));
            result.put("expires_at", Instant.now().plus(72, ChronoUnit.HOURS).truncatedTo(ChronoUnit.SECONDS).toString());
            return new Outcome("succeeded", status, 100, result, null, true);
        }
        if (FAILED.contains(status)) {
            JsonNode error = body.path("error");
            ObjectNode recorded = http.mapper().createObjectNode().put("vendor_status", status);
            recorded.put("name", error.isObject() ? error.path("name").asText(status) : status);
            recorded.put("message", error.isObject() ? error.path("message").asText("") : error.asText(""));
            return new Outcome("failed", status, null, null, recorded, true);
        }
        return new Outcome(status.equals("processing") ? "running" : "queued", status, null, null, null, false);
    }

    private String image(String field, String value) {
        if (value.startsWith("data:")) {
            if (!DATA_URL.matcher(value).matches()) {
                throw ProblemException.badRequest(field, "must be an https URL or a base64 image data URL");
            }
            return value;
        }
        return ssrf.check(field, value).uri().toString();
    }

    private static String summary(String image) {
        return image.startsWith("data:") ? image.substring(0, image.indexOf(',')) + ",... (" + image.length() + " chars)"
                : image;
    }

    /** FASHN bodies carry {@code error} (null when fine); 429 and credit errors are classified. */
    private JsonNode fashn(VendorHttp.Response response) {
        JsonNode body;
        try {
            body = http.mapper().readTree(response.body());
        } catch (Exception e) {
            body = null;
        }
        String name = body == null ? null : body.path("error").isObject() ? body.path("error").path("name").asText(null)
                : body.path("error").isTextual() ? body.path("error").asText() : null;
        String message = body == null ? null : body.path("error").isObject() ? body.path("error").path("message").asText("")
                : body.path("message").asText("");
        if ("OutOfCredits".equals(name)) {
            throw new ProblemException(Problem.of(ProblemType.UNAVAILABLE, 503, "FASHN: out of credits"
                    + (message.isEmpty() ? "" : " (" + message + ")") + ".").with("vendor_code", name)
                    .with("vendor_status", response.status()));
        }
        if (response.status() == 429) {
            String retryAfter = response.header("Retry-After");
            throw new ProblemException(Problem.of(ProblemType.RATE_LIMITED, 429, "FASHN: "
                    + ("ConcurrencyLimitExceeded".equals(name) ? "too many try-ons running at once" : "rate limit reached")
                    + (message == null || message.isEmpty() ? "" : " (" + message + ")") + ".")
                    .withHeader("Retry-After", retryAfter != null ? retryAfter : "10")
                    .with("vendor_code", name == null ? "RateLimitExceeded" : name).with("vendor_status", 429));
        }
        if (!response.ok()) {
            throw vendorError(response, body);
        }
        if (body == null) {
            throw new ProblemException(ProblemType.UPSTREAM_FAILED, 502, "FASHN answered with a body that is not JSON.");
        }
        if (name != null && !response.ok()) {
            throw vendorError(response, body);
        }
        return body;
    }

    private VendorHttp.Request bearer(VendorHttp.Request request) {
        return request.header("Authorization", "Bearer " + apiKey);
    }

    private void requireKey() {
        requireConfigured();
        if (apiKey.isBlank()) {
            throw new ProblemException(ProblemType.UNAVAILABLE, 503, "FASHN is not configured (set FASHN_API_KEY).");
        }
    }

    private byte[] bytes(JsonNode node) {
        try {
            return http.mapper().writeValueAsBytes(node);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
