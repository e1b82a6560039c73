package com.skyyrose.hub.assistants;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.matchingJsonPath;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.skyyrose.hub.agents.AgentTestFakes;
import com.skyyrose.hub.fakes.LlmVendorFake;
import com.skyyrose.hub.fakes.OpenAiFake;
import com.skyyrose.hub.security.Principal;
import com.skyyrose.hub.support.HubIntegrationTest;
import com.skyyrose.hub.support.TestAuth;
import com.skyyrose.hub.support.TestHttp;
import dev.langchain4j.data.message.SystemMessage;
import dev.langchain4j.data.message.UserMessage;
import dev.langchain4j.exception.AuthenticationException;
import dev.langchain4j.exception.InvalidRequestException;
import dev.langchain4j.exception.ModelNotFoundException;
import dev.langchain4j.exception.RateLimitException;
import dev.langchain4j.model.chat.response.ChatResponse;
import dev.langchain4j.model.chat.response.StreamingChatResponseHandler;
import dev.langchain4j.model.openai.OpenAiChatModel;
import dev.langchain4j.model.openai.OpenAiStreamingChatModel;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.data.redis.core.StringRedisTemplate;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * The OpenAI-compatible API with real OpenAI clients (langchain4j's {@code OpenAiChatModel} and
 * {@code OpenAiStreamingChatModel}) pointed at the hub, and the three LLM vendors faked in their own wire formats:
 * pass-through, round table, agents, streaming, errors in OpenAI's shape, permissions, rate limits and budgets.
 */
@DirtiesContext
class OpenAiCompatibleApiTest extends HubIntegrationTest {

    @RegisterExtension
    static final AgentTestFakes FAKES = new AgentTestFakes();
    static final OpenAiFake OPENAI = FAKES.openAi;
    /** An API key's monthly budget: two pass-through calls of 40 + 20 gpt-4o-mini tokens (1.8e-5 USD each) fit. */
    static final double KEY_BUDGET_USD = 0.00003;

    @DynamicPropertySource
    static void fakes(DynamicPropertyRegistry registry) {
        FAKES.register(registry);
        // the first round of a cold hub on this shared, loaded machine can pass the fakes' 5 s deadline
        registry.add("HUB_LLM_DEADLINE_MS", () -> "20000");
        registry.add("HUB_BUDGET_KEY_MONTHLY_USD", () -> Double.toString(KEY_BUDGET_USD));
    }

    @Autowired
    JdbcTemplate jdbc;
    @Autowired
    StringRedisTemplate redis;

    @BeforeEach
    void reset() {
        FAKES.panel.forEach(LlmVendorFake::reset);
        FAKES.panel.forEach(f -> f.answers("SkyyRose pieces are made in Oakland, where love meets luxury.", 40, 20));
    }

    String v1() {
        return "http://127.0.0.1:" + port + "/v1";
    }

    OpenAiChatModel client(String apiKey, String model) {
        return OpenAiChatModel.builder().baseUrl(v1()).apiKey(apiKey).modelName(model).maxRetries(0)
                .timeout(Duration.ofSeconds(30)).build();
    }

    /** A fresh partner API key with these scopes (its own budget and rate limit); returns its secret. */
    String newKey(String... scopes) {
        String body = "{\"name\":\"openai test " + UUID.randomUUID() + "\",\"scopes\":" + TestHttp.json()
                .valueToTree(List.of(scopes)) + "}";
        TestHttp.Reply created = http().postJson("/api/v1/api-keys", body, TestAuth.admin(http()));
        assertThat(created.status()).as(created.body()).isEqualTo(201);
        return created.json().get("secret").asText();
    }

    String adminToken() {
        return TestAuth.admin(http())[1].substring("Bearer ".length());
    }

    /**
     * The pass-through calls an OpenAI-wire vendor without the provider's route: the route's retry rule still applies
     * (a 429 is retried after the vendor's Retry-After) and a vendor's refusal comes back in OpenAI's shape.
     */
    @Test
    void aPassThroughRetriesAfterTheVendorsRetryAfterAndReportsItsRefusalInOpenAisShape() {
        OPENAI.rateLimitedThenAnswers(1, "Answered after the vendor's pause.");
        long start = System.nanoTime();
        String text = client(adminToken(), "openai/gpt-4o-mini").chat("retry " + UUID.randomUUID());

        assertThat(text).isEqualTo("Answered after the vendor's pause.");
        assertThat(OPENAI.requests()).hasSize(2);
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isGreaterThanOrEqualTo(Duration.ofMillis(950));

        OPENAI.reset();
        OPENAI.fails(400);
        TestHttp.Reply refused = http().postJson("/v1/chat/completions", "{\"model\":\"openai/gpt-4o-mini\","
                + "\"messages\":[{\"role\":\"user\",\"content\":\"refused " + UUID.randomUUID() + "\"}]}",
                TestAuth.admin(http()));
        assertThat(refused.status()).as(refused.body()).isEqualTo(502);
        assertThat(refused.json().get("error").get("code").asText()).isEqualTo("provider_error");
        assertThat(refused.json().get("error").get("message").asText()).contains("http_400");
        // a 400 is not retried
        assertThat(OPENAI.requests()).hasSize(1);
    }

    @Test
    void modelsListsTheRoundTableEveryAgentAndEveryProviderTheCallerMayUse() {
        TestHttp.Reply all = http().get("/v1/models", TestAuth.admin(http()));
        assertThat(all.status()).as(all.body()).isEqualTo(200);
        assertThat(all.json().get("object").asText()).isEqualTo("list");
        List<String> ids = all.json().get("data").findValuesAsText("id");
        assertThat(ids).contains("round-table", "agent:commerce", "agent:support", "openai/gpt-4o-mini",
                "anthropic/claude-3-5-haiku-latest", "gemini/gemini-2.0-flash");

        String agentsOnly = newKey("agents:run");
        List<String> visible = http().get("/v1/models", "Authorization", "Bearer " + agentsOnly).json().get("data")
                .findValuesAsText("id");
        assertThat(visible).isNotEmpty().allMatch(id -> id.startsWith("agent:"));

        TestHttp.Reply anonymous = http().get("/v1/models");
        assertThat(anonymous.status()).isEqualTo(401);
        assertThat(anonymous.json().get("error").get("code").asText()).isEqualTo("invalid_api_key");
        assertThat(anonymous.json().get("error").get("type").asText()).isEqualTo("invalid_request_error");
    }

    @Test
    void aProviderModelPassesThroughWithUsageAndCostRecorded() {
        String key = newKey("round-table:query");
        ChatResponse response = client(key, "openai/gpt-4o-mini").chat(
                SystemMessage.from("Answer in one sentence."), UserMessage.from("Where are SkyyRose pieces made?"));

        assertThat(response.aiMessage().text()).isEqualTo("SkyyRose pieces are made in Oakland, where love meets luxury.");
        assertThat(response.tokenUsage().inputTokenCount()).isEqualTo(40);
        assertThat(response.tokenUsage().outputTokenCount()).isEqualTo(20);
        // one vendor call, with the vendor's model name and both messages; no other provider asked
        assertThat(OPENAI.requests()).hasSize(1);
        String sent = OPENAI.requests().get(0).getBodyAsString();
        assertThat(sent).contains("\"gpt-4o-mini\"").contains("Answer in one sentence.").contains("SkyyRose pieces");
        assertThat(FAKES.anthropic.requests()).isEmpty();
        assertThat(FAKES.gemini.requests()).isEmpty();

        awaitRequests(key, 1);
        JsonNode usage = http().get("/api/v1/usage", "X-API-Key", key).json();
        assertThat(usage.get("requests").asLong()).isEqualTo(1);
        assertThat(usage.get("input_tokens").asLong()).isEqualTo(40);
        assertThat(usage.get("output_tokens").asLong()).isEqualTo(20);
        // gpt-4o-mini: 0.15 / 0.60 USD per million tokens
        assertThat(usage.get("cost_usd").asDouble()).isEqualTo(0.000018);
        assertThat(usage.get("by_model").get(0).get("model").asText()).isEqualTo("openai/gpt-4o-mini");
        assertThat(usage.get("budget").get("monthly_usd").asDouble()).isEqualTo(KEY_BUDGET_USD);
    }

    @Test
    void personalDataIsMaskedForTheVendorAndRestoredForTheCaller() {
        OPENAI.answersWhenBodyContains("EMAIL_1", "I will write to <EMAIL_1> today.", LlmVendorFake.TARGETED);
        String text = client(adminToken(), "openai/gpt-4o-mini")
                .chat("Please e-mail jane.doe@example.com about her order.");

        assertThat(text).isEqualTo("I will write to jane.doe@example.com today.");
        String sent = OPENAI.requests().get(0).getBodyAsString();
        assertThat(sent).doesNotContain("jane.doe@example.com").contains("EMAIL_1");
    }

    @Test
    void theRoundTableAnswersWithTheWinnerAndPointsAtTheStoredResult() {
        String body = "{\"model\":\"round-table\",\"messages\":[{\"role\":\"user\",\"content\":\"Where is SkyyRose "
                + "from? " + UUID.randomUUID() + "\"}]}";
        TestHttp.Reply reply = http().postJson("/v1/chat/completions", body, TestAuth.admin(http()));

        assertThat(reply.status()).as(reply.body()).isEqualTo(200);
        JsonNode doc = reply.json();
        assertThat(doc.get("object").asText()).isEqualTo("chat.completion");
        assertThat(doc.get("model").asText()).isEqualTo("round-table");
        assertThat(doc.get("choices").get(0).get("message").get("content").asText())
                .isEqualTo("SkyyRose pieces are made in Oakland, where love meets luxury.");
        // the whole panel answered: usage sums the three providers' tokens
        assertThat(doc.get("usage").get("prompt_tokens").asLong()).isEqualTo(120);
        assertThat(doc.get("usage").get("completion_tokens").asLong()).isEqualTo(60);
        String id = reply.header("x-hub-round-table-id").orElseThrow();
        assertThat(doc.get("x_hub_round_table_id").asText()).isEqualTo(id);
        TestHttp.Reply stored = http().get("/api/v1/round-table/results/" + id, TestAuth.admin(http()));
        assertThat(stored.status()).isEqualTo(200);
        assertThat(stored.json().get("candidates")).hasSize(3);

        // and through the OpenAI client
        String text = client(adminToken(), "round-table").chat("What does SkyyRose stand for? " + UUID.randomUUID());
        assertThat(text).isEqualTo("SkyyRose pieces are made in Oakland, where love meets luxury.");
    }

    @Test
    void anAgentRunsAndSaysWhenItsActionsAwaitApproval() {
        var product = FAKES.store.addProduct("Love Hurts Tee", "85.00");
        long id = product.get("id").asLong();
        FAKES.panel.forEach(f -> f.answers("{\"answer\":\"I propose a new price.\",\"actions\":["
                + "{\"tool\":\"woocommerce.products.update\",\"arguments\":{\"id\":" + id
                + ",\"changes\":{\"regular_price\":\"95.00\"}}}]}", 40, 20));

        String body = "{\"model\":\"agent:commerce\",\"messages\":[{\"role\":\"user\",\"content\":"
                + "\"Raise the Love Hurts tee to $95.\"}]}";
        TestHttp.Reply reply = http().postJson("/v1/chat/completions", body, TestAuth.admin(http()));

        assertThat(reply.status()).as(reply.body()).isEqualTo(200);
        JsonNode doc = reply.json();
        String runId = reply.header("x-hub-agent-run-id").orElseThrow();
        String content = doc.get("choices").get(0).get("message").get("content").asText();
        assertThat(content).startsWith("I propose a new price.").contains("await approval")
                .contains("woocommerce.products.update").contains(runId);
        assertThat(doc.get("x_hub_agent_run").get("status").asText()).isEqualTo("awaiting_approval");
        assertThat(FAKES.store.product(id).get("regular_price").asText()).as("nothing changed yet").isEqualTo("85.00");
        JsonNode run = http().get("/api/v1/runs/" + runId, TestAuth.admin(http())).json();
        assertThat(run.get("status").asText()).isEqualTo("awaiting_approval");
        assertThat(doc.get("usage").get("prompt_tokens").asLong()).isEqualTo(120);
    }

    @Test
    void aProviderStreamsTheVendorsPiecesAsTheyArrive() throws Exception {
        String[] pieces = {"Where ", "love ", "meets ", "luxury", "."};
        StringBuilder sse = new StringBuilder();
        for (String p : pieces) {
            sse.append("data: {\"id\":\"chatcmpl-v\",\"object\":\"chat.completion.chunk\",\"created\":1,\"model\":"
                    + "\"gpt-4o-mini\",\"choices\":[{\"index\":0,\"delta\":{\"content\":\"").append(p)
                    .append("\"},\"finish_reason\":null}]}\n\n");
        }
        sse.append("data: {\"id\":\"chatcmpl-v\",\"object\":\"chat.completion.chunk\",\"created\":1,\"model\":"
                + "\"gpt-4o-mini\",\"choices\":[{\"index\":0,\"delta\":{},\"finish_reason\":\"stop\"}]}\n\n");
        sse.append("data: {\"id\":\"chatcmpl-v\",\"object\":\"chat.completion.chunk\",\"created\":1,\"model\":"
                + "\"gpt-4o-mini\",\"choices\":[],\"usage\":{\"prompt_tokens\":12,\"completion_tokens\":5,"
                + "\"total_tokens\":17}}\n\n");
        sse.append("data: [DONE]\n\n");
        // the vendor sends its events over two seconds
        OPENAI.server().stubFor(post(urlPathEqualTo("/v1/chat/completions")).atPriority(1)
                .withHeader("Authorization", equalTo("Bearer " + OPENAI.apiKey()))
                .withRequestBody(matchingJsonPath("$.stream", equalTo("true")))
                .willReturn(aResponse().withStatus(200).withHeader("Content-Type", "text/event-stream")
                        .withBody(sse.toString()).withChunkedDribbleDelay(8, 2000)));

        String key = newKey("round-table:query");
        OpenAiStreamingChatModel model = OpenAiStreamingChatModel.builder().baseUrl(v1()).apiKey(key)
                .modelName("openai/gpt-4o-mini").timeout(Duration.ofSeconds(30)).build();
        List<Long> arrivals = new CopyOnWriteArrayList<>();
        StringBuilder text = new StringBuilder();
        CompletableFuture<ChatResponse> done = new CompletableFuture<>();
        model.chat("Say the tagline.", new StreamingChatResponseHandler() {
            @Override
            public void onPartialResponse(String partial) {
                arrivals.add(System.nanoTime());
                text.append(partial);
            }

            @Override
            public void onCompleteResponse(ChatResponse response) {
                done.complete(response);
            }

            @Override
            public void onError(Throwable error) {
                done.completeExceptionally(error);
            }
        });
        ChatResponse response = done.get(30, TimeUnit.SECONDS);

        assertThat(text.toString()).isEqualTo("Where love meets luxury.");
        assertThat(response.tokenUsage().inputTokenCount()).isEqualTo(12);
        assertThat(response.tokenUsage().outputTokenCount()).isEqualTo(5);
        // the pieces were forwarded while the vendor was still sending, not collected and sent at the end
        assertThat(arrivals.size()).isGreaterThanOrEqualTo(3);
        assertThat(TimeUnit.NANOSECONDS.toMillis(arrivals.get(arrivals.size() - 1) - arrivals.get(0)))
                .isGreaterThan(700);
        awaitRequests(key, 1);
        JsonNode usage = http().get("/api/v1/usage", "X-API-Key", key).json();
        assertThat(usage.get("by_model").get(0).get("model").asText()).isEqualTo("openai/gpt-4o-mini");
        assertThat(usage.get("input_tokens").asLong()).isEqualTo(12);
        assertThat(usage.get("output_tokens").asLong()).isEqualTo(5);
    }

    @Test
    void anAnthropicModelStreamsThroughTheOpenAiFormat() throws Exception {
        String[] events = {
            "message_start", "{\"type\":\"message_start\",\"message\":{\"id\":\"msg_1\",\"type\":\"message\","
                    + "\"role\":\"assistant\",\"model\":\"claude-3-5-haiku-latest\",\"content\":[],"
                    + "\"stop_reason\":null,\"usage\":{\"input_tokens\":14,\"output_tokens\":1}}}",
            "content_block_start", "{\"type\":\"content_block_start\",\"index\":0,\"content_block\":"
                    + "{\"type\":\"text\",\"text\":\"\"}}",
            "content_block_delta", "{\"type\":\"content_block_delta\",\"index\":0,\"delta\":"
                    + "{\"type\":\"text_delta\",\"text\":\"Beauty \"}}",
            "content_block_delta", "{\"type\":\"content_block_delta\",\"index\":0,\"delta\":"
                    + "{\"type\":\"text_delta\",\"text\":\"in the dark.\"}}",
            "content_block_stop", "{\"type\":\"content_block_stop\",\"index\":0}",
            "message_delta", "{\"type\":\"message_delta\",\"delta\":{\"stop_reason\":\"end_turn\"},"
                    + "\"usage\":{\"output_tokens\":6}}",
            "message_stop", "{\"type\":\"message_stop\"}"};
        StringBuilder sse = new StringBuilder();
        for (int i = 0; i < events.length; i += 2) {
            sse.append("event: ").append(events[i]).append("\ndata: ").append(events[i + 1]).append("\n\n");
        }
        FAKES.anthropic.server().stubFor(post(urlPathEqualTo("/v1/messages")).atPriority(1)
                .withHeader("x-api-key", equalTo(FAKES.anthropic.apiKey()))
                .withRequestBody(matchingJsonPath("$.stream", equalTo("true")))
                .willReturn(aResponse().withStatus(200).withHeader("Content-Type", "text/event-stream")
                        .withBody(sse.toString())));
        OpenAiStreamingChatModel model = OpenAiStreamingChatModel.builder().baseUrl(v1()).apiKey(adminToken())
                .modelName("anthropic/claude-3-5-haiku-latest").timeout(Duration.ofSeconds(30)).build();
        StringBuilder text = new StringBuilder();
        CompletableFuture<ChatResponse> done = new CompletableFuture<>();
        model.chat("The Black Rose tagline?", new StreamingChatResponseHandler() {
            @Override
            public void onPartialResponse(String partial) {
                text.append(partial);
            }

            @Override
            public void onCompleteResponse(ChatResponse response) {
                done.complete(response);
            }

            @Override
            public void onError(Throwable error) {
                done.completeExceptionally(error);
            }
        });
        ChatResponse response = done.get(30, TimeUnit.SECONDS);
        assertThat(text.toString()).isEqualTo("Beauty in the dark.");
        assertThat(response.tokenUsage().inputTokenCount()).isEqualTo(14);
        assertThat(response.tokenUsage().outputTokenCount()).isEqualTo(6);
        assertThat(FAKES.anthropic.requests()).hasSize(1);
        assertThat(OPENAI.requests()).isEmpty();
    }

    @Test
    void theRoundTableStreamsTheSelectedAnswer() throws Exception {
        OpenAiStreamingChatModel model = OpenAiStreamingChatModel.builder().baseUrl(v1()).apiKey(adminToken())
                .modelName("round-table").timeout(Duration.ofSeconds(30)).build();
        StringBuilder text = new StringBuilder();
        CompletableFuture<ChatResponse> done = new CompletableFuture<>();
        model.chat("Where is SkyyRose from? " + UUID.randomUUID(), new StreamingChatResponseHandler() {
            @Override
            public void onPartialResponse(String partial) {
                text.append(partial);
            }

            @Override
            public void onCompleteResponse(ChatResponse response) {
                done.complete(response);
            }

            @Override
            public void onError(Throwable error) {
                done.completeExceptionally(error);
            }
        });
        ChatResponse response = done.get(30, TimeUnit.SECONDS);
        assertThat(text.toString()).isEqualTo("SkyyRose pieces are made in Oakland, where love meets luxury.");
        assertThat(response.tokenUsage().totalTokenCount()).isEqualTo(180);
    }

    @Test
    void badRequestsAreRefusedInOpenAisErrorShape() {
        String[] admin = TestAuth.admin(http());
        TestHttp.Reply unsupported = http().postJson("/v1/chat/completions", "{\"model\":\"openai/gpt-4o-mini\","
                + "\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}],\"tools\":[]}", admin);
        assertThat(unsupported.status()).isEqualTo(400);
        assertThat(unsupported.contentType()).startsWith("application/json");
        JsonNode error = unsupported.json().get("error");
        assertThat(error.get("type").asText()).isEqualTo("invalid_request_error");
        assertThat(error.get("code").asText()).isEqualTo("unsupported_parameter");
        assertThat(error.get("param").asText()).isEqualTo("tools");
        assertThat(error.get("message").asText()).contains("tools");

        TestHttp.Reply noMessages = http().postJson("/v1/chat/completions", "{\"model\":\"round-table\"}", admin);
        assertThat(noMessages.status()).isEqualTo(400);
        assertThat(noMessages.json().get("error").get("param").asText()).isEqualTo("messages");
        TestHttp.Reply notJson = http().postJson("/v1/chat/completions", "{nope", admin);
        assertThat(notJson.json().get("error").get("code").asText()).isEqualTo("invalid_json");
        assertThat(OPENAI.requests()).isEmpty();

        // the OpenAI client raises its usual exceptions
        assertThatThrownBy(() -> client(adminToken(), "openai/no-such-model").chat("hi"))
                .isInstanceOf(ModelNotFoundException.class).hasMessageContaining("model_not_found");
        assertThatThrownBy(() -> client("hub_not-a-real-key", "round-table").chat("hi"))
                .isInstanceOf(AuthenticationException.class);
        assertThatThrownBy(() -> OpenAiChatModel.builder().baseUrl(v1()).apiKey(adminToken())
                .modelName("openai/gpt-4o-mini").topP(0.5).maxRetries(0).build().chat("hi"))
                .isInstanceOf(InvalidRequestException.class).hasMessageContaining("top_p");
    }

    /**
     * A chat's history easily passes the 64 KiB a stranger may make the hub read: with credentials a 200 KB request
     * passes through (up to HUB_MAX_BODY_BYTES), without them it is refused in OpenAI's shape before it is read.
     */
    @Test
    void aLongChatHistoryPassesThroughForAnAuthenticatedCaller() {
        String history = "The SkyyRose atelier notes: ".repeat(7_500); // ~ 210 KB of JSON once escaped
        String body = "{\"model\":\"openai/gpt-4o-mini\",\"messages\":[{\"role\":\"user\",\"content\":\"" + history
                + "\"}]}";
        assertThat(body.length()).isGreaterThan(200_000);
        TestHttp.Reply ok = http().postJson("/v1/chat/completions", body, "Authorization",
                "Bearer " + newKey("round-table:query"));
        assertThat(ok.status()).as(ok.body()).isEqualTo(200);
        assertThat(OPENAI.requests()).hasSize(1);
        assertThat(OPENAI.requests().get(0).getBodyAsString().length()).isGreaterThan(200_000);

        TestHttp.Reply stranger = http().postJson("/v1/chat/completions", body);
        assertThat(stranger.status()).isEqualTo(401);
        assertThat(stranger.json().get("error").get("code").asText()).isEqualTo("invalid_api_key");
        TestHttp.Reply tooLarge = http().postJson("/v1/chat/completions", "{\"pad\":\"" + "x".repeat(1_100_000)
                + "\"}", "Authorization", "Bearer " + newKey("round-table:query"));
        assertThat(tooLarge.status()).isEqualTo(413);
        assertThat(OPENAI.requests()).hasSize(1);
    }

    @Test
    void permissionsAreTheContractsOnes() {
        String reader = newKey("round-table:read", "agents:read");
        TestHttp.Reply denied = http().postJson("/v1/chat/completions", "{\"model\":\"round-table\",\"messages\":"
                + "[{\"role\":\"user\",\"content\":\"hi\"}]}", "Authorization", "Bearer " + reader);
        assertThat(denied.status()).isEqualTo(403);
        assertThat(denied.json().get("error").get("message").asText()).contains("round-table:query");
        String agentsOnly = newKey("agents:run");
        TestHttp.Reply noPassThrough = http().postJson("/v1/chat/completions", "{\"model\":\"openai/gpt-4o-mini\","
                + "\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}", "Authorization", "Bearer " + agentsOnly);
        assertThat(noPassThrough.status()).isEqualTo(403);
        assertThat(OPENAI.requests()).isEmpty();
    }

    /**
     * A user's access token on the OpenAI-compatible API: the session check and the rate limit are one Redis script
     * there (IdentityGuard.admitUser), so both are proved here: the user's bucket decides (emptied, the next request
     * gets 429), and a signed-out session is refused with 401 at once although its token is still unexpired.
     */
    @Test
    void aUsersTokenIsRateLimitedAndStopsWorkingWhenTheSessionEnds() throws Exception {
        String token = TestAuth.login(http(), TestAuth.ADMIN_EMAIL, TestAuth.ADMIN_PASSWORD).get("access_token")
                .asText();
        String[] user = TestAuth.bearer(token);
        TestHttp.Reply ok = http().get("/v1/models", user);
        assertThat(ok.status()).as(ok.body()).isEqualTo(200);
        assertThat(ok.header("x-ratelimit-remaining-requests")).isPresent();
        assertThat(ok.json().get("data").findValuesAsText("id")).contains("round-table");

        // the user's bucket (the one the contract's operations use too), emptied and frozen: no refill
        String subject = TestHttp.json().readTree(java.util.Base64.getUrlDecoder().decode(token.split("\\.")[1]))
                .get("sub").asText();
        String bucket = "ratelimit:principal:" + subject;
        redis.opsForHash().putAll(bucket, Map.of("tokens", "0", "ts", Long.toString(Long.MAX_VALUE / 4)));
        try {
            TestHttp.Reply limited = http().get("/v1/models", user);
            assertThat(limited.status()).isEqualTo(429);
            assertThat(limited.json().get("error").get("code").asText()).isEqualTo("rate_limit_exceeded");
        } finally {
            redis.delete(bucket);
        }
        assertThat(http().get("/v1/models", user).status()).isEqualTo(200);

        assertThat(http().postJson("/api/v1/auth/logout", "", user).status()).isEqualTo(204);
        TestHttp.Reply ended = http().get("/v1/models", user);
        assertThat(ended.status()).isEqualTo(401);
        assertThat(ended.json().get("error").get("code").asText()).isEqualTo("invalid_api_key");
        assertThat(ended.json().get("error").get("message").asText()).contains("session has ended");
    }

    @Test
    void theRateLimitAnswers429InOpenAisShape() {
        TestHttp.Reply created = http().postJson("/api/v1/api-keys", "{\"name\":\"openai rl " + UUID.randomUUID()
                + "\",\"scopes\":[\"round-table:query\"],\"ratePerMinute\":1}", TestAuth.admin(http()));
        assertThat(created.status()).as(created.body()).isEqualTo(201);
        String key = created.json().get("secret").asText();
        assertThat(client(key, "openai/gpt-4o-mini").chat("one")).isNotBlank();
        assertThatThrownBy(() -> client(key, "openai/gpt-4o-mini").chat("two"))
                .isInstanceOf(RateLimitException.class).hasMessageContaining("rate_limit_exceeded");
        TestHttp.Reply limited = http().get("/v1/models", "Authorization", "Bearer " + key);
        assertThat(limited.status()).isEqualTo(429);
        assertThat(limited.header("Retry-After")).isPresent();
        assertThat(limited.json().get("error").get("type").asText()).isEqualTo("requests");
    }

    @Test
    void aKeyOverItsMonthlyBudgetGets429InsufficientQuota() {
        String key = newKey("round-table:query");
        OpenAiChatModel client = client(key, "openai/gpt-4o-mini");
        client.chat("first");
        client.chat("second");
        // usage is counted right after each answer is sent: wait until both are in
        awaitRequests(key, 2);
        // 3.6e-5 USD spent, over the 3e-5 budget: refused before any vendor call
        int vendorCalls = OPENAI.requests().size();
        assertThatThrownBy(() -> client.chat("third")).isInstanceOf(RateLimitException.class)
                .hasMessageContaining("insufficient_quota");
        assertThat(OPENAI.requests()).hasSize(vendorCalls);
        JsonNode usage = http().get("/api/v1/usage", "X-API-Key", key).json();
        assertThat(usage.get("requests").asLong()).isEqualTo(2);
        assertThat(usage.get("cost_usd").asDouble()).isEqualTo(0.000036);
        // a user is not bound by the key's budget
        assertThat(client(adminToken(), "openai/gpt-4o-mini").chat("fourth")).isNotBlank();
    }

    /** Usage is counted just after the answer went out: waits (a bounded time) until the caller's report has n. */
    void awaitRequests(String key, long n) {
        long until = System.currentTimeMillis() + 10_000;
        while (http().get("/api/v1/usage", "X-API-Key", key).json().get("requests").asLong() < n
                && System.currentTimeMillis() < until) {
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    @Test
    void tokensPerMinuteAreCountedAcrossInstancesInRedis() {
        AssistantProperties props = new AssistantProperties();
        props.getUser().setTokensPerMinute(100);
        UsageLedger ledger = new UsageLedger(jdbc, redis, props);
        Principal user = new Principal("tpm-" + UUID.randomUUID(), Principal.Kind.USER, "tpm", Set.of("operator"),
                Set.of("round-table:query"));
        assertThat(ledger.check(user)).isNull();
        ledger.record(user, "openai/gpt-4o-mini", "openai", 40, 20, 0.000018, null, null);
        assertThat(ledger.check(user)).isNull();
        // another instance (its own ledger object) sees the same minute's tokens
        UsageLedger other = new UsageLedger(jdbc, redis, props);
        other.record(user, "openai/gpt-4o-mini", "openai", 40, 20, 0.000018, null, null);
        UsageLedger.Refusal refusal = ledger.check(user);
        assertThat(refusal).isNotNull();
        assertThat(refusal.type()).isEqualTo("tokens");
        assertThat(refusal.message()).contains("120 of 100");
        assertThat(ledger.spentThisMonth(user.id())).isEqualTo(0.000036);
    }
}
