package com.skyyrose.hub.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import org.apache.camel.Exchange;

/** Reading a request inside a route: query parameters the contract has already validated, JSON object bodies. */
public final class Requests {

    private Requests() {
    }

    /** An integer query parameter (type and range checked by the contract), or the fallback when absent. */
    public static int intParam(Exchange exchange, String name, int fallback) {
        Object v = exchange.getMessage().getHeader(name);
        return v == null || v.toString().isBlank() ? fallback : Integer.parseInt(v.toString().trim());
    }

    /** The body as a JSON object; 400 problem naming {@code body} when it is not valid JSON or not an object. */
    public static JsonNode jsonObject(ObjectMapper json, byte[] body) {
        JsonNode node;
        try {
            node = json.readTree(body);
        } catch (IOException e) {
            throw ProblemException.badRequest("body", "not valid JSON");
        }
        if (node == null || !node.isObject()) {
            throw ProblemException.badRequest("body", "must be a JSON object");
        }
        return node;
    }
}
