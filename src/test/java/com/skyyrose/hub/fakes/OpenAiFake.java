package com.skyyrose.hub.fakes;

import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.matchingJsonPath;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;

import com.github.tomakehurst.wiremock.client.MappingBuilder;
import java.util.Map;

/**
 * OpenAI chat completions: {@code POST /v1/chat/completions}, {@code Authorization: Bearer}, body
 * {model, messages:[{role, content}]}; usage {prompt_tokens, completion_tokens, total_tokens}; errors
 * {"error":{"message","type","code"}}. Also stands in for OpenAI-compatible servers (Ollama, vLLM…).
 */
public class OpenAiFake extends LlmVendorFake {

    public OpenAiFake() {
        this("sk-test-openai", "gpt-4o-mini");
    }

    public OpenAiFake(String apiKey, String model) {
        super(apiKey, model);
    }

    @Override
    public String baseUrl() {
        return server.baseUrl() + "/v1";
    }

    @Override
    protected MappingBuilder chatRequest() {
        return post(urlPathEqualTo("/v1/chat/completions"))
                .withHeader("Authorization", equalTo("Bearer " + apiKey))
                .withRequestBody(matchingJsonPath("$.model", equalTo(model)))
                .withRequestBody(matchingJsonPath("$.messages[?(@.role == 'user')].content"));
    }

    @Override
    protected String successBody(String text, int in, int out, String finish) {
        return "{\"id\":\"chatcmpl-fake\",\"object\":\"chat.completion\",\"created\":1764230400,\"model\":\"" + model
                + "\",\"choices\":[{\"index\":0,\"message\":{\"role\":\"assistant\",\"content\":" + json(text)
                + ",\"refusal\":null},\"logprobs\":null,\"finish_reason\":\"" + (finish == null ? "stop" : finish)
                + "\"}],\"usage\":{\"prompt_tokens\":" + in + ",\"completion_tokens\":" + out
                + ",\"total_tokens\":" + (in + out) + "},\"system_fingerprint\":\"fp_fake\"}";
    }

    @Override
    protected String errorBody(int status) {
        return switch (status) {
            case 401 -> "{\"error\":{\"message\":\"Incorrect API key provided.\",\"type\":\"invalid_request_error\","
                    + "\"param\":null,\"code\":\"invalid_api_key\"}}";
            case 429 -> "{\"error\":{\"message\":\"Rate limit reached for requests\",\"type\":\"requests\","
                    + "\"param\":null,\"code\":\"rate_limit_exceeded\"}}";
            default -> "{\"error\":{\"message\":\"The server had an error while processing your request.\","
                    + "\"type\":\"server_error\",\"param\":null,\"code\":null}}";
        };
    }

    @Override
    public Map<String, String> env() {
        return Map.of("OPENAI_API_KEY", apiKey, "OPENAI_BASE_URL", baseUrl(), "OPENAI_MODEL", model);
    }
}
