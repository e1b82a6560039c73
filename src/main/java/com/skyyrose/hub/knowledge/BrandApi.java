package com.skyyrose.hub.knowledge;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.skyyrose.hub.api.ProblemException;
import com.skyyrose.hub.api.Requests;
import com.skyyrose.hub.security.Principal;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.camel.Exchange;
import org.springframework.stereotype.Component;

/** The brand context operations of the contract (the routes in routes/knowledge/brand.camel.yaml call these). */
@Component("brandApi")
public class BrandApi {

    private final BrandContextService brand;
    private final ObjectMapper json;

    public BrandApi(BrandContextService brand, ObjectMapper json) {
        this.brand = brand;
        this.json = json;
    }

    /** GET /api/v1/brand/context[?version=n]. */
    public Map<String, Object> get(Exchange exchange) {
        Integer version = exchange.getMessage().getHeader("version", Integer.class);
        Map<String, Object> context = version == null ? brand.current() : brand.version(version);
        exchange.getMessage().setHeader("ETag", "\"brand-v" + context.get("version") + "\"");
        return context;
    }

    /** PUT /api/v1/brand/context. */
    public Map<String, Object> replace(byte[] body, Exchange exchange) {
        JsonNode doc = Requests.jsonObject(json, body);
        Map<String, Object> stored = brand.replace(doc, who(exchange), comment(doc));
        exchange.getMessage().setHeader("ETag", "\"brand-v" + stored.get("version") + "\"");
        return stored;
    }

    /** PATCH /api/v1/brand/context (RFC 7386 JSON Merge Patch). */
    public Map<String, Object> patch(byte[] body, Exchange exchange) {
        JsonNode patch = Requests.jsonObject(json, body);
        Map<String, Object> stored = brand.patch(patch, who(exchange), comment(patch));
        exchange.getMessage().setHeader("ETag", "\"brand-v" + stored.get("version") + "\"");
        return stored;
    }

    /** GET /api/v1/brand/context/versions. */
    public Map<String, Object> versions(Exchange exchange) {
        int limit = Requests.intParam(exchange, "limit", 50);
        int offset = Requests.intParam(exchange, "offset", 0);
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("items", brand.versions(limit, offset));
        out.put("total", brand.count());
        out.put("limit", limit);
        out.put("offset", offset);
        return out;
    }

    static String who(Exchange exchange) {
        return Principal.current(exchange).map(Principal::id).orElse("system");
    }

    private static String comment(JsonNode doc) {
        JsonNode c = doc.get("change_comment");
        if (doc.isObject()) {
            ((com.fasterxml.jackson.databind.node.ObjectNode) doc).remove("change_comment");
        }
        return c != null && c.isTextual() ? c.asText() : null;
    }
}
