package com.skyyrose.hub.fakes;

import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.matchingJsonPath;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;

import com.github.tomakehurst.wiremock.client.MappingBuilder;
import java.util.Map;

/**
 * Google Gemini: {@code POST /v1beta/models/{model}:generateContent} with {@code x-goog-api-key}, body
 * {contents:[{role, parts:[{text}]}], systemInstruction?, generationConfig}; usage in usageMetadata
 * {promptTokenCount, candidatesTokenCount, totalTokenCount}; errors {"error":{"code","message","status"}}.
 */
public class GeminiFake extends LlmVendorFake {

    public GeminiFake() {
        this("gemini-test-key", "gemini-2.0-flash");
    }

    public GeminiFake(String apiKey, String model) {
        super(apiKey, model);
    }

    @Override
    public String baseUrl() {
        return server.baseUrl() + "/v1beta";
    }

    @Override
    protected MappingBuilder chatRequest() {
        return post(urlPathEqualTo("/v1beta/models/" + model + ":generateContent"))
                .withHeader("x-goog-api-key", equalTo(apiKey))
                .withRequestBody(matchingJsonPath("$.contents[0].parts[0].text"));
    }

    @Override
    protected String successBody(String text, int in, int out, String finish) {
        return "{\"candidates\":[{\"content\":{\"parts\":[{\"text\":" + json(text) + "}],\"role\":\"model\"},"
                + "\"finishReason\":\"" + (finish == null ? "STOP" : finish) + "\",\"index\":0}],"
                + "\"usageMetadata\":{\"promptTokenCount\":" + in + ",\"candidatesTokenCount\":" + out
                + ",\"totalTokenCount\":" + (in + out) + "},\"modelVersion\":\"" + model + "\"}";
    }

    @Override
    protected String errorBody(int status) {
        String s = switch (status) {
            case 400 -> "INVALID_ARGUMENT";
            case 403 -> "PERMISSION_DENIED";
            case 429 -> "RESOURCE_EXHAUSTED";
            case 503 -> "UNAVAILABLE";
            default -> "INTERNAL";
        };
        String message = status == 429 ? "Resource has been exhausted (e.g. check quota)."
                : "An internal error has occurred.";
        return "{\"error\":{\"code\":" + status + ",\"message\":\"" + message + "\",\"status\":\"" + s + "\"}}";
    }

    @Override
    public Map<String, String> env() {
        return Map.of("GEMINI_API_KEY", apiKey, "GEMINI_BASE_URL", baseUrl(), "GEMINI_MODEL", model);
    }
}
