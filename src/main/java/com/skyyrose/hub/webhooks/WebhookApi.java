package com.skyyrose.hub.webhooks;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.skyyrose.hub.api.Problem;
import com.skyyrose.hub.api.ProblemException;
import com.skyyrose.hub.api.ProblemType;
import com.skyyrose.hub.observability.TraceContinuation;
import com.skyyrose.hub.security.Principal;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.camel.Exchange;
import org.apache.camel.Message;
import org.springframework.stereotype.Component;

/** The operator API over the inbox: list, read, replay one event, replay dead letters in bulk. */
@Component("webhookApi")
public class WebhookApi {

    private final WebhookInbox inbox;
    private final ObjectMapper json;

    public WebhookApi(WebhookInbox inbox, ObjectMapper json) {
        this.inbox = inbox;
        this.json = json;
    }

    /** GET /api/v1/webhooks/events?status=&topic=&source=&provider=&limit=&offset= */
    public Map<String, Object> list(Exchange exchange) {
        Message in = exchange.getMessage();
        int limit = in.getHeader("limit", 50, Integer.class);
        int offset = in.getHeader("offset", 0, Integer.class);
        WebhookInbox.Page page = inbox.list(in.getHeader("status", String.class), in.getHeader("topic", String.class),
                in.getHeader("source", String.class), in.getHeader("provider", String.class), limit, offset);
        in.setHeader("X-Total-Count", page.total());
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("items", page.events().stream().map(e -> summary(e)).toList());
        body.put("total", page.total());
        body.put("limit", limit);
        body.put("offset", offset);
        return body;
    }

    /**
     * GET /api/v1/webhooks/events/{eventId} — metadata, stored headers and the payload (until purged). Personal data
     * in the payload is masked unless the caller is an administrator ({@code payloadMasked: true}).
     */
    public Map<String, Object> get(Exchange exchange) {
        WebhookInbox.StoredEvent e = found(exchange);
        Map<String, Object> body = summary(e);
        body.put("headers", readJson(e.headersJson().getBytes(java.nio.charset.StandardCharsets.UTF_8)));
        Object payload = e.payload() == null ? null : readJson(e.payload());
        boolean admin = Principal.current(exchange).map(Principal::isAdmin).orElse(false);
        if (!admin && payload != null) {
            payload = payload instanceof JsonNode tree ? PersonalDataMask.mask(tree)
                    : PersonalDataMask.maskText(payload.toString());
            body.put("payloadMasked", true);
        }
        body.put("payload", payload);
        // what the event handed to the knowledge base and the agents, and how far each got (dead letters included)
        body.put("handoffs", inbox.handoffs(e.id()));
        return body;
    }

    /** POST /api/v1/webhooks/events/{eventId}/replay — queue again, processed even if its state was seen. */
    public Map<String, Object> replay(Exchange exchange) {
        WebhookInbox.StoredEvent e = found(exchange);
        if (e.payload() == null) {
            throw new ProblemException(Problem.of(ProblemType.CONFLICT, 409,
                    "The event's payload was purged by the retention policy; it cannot be replayed."));
        }
        if ("rejected".equals(e.status())) {
            throw new ProblemException(Problem.of(ProblemType.CONFLICT, 409,
                    "The event was rejected (its topic does not fit its body: " + e.lastError()
                            + "); it is never processed."));
        }
        if (!inbox.replay(e.id())) {
            throw new ProblemException(Problem.of(ProblemType.CONFLICT, 409, "The event is already pending."));
        }
        exchange.getMessage().setHeader(Exchange.HTTP_RESPONSE_CODE, 202);
        return summary(inbox.find(e.id()));
    }

    /** POST /api/v1/webhooks/dead-letters/replay {source?, topic?, limit?} */
    public Map<String, Object> replayDead(Exchange exchange) throws Exception {
        byte[] raw = exchange.getMessage().getBody(byte[].class);
        JsonNode req = raw == null || raw.length == 0 ? json.createObjectNode() : json.readTree(raw);
        String source = req.hasNonNull("source") ? req.get("source").asText() : null;
        String topic = req.hasNonNull("topic") ? req.get("topic").asText() : null;
        int limit = req.hasNonNull("limit") ? req.get("limit").asInt() : 1000;
        List<Long> ids = inbox.replayDead(source, topic, limit);
        exchange.getMessage().setHeader(Exchange.HTTP_RESPONSE_CODE, 202);
        return Map.of("replayed", ids.size(), "eventIds", ids);
    }

    private WebhookInbox.StoredEvent found(Exchange exchange) {
        Long id = exchange.getMessage().getHeader("eventId", Long.class);
        WebhookInbox.StoredEvent e = id == null ? null : inbox.find(id);
        if (e == null) {
            throw new ProblemException(Problem.of(ProblemType.NOT_FOUND, 404, "No webhook event with this id."));
        }
        return e;
    }

    private static Map<String, Object> summary(WebhookInbox.StoredEvent e) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("id", e.id());
        m.put("provider", e.provider());
        m.put("source", e.source());
        m.put("origin", e.origin());
        m.put("topic", e.topic());
        m.put("resource", e.resource());
        m.put("resourceId", e.resourceId());
        m.put("webhookId", e.webhookId());
        m.put("deliveryId", e.deliveryId());
        m.put("modifiedGmt", e.modifiedGmt());
        m.put("dedupeKey", e.dedupeKey());
        m.put("payloadSha256", e.payloadSha256());
        m.put("status", e.status());
        m.put("outcome", e.outcome());
        m.put("attempts", e.attempts());
        m.put("lastError", e.lastError());
        // the trace of the delivery, which the processing continues (with tracing on)
        m.put("traceId", TraceContinuation.traceId(TraceContinuation.traceparentIn(e.headersJson())));
        m.put("receivedAt", str(e.receivedAt()));
        m.put("nextAttemptAt", "pending".equals(e.status()) ? str(e.nextAttemptAt()) : null);
        m.put("processedAt", str(e.processedAt()));
        m.put("payloadPurgedAt", str(e.payloadPurgedAt()));
        return m;
    }

    private static String str(Object o) {
        return o == null ? null : o.toString();
    }

    private Object readJson(byte[] bytes) {
        try {
            return json.readTree(bytes);
        } catch (Exception e) {
            return new String(bytes, java.nio.charset.StandardCharsets.UTF_8);
        }
    }
}
