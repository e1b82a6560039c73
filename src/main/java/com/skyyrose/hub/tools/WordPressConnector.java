package com.skyyrose.hub.tools;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.skyyrose.hub.api.ProblemException;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Locale;
import java.util.Map;
import org.apache.camel.Exchange;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.stereotype.Component;

/**
 * WordPress REST ({@code /wp-json/wp/v2}) with an Application Password (Basic auth): posts created as drafts unless
 * told otherwise, posts updated, media uploaded as a raw body with {@code Content-Disposition} (from a user URL,
 * fetched through the SSRF guard, or from base64 bytes) and then given its alt text and caption.
 */
@Component("wordPress")
public class WordPressConnector extends Connector {

    private static final String API = "/wp-json/wp/v2";
    private static final Map<String, String> IMAGE_TYPES = Map.of("jpg", "image/jpeg", "jpeg", "image/jpeg",
            "png", "image/png", "webp", "image/webp", "gif", "image/gif");

    private final String username;
    private final String appPassword;
    private final SsrfGuard ssrf;
    private final long maxUpload;

    public WordPressConnector(@Qualifier("wordPressHttp") VendorHttp http,
            @Value("${hub.tools.wordpress.username:}") String username,
            @Value("${hub.tools.wordpress.app-password:}") String appPassword, SsrfGuard ssrf,
            @Value("${hub.ssrf.max-download-bytes:20971520}") long maxUpload) {
        super(http, "WordPress", "WORDPRESS_URL, WORDPRESS_USERNAME, WORDPRESS_APP_PASSWORD");
        this.username = username;
        this.appPassword = appPassword;
        this.ssrf = ssrf;
        this.maxUpload = maxUpload;
    }

    public JsonNode createPost(Exchange exchange) {
        ObjectNode post = args(exchange).deepCopy();
        if (!post.has("status")) {
            post.put("status", "draft");
        }
        return send("POST", "/posts", post, false, "posts.create", deadline(exchange));
    }

    public JsonNode updatePost(Exchange exchange) {
        JsonNode args = args(exchange);
        return send("POST", "/posts/" + args.path("id").asLong(), args.get("changes"), true, "posts.update",
                deadline(exchange));
    }

    /** Uploads the image, then sets alt text / caption / title on the new media item. */
    public JsonNode uploadMedia(Exchange exchange) {
        JsonNode args = args(exchange);
        long deadline = deadline(exchange);
        requireConfigured();
        byte[] bytes;
        String contentType;
        String filename = args.path("filename").asText("");
        if (args.hasNonNull("source_url")) {
            SsrfGuard.Download download = ssrf.download("/arguments/source_url", args.get("source_url").asText(),
                    http.settings().readTimeout());
            bytes = download.bytes();
            contentType = download.contentType().split(";")[0].trim().toLowerCase(Locale.ROOT);
            if (filename.isEmpty()) {
                String path = download.finalUri().getPath();
                filename = path == null ? "" : path.substring(path.lastIndexOf('/') + 1);
            }
        } else {
            try {
                bytes = Base64.getDecoder().decode(args.path("data_base64").asText().replaceAll("\\s", ""));
            } catch (IllegalArgumentException e) {
                throw ProblemException.badRequest("/arguments/data_base64", "is not valid base64");
            }
            if (bytes.length > maxUpload) {
                throw ProblemException.badRequest("/arguments/data_base64", "is larger than " + maxUpload + " bytes");
            }
            contentType = args.path("content_type").asText("");
        }
        filename = safeName(filename);
        String extension = filename.contains(".") ? filename.substring(filename.lastIndexOf('.') + 1).toLowerCase(Locale.ROOT) : "";
        if (!IMAGE_TYPES.containsValue(contentType)) {
            contentType = IMAGE_TYPES.get(extension);
        }
        if (contentType == null) {
            throw ProblemException.badRequest("/arguments/filename",
                    "the media must be a jpeg, png, webp or gif image (by content type or file extension)");
        }
        if (!IMAGE_TYPES.containsKey(extension)) {
            filename = (filename.isEmpty() ? "upload" : filename) + "." + contentType.substring("image/".length());
        }
        VendorHttp.Request upload = new VendorHttp.Request("POST", http.uri(API + "/media"), new java.util.LinkedHashMap<>(),
                bytes, contentType, false, "media.upload")
                .header("Content-Disposition", "attachment; filename=\"" + filename + "\"");
        JsonNode media = expectOk(http.send(basic(upload), deadline));
        ObjectNode details = http.mapper().createObjectNode();
        for (String field : new String[] {"alt_text", "caption", "title"}) {
            if (args.hasNonNull(field)) {
                details.put(field, args.get(field).asText());
            }
        }
        if (details.isEmpty()) {
            return media;
        }
        return send("POST", "/media/" + media.path("id").asLong(), details, true, "media.update", deadline);
    }

    private JsonNode send(String method, String path, JsonNode body, boolean idempotent, String operation,
            long deadline) {
        requireConfigured();
        byte[] bytes;
        try {
            bytes = http.mapper().writeValueAsBytes(body);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
        return expectOk(http.send(basic(VendorHttp.Request.json(method, http.uri(API + path), bytes, idempotent,
                operation)), deadline));
    }

    @Override
    VendorHttp.Request authorizeRequest(VendorHttp.Request request) {
        requireConfigured();
        return basic(request);
    }

    private VendorHttp.Request basic(VendorHttp.Request request) {
        if (username.isBlank() || appPassword.isBlank()) {
            throw new ProblemException(com.skyyrose.hub.api.ProblemType.UNAVAILABLE, 503,
                    "WordPress is not configured (set WORDPRESS_USERNAME and WORDPRESS_APP_PASSWORD).");
        }
        return request.header("Authorization", "Basic " + Base64.getEncoder()
                .encodeToString((username + ":" + appPassword).getBytes(StandardCharsets.UTF_8)));
    }

    private static String safeName(String name) {
        String cleaned = name.replaceAll("[^A-Za-z0-9._-]", "_");
        cleaned = cleaned.replaceAll("^[._]+", "");
        return cleaned.length() > 100 ? cleaned.substring(cleaned.length() - 100) : cleaned;
    }
}
