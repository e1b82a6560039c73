package com.skyyrose.hub.tools;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.github.tomakehurst.wiremock.WireMockServer;
import com.skyyrose.hub.fakes.FashnFake;
import com.skyyrose.hub.fakes.TripoFake;
import com.skyyrose.hub.fakes.WooCommerceFake;
import com.skyyrose.hub.support.HubIntegrationTest;
import com.skyyrose.hub.support.RunningHub;
import com.skyyrose.hub.support.TestAuth;
import com.skyyrose.hub.support.TestHttp;
import java.time.Duration;
import java.util.List;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * 3D generation (Tripo3D) and try-on (FASHN) jobs end to end, and the SSRF guard on the URLs users give.
 * The context is closed after the class: its poller must not keep polling (dead) fakes for later test classes.
 */
@org.springframework.test.annotation.DirtiesContext
class ToolJobsTest extends HubIntegrationTest {

    static final TripoFake TRIPO = new TripoFake();
    static final FashnFake FASHN = new FashnFake();
    static final WooCommerceFake STORE = new WooCommerceFake();
    /** Where users' images live; reached as "localhost", the only host the allowlist admits. */
    static final WireMockServer IMAGES = new WireMockServer(options().dynamicPort());

    static {
        IMAGES.start();
    }

    @DynamicPropertySource
    static void vendors(DynamicPropertyRegistry registry) {
        registry.add("TRIPO_BASE_URL", TRIPO::baseUrl);
        registry.add("TRIPO_API_KEY", () -> TripoFake.API_KEY);
        registry.add("FASHN_BASE_URL", FASHN::baseUrl);
        registry.add("FASHN_API_KEY", () -> FashnFake.API_KEY);
        registry.add("WOOCOMMERCE_URL", STORE::url);
        registry.add("WOOCOMMERCE_CONSUMER_KEY", () -> WooCommerceFake.KEY);
        registry.add("WOOCOMMERCE_CONSUMER_SECRET", STORE::secret);
        registry.add("HUB_SSRF_ALLOWLIST", () -> "localhost");
        registry.add("HUB_TOOL_JOBS_POLL_INTERVAL", () -> "100");
        registry.add("HUB_TOOL_JOBS_BACKOFF_INITIAL", () -> "100ms");
        registry.add("HUB_TOOL_JOBS_BACKOFF_MAX", () -> "400ms");
    }

    @AfterAll
    static void stop() {
        TRIPO.close();
        FASHN.close();
        STORE.close();
        IMAGES.stop();
    }

    @org.springframework.beans.factory.annotation.Autowired
    org.springframework.data.redis.core.StringRedisTemplate redis;

    /** Each test starts with full rate-limit buckets. */
    void refillBuckets() {
        com.skyyrose.hub.support.RateLimitBuckets.clear(redis, "tool:tripo3d.generate:", "tool:fashn.tryon:");
    }

    @BeforeEach
    void reset() {
        refillBuckets();
        TRIPO.reset();
        FASHN.reset();
        STORE.reset();
        IMAGES.resetAll();
    }

    TestHttp.Reply post(String path, String body) {
        return http().postJson(path, body, TestAuth.admin(http()));
    }

    JsonNode await(String location, Predicate<JsonNode> done) {
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        JsonNode last = null;
        while (System.nanoTime() < deadline) {
            TestHttp.Reply reply = http().get(location, TestAuth.admin(http()));
            assertThat(reply.status()).as(reply.body()).isEqualTo(200);
            last = reply.json();
            if (done.test(last)) {
                return last;
            }
            RunningHub.sleep(100);
        }
        throw new AssertionError("job did not get there; last " + last);
    }

    @Test
    void aPromptBecomesAModelAttachedToTheProduct() {
        long productId = STORE.addProduct("Black Rose Hoodie", "120.00").get("id").asLong();
        TestHttp.Reply accepted = post("/api/v1/3d/generate", "{\"prompt\": \"A black rose hoodie\", \"product_id\": "
                + productId + ", \"options\": {\"texture\": true, \"pbr\": true}}");
        assertThat(accepted.status()).as(accepted.body()).isEqualTo(202);
        assertThat(accepted.json().get("status").asText()).isEqualTo("queued");
        String location = accepted.header("Location").orElseThrow();
        assertThat(location).isEqualTo("/api/v1/3d/jobs/" + accepted.json().get("id").asText());

        JsonNode job = await(location, j -> j.get("status").asText().equals("succeeded"));
        TripoFake.Task task = TRIPO.task(job.get("vendor_task_id").asText());
        assertThat(task.request.get("type").asText()).isEqualTo("text_to_model");
        assertThat(task.request.get("prompt").asText()).isEqualTo("A black rose hoodie");
        assertThat(task.request.get("pbr").asBoolean()).isTrue();
        assertThat(task.served).containsExactly("queued", "running", "success");
        assertThat(job.get("result").get("model").asText()).endsWith("/model.glb");
        assertThat(job.get("result").get("pbr_model").asText()).endsWith("/pbr.glb");
        assertThat(job.get("result").get("rendered_image").asText()).endsWith("/preview.webp");
        assertThat(job.get("result").get("product_attachment").get("attached").asBoolean()).isTrue();
        assertThat(job.get("progress").asInt()).isEqualTo(100);
        assertThat(STORE.product(productId).get("meta_data").toString()).contains("_skyyrose_3d_model_url")
                .contains(task.id + "/pbr.glb");
        assertThat(http().get("/metrics").body()).containsPattern("hub_tools_jobs\\{[^}]*kind=\"3d\"[^}]*status=\"succeeded\"[^}]*} [1-9]");
    }

    @Test
    void aTaskTheVendorForgotFailsInsteadOfPollingForever() {
        TRIPO.nextTasksGo("queued", "running");
        TestHttp.Reply accepted = post("/api/v1/3d/generate", "{\"prompt\": \"lost\"}");
        String location = accepted.header("Location").orElseThrow();
        await(location, j -> j.get("status").asText().equals("running"));
        TRIPO.forget(accepted.json().get("vendor_task_id").asText());
        JsonNode job = await(location, j -> j.get("status").asText().equals("failed"));
        assertThat(job.get("error").get("message").asText()).contains("does not know task").contains("task not found");
    }

    @Test
    void anImageUrlIsPassedOrUploaded() {
        IMAGES.stubFor(get(urlPathEqualTo("/look.png")).willReturn(aResponse().withHeader("Content-Type", "image/png")
                .withBody(new byte[] {(byte) 0x89, 'P', 'N', 'G', 1, 2, 3})));
        String url = "http://localhost:" + IMAGES.port() + "/look.png";
        TestHttp.Reply byUrl = post("/api/v1/3d/generate", "{\"image_url\": \"" + url + "\"}");
        assertThat(byUrl.status()).as(byUrl.body()).isEqualTo(202);
        JsonNode file = TRIPO.task(byUrl.json().get("vendor_task_id").asText()).request.get("file");
        assertThat(file.get("type").asText()).isEqualTo("png");
        assertThat(file.get("url").asText()).isEqualTo(url);
        IMAGES.verify(0, getRequestedFor(urlPathEqualTo("/look.png")));

        TestHttp.Reply uploaded = post("/api/v1/3d/generate", "{\"image_url\": \"" + url + "\", \"options\": {\"upload\": true}}");
        assertThat(uploaded.status()).as(uploaded.body()).isEqualTo(202);
        JsonNode file2 = TRIPO.task(uploaded.json().get("vendor_task_id").asText()).request.get("file");
        assertThat(file2.get("file_token").asText()).isEqualTo(TRIPO.uploads().get(0));
        IMAGES.verify(1, getRequestedFor(urlPathEqualTo("/look.png")));
        await(uploaded.header("Location").orElseThrow(), j -> j.get("status").asText().equals("succeeded"));
    }

    @Test
    void bothOrNeitherOfPromptAndImageIsA400() {
        TestHttp.Reply neither = post("/api/v1/3d/generate", "{\"product_id\": 3}");
        assertThat(neither.status()).isEqualTo(400);
        TestHttp.Reply both = post("/api/v1/3d/generate", "{\"prompt\": \"x\", \"image_url\": \"https://cdn.example.com/a.png\"}");
        assertThat(both.status()).isEqualTo(400);
        // the contract refuses unknown options on the REST endpoint; the tool's own schema does for any caller
        assertThat(post("/api/v1/3d/generate", "{\"prompt\": \"x\", \"options\": {\"turbo\": true}}").status())
                .isEqualTo(400);
        TestHttp.Reply unknownOption = post("/api/v1/tools/tripo3d.generate/invocations",
                "{\"arguments\": {\"prompt\": \"x\", \"options\": {\"turbo\": true}}}");
        assertThat(unknownOption.status()).isEqualTo(400);
        assertThat(unknownOption.json().get("errors").findValuesAsText("field")).contains("/arguments/options/turbo");
        assertThat(TRIPO.tasks()).isEmpty();
    }

    @Test
    void ssrfAttemptsAreRefusedBeforeAnyConnection() {
        IMAGES.stubFor(get(urlPathEqualTo("/secret.png")).willReturn(aResponse().withBody("internal")));
        IMAGES.stubFor(get(urlPathEqualTo("/hop.png")).willReturn(aResponse().withStatus(302)
                .withHeader("Location", "https://127.0.0.1:" + IMAGES.port() + "/secret.png")));
        IMAGES.stubFor(get(urlPathEqualTo("/meta.png")).willReturn(aResponse().withStatus(301)
                .withHeader("Location", "https://169.254.169.254/latest/meta-data/")));
        List<String> attacks = List.of(
                "http://127.0.0.1:" + IMAGES.port() + "/secret.png",
                "https://127.0.0.1:" + IMAGES.port() + "/secret.png",
                "http://169.254.169.254/latest/meta-data/iam/security-credentials/",
                "https://169.254.169.254/latest/meta-data/",
                "http://[::1]:" + IMAGES.port() + "/secret.png",
                "https://[::1]/x.png",
                "https://[::ffff:127.0.0.1]/x.png",
                "http://2130706433/x.png",
                "https://2130706433/x.png",
                "https://0x7f000001/x.png",
                "https://10.0.0.8/x.png",
                "https://100.64.1.1/x.png",
                "https://[fd00:ec2::254]/x.png",
                "file:///etc/passwd",
                "gopher://localhost:" + IMAGES.port() + "/x");
        for (String attack : attacks) {
            refillBuckets();
            TestHttp.Reply reply = post("/api/v1/3d/generate", "{\"image_url\": \"" + attack + "\", \"options\": {\"upload\": true}}");
            assertThat(reply.status()).as(attack + " → " + reply.body()).isEqualTo(400);
            assertThat(reply.json().get("errors").get(0).get("field").asText()).isEqualTo("/arguments/image_url");
            assertThat(reply.json().get("detail").asText()).contains("refused URL");
        }
        for (String hop : List.of("/hop.png", "/meta.png")) {
            TestHttp.Reply reply = post("/api/v1/3d/generate", "{\"image_url\": \"http://localhost:" + IMAGES.port() + hop
                    + "\", \"options\": {\"upload\": true}}");
            assertThat(reply.status()).as(hop + " → " + reply.body()).isEqualTo(400);
            assertThat(reply.json().get("detail").asText()).contains("non-public address");
            // the first hop (an admitted host) was fetched; its redirect target was checked and refused
            IMAGES.verify(1, getRequestedFor(urlPathEqualTo(hop)));
        }
        TestHttp.Reply tryOn = post("/api/v1/tryon", "{\"model_image\": \"http://169.254.169.254/latest/\","
                + " \"garment_image\": \"https://cdn.example.com/g.png\"}");
        assertThat(tryOn.status()).isEqualTo(400);
        assertThat(tryOn.json().get("errors").get(0).get("field").asText()).isEqualTo("/arguments/model_image");
        // the private target was never contacted, and no vendor task was created
        IMAGES.verify(0, getRequestedFor(urlPathEqualTo("/secret.png")));
        assertThat(TRIPO.tasks()).isEmpty();
        assertThat(FASHN.runIds()).isEmpty();
    }

    @Test
    void aTryOnCompletesWithExpiringOutputs() {
        TestHttp.Reply accepted = post("/api/v1/tryon", "{\"model_image\": \"data:image/png;base64,iVBORw0KGgo=\","
                + " \"garment_image\": \"http://localhost:" + IMAGES.port() + "/hoodie.png\", \"category\": \"tops\","
                + " \"mode\": \"quality\"}");
        assertThat(accepted.status()).as(accepted.body()).isEqualTo(202);
        JsonNode job = await(accepted.header("Location").orElseThrow(), j -> j.get("status").asText().equals("succeeded"));
        JsonNode run = FASHN.run(job.get("vendor_task_id").asText());
        assertThat(run.get("model_name").asText()).isEqualTo("tryon-v1.6");
        assertThat(run.get("inputs").get("category").asText()).isEqualTo("tops");
        assertThat(run.get("inputs").get("mode").asText()).isEqualTo("quality");
        assertThat(run.get("inputs").get("model_image").asText()).startsWith("data:image/png;base64,");
        assertThat(job.get("result").get("output").get(0).asText()).startsWith("https://cdn.fashn.ai/");
        assertThat(job.get("result").get("expires_at").asText()).isNotBlank();
        assertThat(job.get("notice").asText()).contains("72 hours");
        assertThat(job.get("vendor_status").asText()).isEqualTo("completed");
    }

    @Test
    void aFailedTryOnIsRecordedWithItsError() {
        FASHN.nextRunsGo("starting", "processing", "failed");
        TestHttp.Reply accepted = post("/api/v1/tryon", "{\"model_image\": \"data:image/png;base64,iVBORw0KGgo=\","
                + " \"garment_image\": \"data:image/jpeg;base64,/9j/4AAQ\"}");
        assertThat(accepted.status()).isEqualTo(202);
        JsonNode job = await(accepted.header("Location").orElseThrow(), j -> j.get("status").asText().equals("failed"));
        assertThat(job.get("error").get("name").asText()).isEqualTo("ImageLoadError");
        assertThat(job.get("error").get("message").asText()).isEqualTo("Failed to load the garment image");
        assertThat(job.has("finished_at")).isTrue();
        assertThat(FASHN.run(job.get("vendor_task_id").asText()).get("inputs").get("category").asText()).isEqualTo("auto");
    }

    @Test
    void fashnConcurrencyLimitIsA429WithRetryAfter() {
        FASHN.concurrency(1);
        FASHN.nextRunsGo("processing");
        String body = "{\"model_image\": \"data:image/png;base64,iVBORw0KGgo=\", \"garment_image\": \"data:image/png;base64,iVBORw0KGgo=\"}";
        assertThat(post("/api/v1/tryon", body).status()).isEqualTo(202);
        TestHttp.Reply limited = post("/api/v1/tryon", body);
        assertThat(limited.status()).isEqualTo(429);
        assertThat(limited.header("Retry-After")).contains("5");
        assertThat(limited.json().get("vendor_code").asText()).isEqualTo("ConcurrencyLimitExceeded");
        // a run is never retried by the hub (not idempotent): FASHN saw exactly two
        assertThat(FASHN.server().getAllServeEvents().stream()
                .filter(e -> e.getRequest().getUrl().equals("/v1/run")).count()).isEqualTo(2);
    }

    @Test
    void jobsAreAlsoToolsInTheRegistry() {
        JsonNode tools = http().get("/api/v1/tools", TestAuth.admin(http())).json().get("tools");
        List<String> names = new java.util.ArrayList<>();
        tools.forEach(t -> names.add(t.get("name").asText()));
        assertThat(names).contains("tripo3d.generate", "fashn.tryon");
        TestHttp.Reply viaInvocation = post("/api/v1/tools/tripo3d.generate/invocations",
                "{\"arguments\": {\"prompt\": \"a rose\"}}");
        assertThat(viaInvocation.status()).isEqualTo(200);
        assertThat(viaInvocation.json().get("result").get("kind").asText()).isEqualTo("3d");
        TestHttp.Reply tryOn = post("/api/v1/tools/fashn.tryon/invocations",
                "{\"arguments\": {\"model_image\": \"data:image/png;base64,iVBORw0KGgo=\", \"garment_image\": \"data:image/png;base64,iVBORw0KGgo=\"}}");
        assertThat(tryOn.status()).isEqualTo(200);
        assertThat(tryOn.json().get("result").get("kind").asText()).isEqualTo("tryon");
        assertThat(http().get("/api/v1/tryon/jobs/" + tryOn.json().get("result").get("id").asText(),
                TestAuth.admin(http())).status()).isEqualTo(200);
        assertThat(http().get("/api/v1/3d/jobs/" + tryOn.json().get("result").get("id").asText(),
                TestAuth.admin(http())).status()).isEqualTo(404);
    }
}
