package com.skyyrose.hub.assistants;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.skyyrose.hub.security.Principal;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * OpenAI's Chat Completions API over the hub ({@code POST /v1/chat/completions}, {@code GET /v1/models}), so any
 * OpenAI SDK, framework or chat UI can use it unchanged. Models: {@code round-table} (the panel and selection),
 * {@code agent:<id>} (a SuperAgent run), {@code <provider>/<model>} (one provider, no selection).
 * <p>
 * Served by Spring MVC rather than the contract's REST DSL: the wire format (request, errors, Server-Sent Events) is
 * OpenAI's, not the hub's problem+json contract, and a streamed answer must be written while the vendor sends it.
 */
@RestController
@RequestMapping("/v1")
public class ChatCompletionsController {

    /** Request fields the hub honours; any other is refused rather than silently ignored. */
    private static final Set<String> SUPPORTED = Set.of("model", "messages", "stream", "stream_options",
            "temperature", "max_tokens", "max_completion_tokens", "n", "user");
    private static final String DONE = "[DONE]";

    private final AssistantAccess access;
    private final AssistantModels models;
    private final UsageLedger ledger;
    private final ObjectMapper json;

    public ChatCompletionsController(AssistantAccess access, AssistantModels models, UsageLedger ledger,
            ObjectMapper json) {
        this.access = access;
        this.models = models;
        this.ledger = ledger;
        this.json = json;
    }

    @GetMapping(value = "/models", produces = MediaType.APPLICATION_JSON_VALUE)
    public Map<String, Object> listModels(HttpServletRequest request, HttpServletResponse response) {
        Principal principal = access.admit(request, response);
        List<Map<String, Object>> data = new ArrayList<>();
        for (AssistantModels.Model m : models.visibleTo(principal)) {
            Map<String, Object> entry = new LinkedHashMap<>();
            entry.put("id", m.id());
            entry.put("object", "model");
            entry.put("created", 0);
            entry.put("owned_by", m.ownedBy());
            data.add(entry);
        }
        return Map.of("object", "list", "data", data);
    }

    @PostMapping(value = "/chat/completions")
    public void chatCompletions(HttpServletRequest request, HttpServletResponse response) throws IOException {
        Principal principal = access.admit(request, response);
        // read as it is (BodyLimitFilter already capped it): Spring's message converters cost more than the read
        ChatCall call = parse(request.getInputStream().readAllBytes());
        AssistantModels.Model model = models.resolve(call.model());
        access.require(principal, model.permission(), call.model());
        access.withinBudget(principal);
        String id = "chatcmpl-" + UUID.randomUUID().toString().replace("-", "");
        long created = System.currentTimeMillis() / 1000;
        if (!call.stream()) {
            AssistantModels.Reply reply = models.complete(principal, model, call);
            reply.headers().forEach(response::setHeader);
            ObjectNode doc = completion(id, created, call.model(), reply);
            writeJson(response, 200, doc);
            // the answer goes out first; its usage is counted right after, on this thread
            response.flushBuffer();
            record(principal, model, reply);
            return;
        }
        stream(principal, model, call, id, created, response);
    }

    private void record(Principal principal, AssistantModels.Model model, AssistantModels.Reply reply) {
        ledger.record(principal, model.id(), reply.provider(), reply.inputTokens(), reply.outputTokens(),
                reply.costUsd(), reply.roundTableId(), reply.agentRunId());
    }

    private ObjectNode completion(String id, long created, String model, AssistantModels.Reply reply) {
        ObjectNode doc = json.createObjectNode();
        doc.put("id", id);
        doc.put("object", "chat.completion");
        doc.put("created", created);
        doc.put("model", model);
        ObjectNode choice = doc.putArray("choices").addObject();
        choice.put("index", 0);
        ObjectNode message = choice.putObject("message");
        message.put("role", "assistant");
        message.put("content", reply.text());
        message.putNull("refusal");
        choice.putNull("logprobs");
        choice.put("finish_reason", reply.finishReason());
        doc.set("usage", usage(reply.inputTokens(), reply.outputTokens()));
        reply.fields().forEach((k, v) -> doc.set(k, json.valueToTree(v)));
        return doc;
    }

    private ObjectNode usage(long in, long out) {
        ObjectNode usage = json.createObjectNode();
        usage.put("prompt_tokens", in);
        usage.put("completion_tokens", out);
        usage.put("total_tokens", in + out);
        return usage;
    }

    /**
     * Server-Sent Events in OpenAI's chunk format. A provider model streams the vendor's pieces as they arrive (the
     * listener queues them; this request thread writes and flushes each); the round table and agents stream the
     * selected answer once it is known.
     */
    private void stream(Principal principal, AssistantModels.Model model, ChatCall call, String id, long created,
            HttpServletResponse response) throws IOException {
        boolean includeUsage = call.includeUsage();
        if (model.kind() != AssistantModels.Kind.PROVIDER) {
            AssistantModels.Reply reply = models.complete(principal, model, call);
            reply.headers().forEach(response::setHeader);
            OutputStream out = startEvents(response);
            event(out, chunk(id, created, call.model(), delta("assistant", ""), null, reply.fields()));
            event(out, chunk(id, created, call.model(), delta(null, reply.text()), null, null));
            event(out, chunk(id, created, call.model(), json.createObjectNode(), reply.finishReason(), null));
            if (includeUsage) {
                event(out, usageChunk(id, created, call.model(), reply.inputTokens(), reply.outputTokens()));
            }
            done(out);
            record(principal, model, reply);
            return;
        }
        BlockingQueue<Object[]> events = new LinkedBlockingQueue<>();
        models.stream(model, call, new ProviderGateway.StreamListener() {
            @Override
            public void piece(String text) {
                events.add(new Object[] {"piece", text});
            }

            @Override
            public void done(String finishReason, ProviderGateway.Usage usage) {
                events.add(new Object[] {"done", finishReason, usage});
            }

            @Override
            public void failed(String error) {
                events.add(new Object[] {"failed", error});
            }
        });
        OutputStream out = null;
        long deadline = System.nanoTime() + models.streamTimeout().toNanos();
        while (true) {
            Object[] e;
            try {
                e = events.poll(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            } catch (InterruptedException interrupted) {
                Thread.currentThread().interrupt();
                e = new Object[] {"failed", "interrupted"};
            }
            if (e == null) {
                e = new Object[] {"failed", "timeout"};
            }
            String kind = (String) e[0];
            if ("failed".equals(kind)) {
                OpenAiError error = AssistantModels.providerError((String) e[1]);
                if (out == null) {
                    throw error;
                }
                // headers are gone: OpenAI's streams report a late error as an event with the error object
                event(out, json.valueToTree(error.body()));
                done(out);
                return;
            }
            if (out == null) {
                response.setHeader("x-hub-provider", model.provider());
                out = startEvents(response);
                event(out, chunk(id, created, call.model(), delta("assistant", ""), null, null));
            }
            if ("piece".equals(kind)) {
                event(out, chunk(id, created, call.model(), delta(null, (String) e[1]), null, null));
                continue;
            }
            ProviderGateway.Usage usage = (ProviderGateway.Usage) e[2];
            event(out, chunk(id, created, call.model(), json.createObjectNode(), (String) e[1], null));
            if (includeUsage) {
                event(out, usageChunk(id, created, call.model(), usage.inputTokens(), usage.outputTokens()));
            }
            done(out);
            ledger.record(principal, model.id(), model.provider(), usage.inputTokens(), usage.outputTokens(),
                    usage.costUsd(), null, null);
            return;
        }
    }

    private OutputStream startEvents(HttpServletResponse response) throws IOException {
        response.setStatus(200);
        response.setContentType("text/event-stream;charset=UTF-8");
        response.setHeader("Cache-Control", "no-cache");
        response.setHeader("X-Accel-Buffering", "no");
        OutputStream out = response.getOutputStream();
        out.flush();
        return out;
    }

    private ObjectNode delta(String role, String content) {
        ObjectNode delta = json.createObjectNode();
        if (role != null) {
            delta.put("role", role);
        }
        if (content != null) {
            delta.put("content", content);
        }
        return delta;
    }

    private ObjectNode chunk(String id, long created, String model, ObjectNode delta, String finish,
            Map<String, Object> fields) {
        ObjectNode doc = json.createObjectNode();
        doc.put("id", id);
        doc.put("object", "chat.completion.chunk");
        doc.put("created", created);
        doc.put("model", model);
        ObjectNode choice = doc.putArray("choices").addObject();
        choice.put("index", 0);
        choice.set("delta", delta);
        choice.putNull("logprobs");
        if (finish == null) {
            choice.putNull("finish_reason");
        } else {
            choice.put("finish_reason", finish);
        }
        if (fields != null) {
            fields.forEach((k, v) -> doc.set(k, json.valueToTree(v)));
        }
        return doc;
    }

    private ObjectNode usageChunk(String id, long created, String model, long in, long out) {
        ObjectNode doc = json.createObjectNode();
        doc.put("id", id);
        doc.put("object", "chat.completion.chunk");
        doc.put("created", created);
        doc.put("model", model);
        doc.putArray("choices");
        doc.set("usage", usage(in, out));
        return doc;
    }

    private void event(OutputStream out, JsonNode data) throws IOException {
        out.write(("data: " + json.writeValueAsString(data) + "\n\n").getBytes(StandardCharsets.UTF_8));
        out.flush();
    }

    private void done(OutputStream out) throws IOException {
        out.write(("data: " + DONE + "\n\n").getBytes(StandardCharsets.UTF_8));
        out.flush();
    }

    // ---- request ------------------------------------------------------------------------------------------

    /** A parsed request: the model, the conversation (role, text) and the parameters the hub honours. */
    public record ChatCall(String model, List<Turn> messages, boolean stream, boolean includeUsage,
            Double temperature, Integer maxTokens) {
    }

    /** One message: system (also OpenAI's {@code developer}), user or assistant. */
    public record Turn(String role, String text) {
    }

    ChatCall parse(byte[] body) {
        JsonNode doc;
        try {
            doc = body == null || body.length == 0 ? null : json.readTree(body);
        } catch (IOException e) {
            throw OpenAiError.invalid(null, "invalid_json", "The request body is not valid JSON.");
        }
        if (doc == null || !doc.isObject()) {
            throw OpenAiError.invalid(null, "invalid_json", "The request body must be a JSON object.");
        }
        List<String> names = new ArrayList<>();
        doc.fieldNames().forEachRemaining(names::add);
        for (String name : names) {
            if (!SUPPORTED.contains(name)) {
                throw OpenAiError.invalid(name, "unsupported_parameter", "Unsupported parameter: '" + name
                        + "' is not supported by this hub (supported: " + String.join(", ", SUPPORTED.stream()
                                .sorted().toList()) + ").");
            }
        }
        JsonNode model = doc.get("model");
        if (model == null || !model.isTextual() || model.asText().isBlank()) {
            throw OpenAiError.invalid("model", "missing_required_parameter", "You must provide a model parameter.");
        }
        JsonNode messages = doc.get("messages");
        if (messages == null || !messages.isArray() || messages.isEmpty()) {
            throw OpenAiError.invalid("messages", "missing_required_parameter",
                    "'messages' must be a non-empty array.");
        }
        List<Turn> turns = new ArrayList<>();
        for (int i = 0; i < messages.size(); i++) {
            turns.add(turn(messages.get(i), "messages[" + i + "]"));
        }
        if (turns.stream().noneMatch(t -> "user".equals(t.role()))) {
            throw OpenAiError.invalid("messages", "invalid_value", "'messages' must contain a user message.");
        }
        if (doc.has("n") && !(doc.get("n").isIntegralNumber() && doc.get("n").asInt() == 1)) {
            throw OpenAiError.invalid("n", "unsupported_value", "Only n = 1 is supported.");
        }
        boolean stream = bool(doc, "stream");
        JsonNode options = doc.get("stream_options");
        boolean includeUsage = false;
        if (options != null && !options.isNull()) {
            if (!stream) {
                throw OpenAiError.invalid("stream_options", "invalid_value",
                        "'stream_options' is only allowed when 'stream' is true.");
            }
            includeUsage = options.path("include_usage").asBoolean(false);
        }
        Double temperature = null;
        if (doc.hasNonNull("temperature")) {
            JsonNode t = doc.get("temperature");
            if (!t.isNumber() || t.asDouble() < 0 || t.asDouble() > 2) {
                throw OpenAiError.invalid("temperature", "invalid_value", "'temperature' must be between 0 and 2.");
            }
            temperature = t.asDouble();
        }
        Integer maxTokens = null;
        for (String name : List.of("max_completion_tokens", "max_tokens")) {
            if (doc.hasNonNull(name)) {
                JsonNode m = doc.get(name);
                if (!m.isIntegralNumber() || m.asInt() < 1) {
                    throw OpenAiError.invalid(name, "invalid_value", "'" + name + "' must be a positive integer.");
                }
                maxTokens = m.asInt();
                break;
            }
        }
        return new ChatCall(model.asText(), turns, stream, includeUsage, temperature, maxTokens);
    }

    private static boolean bool(JsonNode doc, String name) {
        JsonNode v = doc.get(name);
        if (v == null || v.isNull()) {
            return false;
        }
        if (!v.isBoolean()) {
            throw OpenAiError.invalid(name, "invalid_type", "'" + name + "' must be a boolean.");
        }
        return v.asBoolean();
    }

    private static Turn turn(JsonNode m, String where) {
        String role = m.path("role").asText("");
        switch (role) {
            case "system", "developer", "user", "assistant" -> { }
            case "tool", "function" -> throw OpenAiError.invalid(where + ".role", "unsupported_value",
                    "Tool messages are not supported: the hub's agents call tools themselves (model agent:<id>).");
            default -> throw OpenAiError.invalid(where + ".role", "invalid_value",
                    "Invalid role '" + role + "': expected system, developer, user or assistant.");
        }
        if (m.has("tool_calls") || m.has("function_call")) {
            throw OpenAiError.invalid(where + ".tool_calls", "unsupported_parameter",
                    "Tool calls are not supported.");
        }
        JsonNode content = m.get("content");
        String text;
        if (content != null && content.isTextual()) {
            text = content.asText();
        } else if (content != null && content.isArray()) {
            StringBuilder sb = new StringBuilder();
            for (JsonNode part : (ArrayNode) content) {
                if (!"text".equals(part.path("type").asText())) {
                    throw OpenAiError.invalid(where + ".content", "unsupported_content",
                            "Only text content parts are supported.");
                }
                if (!sb.isEmpty()) {
                    sb.append('\n');
                }
                sb.append(part.path("text").asText(""));
            }
            text = sb.toString();
        } else {
            throw OpenAiError.invalid(where + ".content", "invalid_type",
                    "'content' must be a string or an array of text parts.");
        }
        return new Turn("developer".equals(role) ? "system" : role, text);
    }

    // ---- errors -------------------------------------------------------------------------------------------

    @ExceptionHandler(OpenAiError.class)
    public ResponseEntity<Map<String, Object>> openAiError(OpenAiError error) {
        ResponseEntity.BodyBuilder reply = ResponseEntity.status(error.status()).contentType(MediaType.APPLICATION_JSON);
        error.headers().forEach((k, v) -> reply.header(k, v));
        return reply.body(error.body());
    }

    private void writeJson(HttpServletResponse response, int status, JsonNode doc) throws IOException {
        byte[] bytes = json.writeValueAsBytes(doc);
        response.setStatus(status);
        response.setContentType(MediaType.APPLICATION_JSON_VALUE);
        response.setContentLength(bytes.length);
        response.getOutputStream().write(bytes);
    }
}
