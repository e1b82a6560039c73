package com.skyyrose.hub.fakes;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.any;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathMatching;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.extension.ResponseDefinitionTransformerV2;
import com.github.tomakehurst.wiremock.http.ResponseDefinition;
import com.github.tomakehurst.wiremock.stubbing.ServeEvent;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * WordPress REST ({@code /wp-json/wp/v2}) with Application Passwords (Basic auth): {@code POST /posts},
 * {@code POST /posts/{id}}, {@code POST /media} with a raw body, {@code Content-Disposition: attachment;
 * filename=...} and the image's Content-Type (else {@code rest_upload_no_content_disposition} /
 * {@code rest_upload_sideload_error}), {@code POST /media/{id}} for alt text and caption; WordPress error bodies.
 */
public final class WordPressFake implements AutoCloseable {

    public static final String USER = "skyy-bot";
    public static final String APP_PASSWORD = "abcd EFGH 1234 ijkl MNOP 5678";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern FILENAME = Pattern.compile("filename=\"?([^\";]+)\"?");

    /** An uploaded file as WordPress stored it. */
    public record Media(long id, String filename, String mimeType, byte[] bytes, ObjectNode json) {
    }

    private final WireMockServer server;
    private final Map<Long, ObjectNode> posts = new ConcurrentHashMap<>();
    private final Map<Long, Media> media = new ConcurrentHashMap<>();
    private final AtomicLong ids = new AtomicLong(500);

    public WordPressFake() {
        server = new WireMockServer(options().dynamicPort().extensions(new Api()));
        server.start();
        server.stubFor(any(urlPathMatching("/wp-json/wp/v2/.*")).atPriority(10)
                .willReturn(aResponse().withTransformers("wordpress-api")));
    }

    public String url() {
        return "http://127.0.0.1:" + server.port();
    }

    public ObjectNode post(long id) {
        return posts.get(id);
    }

    public int postCount() {
        return posts.size();
    }

    public Media media(long id) {
        return media.get(id);
    }

    public int mediaCount() {
        return media.size();
    }

    public void reset() {
        server.resetRequests();
        posts.clear();
        media.clear();
    }

    @Override
    public void close() {
        server.stop();
    }

    private final class Api implements ResponseDefinitionTransformerV2 {
        @Override
        public String getName() {
            return "wordpress-api";
        }

        @Override
        public boolean applyGlobally() {
            return false;
        }

        @Override
        public ResponseDefinition transform(ServeEvent event) {
            LoggedRequest r = event.getRequest();
            String auth = r.getHeader("Authorization");
            if (auth == null || !auth.startsWith("Basic ")) {
                return error(401, "rest_not_logged_in", "You are not currently logged in.");
            }
            String decoded = new String(Base64.getDecoder().decode(auth.substring(6)), StandardCharsets.UTF_8);
            if (!decoded.equals(USER + ":" + APP_PASSWORD)) {
                return error(401, "incorrect_password", "The provided password is an invalid application password.");
            }
            String path = r.getUrl().substring("/wp-json/wp/v2".length());
            try {
                if (!r.getMethod().getName().equals("POST")) {
                    return error(404, "rest_no_route", "No route was found matching the URL and request method.");
                }
                if (path.equals("/posts")) {
                    ObjectNode post = (ObjectNode) JSON.readTree(r.getBodyAsString());
                    if (!post.hasNonNull("title") && !post.hasNonNull("content")) {
                        return error(400, "empty_content", "Content, title, and excerpt are empty.");
                    }
                    long id = ids.incrementAndGet();
                    post.put("id", id);
                    post.put("status", post.path("status").asText("draft"));
                    post.put("link", url() + "/?p=" + id);
                    posts.put(id, post);
                    return json(201, post);
                }
                if (path.startsWith("/posts/")) {
                    ObjectNode post = posts.get(Long.parseLong(path.substring(7)));
                    if (post == null) {
                        return error(404, "rest_post_invalid_id", "Invalid post ID.");
                    }
                    post.setAll((ObjectNode) JSON.readTree(r.getBodyAsString()));
                    return json(200, post);
                }
                if (path.equals("/media")) {
                    String disposition = r.getHeader("Content-Disposition");
                    if (disposition == null) {
                        return error(400, "rest_upload_no_content_disposition", "No Content-Disposition supplied.");
                    }
                    Matcher m = FILENAME.matcher(disposition);
                    if (!m.find()) {
                        return error(400, "rest_upload_invalid_disposition", "Invalid Content-Disposition supplied.");
                    }
                    String type = r.getHeader("Content-Type");
                    if (type == null || !type.startsWith("image/") || r.getBody().length == 0) {
                        return error(500, "rest_upload_sideload_error", "Sorry, you are not allowed to upload this file type.");
                    }
                    long id = ids.incrementAndGet();
                    ObjectNode item = JSON.createObjectNode().put("id", id).put("media_type", "image")
                            .put("mime_type", type).put("alt_text", "")
                            .put("source_url", url() + "/wp-content/uploads/2026/11/" + m.group(1));
                    media.put(id, new Media(id, m.group(1), type, r.getBody(), item));
                    return json(201, item);
                }
                if (path.startsWith("/media/")) {
                    Media item = media.get(Long.parseLong(path.substring(7)));
                    if (item == null) {
                        return error(404, "rest_post_invalid_id", "Invalid post ID.");
                    }
                    JsonNode changes = JSON.readTree(r.getBodyAsString());
                    item.json().setAll((ObjectNode) changes);
                    return json(200, item.json());
                }
            } catch (Exception e) {
                return error(500, "internal_server_error", e.getClass().getSimpleName());
            }
            return error(404, "rest_no_route", "No route was found matching the URL and request method.");
        }
    }

    private static ResponseDefinition error(int status, String code, String message) {
        return aResponse().withStatus(status).withHeader("Content-Type", "application/json; charset=UTF-8")
                .withBody("{\"code\":\"" + code + "\",\"message\":\"" + message + "\",\"data\":{\"status\":" + status + "}}")
                .build();
    }

    private static ResponseDefinition json(int status, JsonNode body) {
        return aResponse().withStatus(status).withHeader("Content-Type", "application/json; charset=UTF-8")
                .withBody(body.toString()).build();
    }
}
