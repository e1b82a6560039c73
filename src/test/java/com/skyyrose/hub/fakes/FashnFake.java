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
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * FASHN's API: Bearer auth; {@code POST /v1/run} {@code {model_name, inputs:{model_image, garment_image, category,
 * mode}}} → {@code {id, error:null}}; {@code GET /v1/status/{id}} walking {@code starting → in_queue → processing →
 * completed} (output = CDN URLs) or ending {@code failed} with {@code error:{name, message}}; 429
 * {@code ConcurrencyLimitExceeded} when more runs are in progress than the account's concurrency.
 */
public final class FashnFake implements AutoCloseable {

    public static final String API_KEY = "fa-test-0123456789";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final List<String> CATEGORIES = List.of("tops", "bottoms", "one-pieces", "auto");

    private final WireMockServer server;
    private final Map<String, List<String>> sequences = new ConcurrentHashMap<>();
    private final Map<String, AtomicInteger> steps = new ConcurrentHashMap<>();
    private final Map<String, JsonNode> runs = new ConcurrentHashMap<>();
    private final List<String> order = new CopyOnWriteArrayList<>();
    private volatile List<String> next = List.of("starting", "in_queue", "processing", "completed");
    private volatile int concurrency = 6;

    public FashnFake() {
        server = new WireMockServer(options().dynamicPort().extensions(new Api()));
        server.start();
        server.stubFor(any(urlPathMatching("/v1/.*")).atPriority(10).willReturn(aResponse().withTransformers("fashn-api")));
    }

    public String baseUrl() {
        return "http://127.0.0.1:" + server.port();
    }

    public WireMockServer server() {
        return server;
    }

    /** Status sequence of the next runs; "failed" ends with an ImageLoadError. */
    public void nextRunsGo(String... statuses) {
        next = List.of(statuses);
    }

    public void concurrency(int limit) {
        concurrency = limit;
    }

    public JsonNode run(String id) {
        return runs.get(id);
    }

    public List<String> runIds() {
        return order;
    }

    public void reset() {
        server.resetRequests();
        sequences.clear();
        steps.clear();
        runs.clear();
        order.clear();
        next = List.of("starting", "in_queue", "processing", "completed");
        concurrency = 6;
    }

    @Override
    public void close() {
        server.stop();
    }

    private boolean active(String id) {
        List<String> seq = sequences.get(id);
        int step = Math.min(steps.get(id).get(), seq.size() - 1);
        String status = seq.get(step);
        return !status.equals("completed") && !status.equals("failed");
    }

    private final class Api implements ResponseDefinitionTransformerV2 {
        @Override
        public String getName() {
            return "fashn-api";
        }

        @Override
        public boolean applyGlobally() {
            return false;
        }

        @Override
        public ResponseDefinition transform(ServeEvent event) {
            LoggedRequest r = event.getRequest();
            if (!("Bearer " + API_KEY).equals(r.getHeader("Authorization"))) {
                return reply(401, "{\"id\":null,\"error\":{\"name\":\"UnauthorizedAccess\",\"message\":\"Invalid API key\"}}");
            }
            String path = r.getUrl();
            try {
                if (r.getMethod().getName().equals("POST") && path.equals("/v1/run")) {
                    JsonNode body = JSON.readTree(r.getBodyAsString());
                    JsonNode inputs = body.path("inputs");
                    if (!body.hasNonNull("model_name") || !inputs.hasNonNull("model_image")
                            || !inputs.hasNonNull("garment_image")
                            || !CATEGORIES.contains(inputs.path("category").asText("auto"))) {
                        return reply(400, "{\"id\":null,\"error\":{\"name\":\"BadRequest\",\"message\":\"Invalid inputs\"}}");
                    }
                    long running = sequences.keySet().stream().filter(FashnFake.this::active).count();
                    if (running >= concurrency) {
                        return aResponse().withStatus(429).withHeader("Content-Type", "application/json")
                                .withHeader("Retry-After", "5")
                                .withBody("{\"id\":null,\"error\":{\"name\":\"ConcurrencyLimitExceeded\",\"message\":"
                                        + "\"Concurrency limit of " + concurrency + " reached\"}}").build();
                    }
                    String id = UUID.randomUUID().toString();
                    sequences.put(id, next);
                    steps.put(id, new AtomicInteger());
                    runs.put(id, body);
                    order.add(id);
                    return reply(200, "{\"id\":\"" + id + "\",\"error\":null}");
                }
                if (r.getMethod().getName().equals("GET") && path.startsWith("/v1/status/")) {
                    String id = path.substring("/v1/status/".length());
                    List<String> seq = sequences.get(id);
                    if (seq == null) {
                        return reply(404, "{\"error\":{\"name\":\"NotFound\",\"message\":\"Prediction not found\"}}");
                    }
                    int step = Math.min(steps.get(id).getAndIncrement(), seq.size() - 1);
                    String status = seq.get(step);
                    ObjectNode reply = JSON.createObjectNode().put("id", id).put("status", status);
                    if (status.equals("completed")) {
                        reply.putArray("output").add("https://cdn.fashn.ai/" + id + "/output_0.png");
                        reply.putNull("error");
                    } else if (status.equals("failed")) {
                        reply.putNull("output");
                        reply.putObject("error").put("name", "ImageLoadError")
                                .put("message", "Failed to load the garment image");
                    } else {
                        reply.putNull("output");
                        reply.putNull("error");
                    }
                    return reply(200, reply.toString());
                }
            } catch (Exception e) {
                return reply(500, "{\"error\":{\"name\":\"InternalServerError\",\"message\":\"" + e + "\"}}");
            }
            return reply(404, "{\"error\":{\"name\":\"NotFound\",\"message\":\"Not found\"}}");
        }
    }

    private static ResponseDefinition reply(int status, String body) {
        return aResponse().withStatus(status).withHeader("Content-Type", "application/json").withBody(body).build();
    }
}
