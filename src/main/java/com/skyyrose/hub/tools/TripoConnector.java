package com.skyyrose.hub.tools;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.skyyrose.hub.api.ProblemException;
import com.skyyrose.hub.api.ProblemType;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.apache.camel.Exchange;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.stereotype.Component;

/**
 * Tripo3D ({@code /v2/openapi}): {@code POST /task} ({@code text_to_model} or {@code image_to_model} with the image
 * passed as URL or uploaded through {@code POST /upload} for a file token), then {@code GET /task/{id}} until
 * {@code success}, {@code failed}, {@code cancelled}, {@code banned} or {@code expired}. A finished model can be
 * attached to a WooCommerce product.
 */
@Component("tripo3d")
public class TripoConnector extends Connector implements JobVendor {

    private static final Logger LOG = LoggerFactory.getLogger(TripoConnector.class);
    private static final Set<String> FAILED = Set.of("failed", "cancelled", "banned", "expired");

    private final String apiKey;
    private final SsrfGuard ssrf;
    private final ToolJobs jobs;
    private final WooCommerceConnector wooCommerce;

    public TripoConnector(@Qualifier("tripoHttp") VendorHttp http, @Value("${hub.tools.tripo3d.api-key:}") String apiKey,
            SsrfGuard ssrf, ToolJobs jobs, WooCommerceConnector wooCommerce) {
        super(http, "Tripo3D", "TRIPO_API_KEY and TRIPO_BASE_URL");
        this.apiKey = apiKey;
        this.ssrf = ssrf;
        this.jobs = jobs;
        this.wooCommerce = wooCommerce;
    }

    @Override
    public boolean configured() {
        return http.configured() && !apiKey.isBlank();
    }

    @Override
    public String vendor() {
        return "tripo3d";
    }

    /** Tool {@code tripo3d.generate}: creates the Tripo task and the hub job (status queued). */
    public Map<String, Object> generate(Exchange exchange) {
        JsonNode args = args(exchange);
        requireKey();
        long deadline = deadline(exchange);
        JsonNode options = args.path("options");
        ObjectNode task = http.mapper().createObjectNode();
        if (args.hasNonNull("prompt")) {
            task.put("type", "text_to_model");
            task.put("prompt", args.get("prompt").asText());
            if (options.hasNonNull("negative_prompt")) {
                task.put("negative_prompt", options.get("negative_prompt").asText());
            }
        } else {
            String url = args.path("image_url").asText();
            SsrfGuard.Target target = ssrf.check("/arguments/image_url", url);
            task.put("type", "image_to_model");
            ObjectNode file = task.putObject("file");
            if (options.path("upload").asBoolean(false)) {
                SsrfGuard.Download image = ssrf.download("/arguments/image_url", url, http.settings().readTimeout());
                file.put("type", imageType(image.finalUri().getPath(), image.contentType()));
                file.put("file_token", upload(image, deadline));
            } else {
                file.put("type", imageType(target.uri().getPath(), null));
                file.put("url", target.uri().toString());
            }
        }
        for (String flag : new String[] {"texture", "pbr"}) {
            if (options.has(flag)) {
                task.put(flag, options.get(flag).asBoolean());
            }
        }
        if (options.hasNonNull("model_version")) {
            task.put("model_version", options.get("model_version").asText());
        }
        JsonNode created = tripo(http.send(bearer(VendorHttp.Request.json("POST", http.uri("/task"),
                bytes(task), false, "task.create")), deadline));
        String taskId = created.path("data").path("task_id").asText(null);
        if (taskId == null) {
            throw new ProblemException(ProblemType.UPSTREAM_FAILED, 502, "Tripo3D accepted the task without a task_id.");
        }
        return jobs.create("3d", vendor(), taskId, args, exchange);
    }

    @Override
    public Outcome poll(ToolJobs.Claimed job) {
        requireKey();
        JsonNode data = tripo(http.send(bearer(VendorHttp.Request.get(http.uri("/task/" + job.vendorTaskId()),
                "task.get")), System.nanoTime() + http.settings().readTimeout().toNanos() * 2)).path("data");
        String status = data.path("status").asText("unknown").toLowerCase(Locale.ROOT);
        Integer progress = data.has("progress") ? data.get("progress").asInt() : null;
        if (status.equals("success")) {
            ObjectNode result = http.mapper().createObjectNode();
            JsonNode output = data.path("output");
            for (String key : new String[] {"model", "base_model", "pbr_model", "rendered_image"}) {
                if (output.hasNonNull(key)) {
                    result.put(key, output.get(key).asText());
                }
            }
            if (job.request().hasNonNull("product_id")) {
                result.set("product_attachment", attach(job.request().get("product_id").asLong(), result));
            }
            return new Outcome("succeeded", status, 100, result, null, true);
        }
        if (FAILED.contains(status)) {
            ObjectNode error = http.mapper().createObjectNode().put("vendor_status", status)
                    .put("message", "Tripo3D task " + status);
            return new Outcome("failed", status, progress, null, error, true);
        }
        return new Outcome(status.equals("queued") ? "queued" : "running", status, progress, null, null, false);
    }

    private JsonNode attach(long productId, ObjectNode result) {
        String model = result.path("pbr_model").asText(result.path("model").asText(null));
        ObjectNode attachment = http.mapper().createObjectNode().put("product_id", productId);
        if (model == null) {
            return attachment.put("attached", false).put("error", "no model URL in the Tripo output");
        }
        try {
            wooCommerce.attachModel(productId, model, result.path("rendered_image").asText(null));
            return attachment.put("attached", true).put("meta_key", "_skyyrose_3d_model_url");
        } catch (ProblemException e) {
            LOG.warn("3D model could not be attached to product {}: {}", productId, e.getMessage());
            return attachment.put("attached", false).put("error", e.getMessage());
        }
    }

    private String upload(SsrfGuard.Download image, long deadline) {
        String boundary = "hub-" + UUID.randomUUID();
        String type = imageType(image.finalUri().getPath(), image.contentType());
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        body.writeBytes(("--" + boundary + "\r\nContent-Disposition: form-data; name=\"file\"; filename=\"image." + type
                + "\"\r\nContent-Type: " + ("jpg".equals(type) ? "image/jpeg" : "image/" + type) + "\r\n\r\n")
                .getBytes(StandardCharsets.UTF_8));
        body.writeBytes(image.bytes());
        body.writeBytes(("\r\n--" + boundary + "--\r\n").getBytes(StandardCharsets.UTF_8));
        VendorHttp.Request request = new VendorHttp.Request("POST", http.uri("/upload"), new java.util.LinkedHashMap<>(),
                body.toByteArray(), "multipart/form-data; boundary=" + boundary, false, "upload");
        JsonNode data = tripo(http.send(bearer(request), deadline)).path("data");
        String token = data.path("image_token").asText(data.path("file_token").asText(null));
        if (token == null) {
            throw new ProblemException(ProblemType.UPSTREAM_FAILED, 502, "Tripo3D upload returned no image_token.");
        }
        return token;
    }

    /** Tripo answers {@code {code, data}}; a non-zero code is an error even on HTTP 200. */
    private JsonNode tripo(VendorHttp.Response response) {
        JsonNode body = expectOk(response);
        if (body.path("code").asInt(-1) != 0) {
            throw vendorError(new VendorHttp.Response(502, response.headers(), response.body()), body);
        }
        return body;
    }

    private static String imageType(String path, String contentType) {
        String p = path == null ? "" : path.toLowerCase(Locale.ROOT);
        String c = contentType == null ? "" : contentType.toLowerCase(Locale.ROOT);
        if (p.endsWith(".png") || c.contains("png")) {
            return "png";
        }
        if (p.endsWith(".webp") || c.contains("webp")) {
            return "webp";
        }
        return "jpg";
    }

    private VendorHttp.Request bearer(VendorHttp.Request request) {
        return request.header("Authorization", "Bearer " + apiKey);
    }

    private void requireKey() {
        requireConfigured();
        if (apiKey.isBlank()) {
            throw new ProblemException(ProblemType.UNAVAILABLE, 503, "Tripo3D is not configured (set TRIPO_API_KEY).");
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
