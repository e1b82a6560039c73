package com.skyyrose.hub.fakes;

import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.matchingJsonPath;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;

import com.github.tomakehurst.wiremock.client.MappingBuilder;
import java.util.Map;

/**
 * Anthropic messages: {@code POST /v1/messages}, headers {@code x-api-key} and {@code anthropic-version:
 * 2023-06-01}, body {model, max_tokens, system?, messages}; usage {input_tokens, output_tokens}; errors
 * {"type":"error","error":{"type","message"}} (529 overloaded).
 */
public class AnthropicFake extends LlmVendorFake {

    public AnthropicFake() {
        this("sk-ant-test", "claude-3-5-haiku-latest");
    }

    public AnthropicFake(String apiKey, String model) {
        super(apiKey, model);
    }

    @Override
    public String baseUrl() {
        return server.baseUrl() + "/v1";
    }

    @Override
    protected MappingBuilder chatRequest() {
        return post(urlPathEqualTo("/v1/messages"))
                .withHeader("x-api-key", equalTo(apiKey))
                .withHeader("anthropic-version", equalTo("2023-06-01"))
                .withRequestBody(matchingJsonPath("$.model", equalTo(model)))
                .withRequestBody(matchingJsonPath("$.max_tokens"))
                .withRequestBody(matchingJsonPath("$.messages[?(@.role == 'user')]"));
    }

    @Override
    protected String successBody(String text, int in, int out, String finish) {
        return "{\"id\":\"msg_fake\",\"type\":\"message\",\"role\":\"assistant\",\"model\":\"" + model
                + "\",\"content\":[{\"type\":\"text\",\"text\":" + json(text) + "}],\"stop_reason\":\""
                + (finish == null ? "end_turn" : finish) + "\",\"stop_sequence\":null,\"usage\":{\"input_tokens\":"
                + in + ",\"output_tokens\":" + out + "}}";
    }

    @Override
    protected String errorBody(int status) {
        String type = switch (status) {
            case 400 -> "invalid_request_error";
            case 401 -> "authentication_error";
            case 429 -> "rate_limit_error";
            case 529 -> "overloaded_error";
            default -> "api_error";
        };
        String message = status == 529 ? "Overloaded" : status == 429 ? "Number of requests has exceeded your rate limit"
                : "Internal server error";
        return "{\"type\":\"error\",\"error\":{\"type\":\"" + type + "\",\"message\":\"" + message + "\"}}";
    }

    @Override
    public Map<String, String> env() {
        return Map.of("ANTHROPIC_API_KEY", apiKey, "ANTHROPIC_BASE_URL", baseUrl(), "ANTHROPIC_MODEL", model);
    }
}
