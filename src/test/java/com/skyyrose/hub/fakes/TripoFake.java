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
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Tripo3D's OpenAPI ({@code /v2/openapi}): Bearer {@code tsk_...} auth; {@code POST /task} ({@code text_to_model}
 * with {@code prompt}, {@code image_to_model} with {@code file:{type, url|file_token}}) answering
 * {@code {code:0, data:{task_id}}}; {@code POST /upload} (multipart {@code file}) answering {@code data.image_token};
 * {@code GET /task/{id}} walking a status sequence (default queued → running → success) one step per poll, with
 * {@code progress} and, on success, {@code output.{model, base_model, pbr_model, rendered_image}}. Errors are
 * {@code {code: non-zero, message}}. It also measures how many polls of one task ever overlapped.
 */
public final class TripoFake implements AutoCloseable {

    public static final String API_KEY = "tsk_test_0123456789";
    private static final ObjectMapper JSON = new ObjectMapper();

    /** A task: its request, its status sequence and where it is in it. */
    public static final class Task {
        public final String id;
        public final JsonNode request;
        final List<String> statuses;
        final AtomicInteger step = new AtomicInteger();
        final AtomicInteger inFlight = new AtomicInteger();
        public final List<String> served = new CopyOnWriteArrayList<>();

        Task(String id, JsonNode request, List<String> statuses) {
            this.id = id;
            this.request = request;
            this.statuses = new CopyOnWriteArrayList<>(statuses);
        }
    }

    private final WireMockServer server;
    private final Map<String, Task> tasks = new ConcurrentHashMap<>();
    private final List<String> uploads = new CopyOnWriteArrayList<>();
    private volatile List<String> nextSequence = List.of("queued", "running", "success");
    private volatile long pollDelayMs;
    private final AtomicInteger maxOverlap = new AtomicInteger();

    public TripoFake() {
        server = new WireMockServer(options().dynamicPort().extensions(new Api()));
        server.start();
        server.stubFor(any(urlPathMatching("/v2/openapi/.*")).atPriority(10)
                .willReturn(aResponse().withTransformers("tripo-api")));
    }

    public String baseUrl() {
        return "http://127.0.0.1:" + server.port() + "/v2/openapi";
    }

    public WireMockServer server() {
        return server;
    }

    /** The status sequence of the next tasks created (the last status repeats). */
    public void nextTasksGo(String... statuses) {
        nextSequence = List.of(statuses);
    }

    /** Makes every task poll slow (to catch overlapping polls). */
    public void pollDelay(long millis) {
        pollDelayMs = millis;
    }

    /** The task finishes at its next poll. */
    public void finish(String taskId, String status) {
        Task task = tasks.get(taskId);
        task.statuses.add(status);
        task.step.set(task.statuses.size() - 1);
    }

    /** Tripo no longer knows the task (answers 404 {code:2001}). */
    public void forget(String taskId) {
        tasks.remove(taskId);
    }

    public Task task(String id) {
        return tasks.get(id);
    }

    public List<Task> tasks() {
        List<Task> list = new ArrayList<>(tasks.values());
        return Collections.unmodifiableList(list);
    }

    public List<String> uploads() {
        return uploads;
    }

    public int maxOverlappingPolls() {
        return maxOverlap.get();
    }

    public void reset() {
        server.resetRequests();
        tasks.clear();
        uploads.clear();
        nextSequence = List.of("queued", "running", "success");
        pollDelayMs = 0;
        maxOverlap.set(0);
    }

    public List<LoggedRequest> requests(String method, String pathSuffix) {
        List<LoggedRequest> list = new ArrayList<>(server.getAllServeEvents().stream().map(ServeEvent::getRequest)
                .filter(r -> r.getMethod().getName().equals(method) && r.getUrl().startsWith("/v2/openapi" + pathSuffix))
                .toList());
        Collections.reverse(list);
        return list;
    }

    @Override
    public void close() {
        server.stop();
    }

    private final class Api implements ResponseDefinitionTransformerV2 {
        @Override
        public String getName() {
            return "tripo-api";
        }

        @Override
        public boolean applyGlobally() {
            return false;
        }

        @Override
        public ResponseDefinition transform(ServeEvent event) {
            LoggedRequest r = event.getRequest();
            if (!("Bearer " + API_KEY).equals(r.getHeader("Authorization"))) {
                return reply(401, "{\"code\":1002,\"message\":\"Authentication failed: invalid api key\"}");
            }
            String path = r.getUrl().substring("/v2/openapi".length());
            String method = r.getMethod().getName();
            try {
                if (method.equals("POST") && path.equals("/task")) {
                    JsonNode body = JSON.readTree(r.getBodyAsString());
                    String type = body.path("type").asText();
                    boolean valid = type.equals("text_to_model") ? body.hasNonNull("prompt")
                            : type.equals("image_to_model") && (body.path("file").hasNonNull("url")
                                    || body.path("file").hasNonNull("file_token"))
                                    && List.of("jpg", "png", "webp").contains(body.path("file").path("type").asText());
                    if (!valid) {
                        return reply(400, "{\"code\":2002,\"message\":\"Invalid task parameters\"}");
                    }
                    String id = UUID.randomUUID().toString();
                    tasks.put(id, new Task(id, body, nextSequence));
                    return reply(200, "{\"code\":0,\"data\":{\"task_id\":\"" + id + "\"}}");
                }
                if (method.equals("POST") && path.equals("/upload")) {
                    String contentType = r.getHeader("Content-Type");
                    if (contentType == null || !contentType.startsWith("multipart/form-data")
                            || !r.getBodyAsString().contains("name=\"file\"")) {
                        return reply(400, "{\"code\":2003,\"message\":\"file is required\"}");
                    }
                    String token = UUID.randomUUID().toString();
                    uploads.add(token);
                    return reply(200, "{\"code\":0,\"data\":{\"image_token\":\"" + token + "\"}}");
                }
                if (method.equals("GET") && path.startsWith("/task/")) {
                    Task task = tasks.get(path.substring("/task/".length()));
                    if (task == null) {
                        return reply(404, "{\"code\":2001,\"message\":\"task not found\"}");
                    }
                    int overlap = task.inFlight.incrementAndGet();
                    maxOverlap.accumulateAndGet(overlap, Math::max);
                    try {
                        if (pollDelayMs > 0) {
                            Thread.sleep(pollDelayMs);
                        }
                        int step = Math.min(task.step.getAndIncrement(), task.statuses.size() - 1);
                        String status = task.statuses.get(step);
                        task.served.add(status);
                        ObjectNode data = JSON.createObjectNode().put("task_id", task.id)
                                .put("type", task.request.path("type").asText()).put("status", status);
                        data.set("input", task.request);
                        data.put("progress", status.equals("success") ? 100 : status.equals("running") ? 50 : 0);
                        data.put("create_time", System.currentTimeMillis() / 1000);
                        ObjectNode output = data.putObject("output");
                        if (status.equals("success")) {
                            String base = "https://tripo-data.example/" + task.id;
                            output.put("model", base + "/model.glb").put("base_model", base + "/base.glb")
                                    .put("pbr_model", base + "/pbr.glb").put("rendered_image", base + "/preview.webp");
                        }
                        return reply(200, JSON.createObjectNode().put("code", 0).set("data", data).toString());
                    } finally {
                        task.inFlight.decrementAndGet();
                    }
                }
            } catch (Exception e) {
                return reply(500, "{\"code\":1000,\"message\":\"" + e.getClass().getSimpleName() + "\"}");
            }
            return reply(404, "{\"code\":1001,\"message\":\"not found\"}");
        }
    }

    private static ResponseDefinition reply(int status, String body) {
        return aResponse().withStatus(status).withHeader("Content-Type", "application/json").withBody(body).build();
    }
}
