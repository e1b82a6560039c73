package com.skyyrose.hub.platform;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;
import static org.assertj.core.api.Assertions.assertThat;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import com.skyyrose.hub.fakes.WooCommerceFake;
import com.skyyrose.hub.support.HubIntegrationTest;
import com.skyyrose.hub.support.RunningHub;
import com.skyyrose.hub.support.TestAuth;
import com.skyyrose.hub.support.TestHttp;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * With {@code OTEL_EXPORTER_OTLP_ENDPOINT} set, a request's trace (continued from the caller's W3C
 * {@code traceparent}) reaches an OTLP/HTTP receiver (a WireMock endpoint on {@code /v1/traces} taking the
 * protobuf the exporter sends) with the HTTP server span, the vendor call carries the
 * trace on, and a problem document names the trace.
 */
@DirtiesContext
class TracingTest extends HubIntegrationTest {

    static final WireMockServer COLLECTOR = new WireMockServer(options().dynamicPort());
    static final WooCommerceFake STORE = new WooCommerceFake();

    static {
        COLLECTOR.start();
        COLLECTOR.stubFor(post(urlPathEqualTo("/v1/traces")).willReturn(aResponse().withStatus(200)
                .withHeader("Content-Type", "application/x-protobuf")));
        // as the environment variable of a deployment: seen when the environment is prepared (a dynamic property is
        // added later, after the mode is resolved); removed after the class
        System.setProperty("OTEL_EXPORTER_OTLP_ENDPOINT", "http://127.0.0.1:" + COLLECTOR.port());
    }

    @DynamicPropertySource
    static void otlp(DynamicPropertyRegistry registry) {
        registry.add("WOOCOMMERCE_URL", STORE::url);
        registry.add("WOOCOMMERCE_CONSUMER_KEY", () -> WooCommerceFake.KEY);
        registry.add("WOOCOMMERCE_CONSUMER_SECRET", STORE::secret);
    }

    @AfterAll
    static void stop() {
        System.clearProperty("OTEL_EXPORTER_OTLP_ENDPOINT");
        COLLECTOR.stop();
        STORE.close();
    }

    /** Every span batch the receiver got, as raw bytes (protobuf carries strings and ids as plain bytes). */
    byte[] exported() {
        List<LoggedRequest> batches = COLLECTOR.findAll(
                com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor(urlPathEqualTo("/v1/traces")));
        java.io.ByteArrayOutputStream all = new java.io.ByteArrayOutputStream();
        for (LoggedRequest batch : batches) {
            assertThat(batch.getHeader("Content-Type")).startsWith("application/x-protobuf");
            all.writeBytes(batch.getBody());
        }
        return all.toByteArray();
    }

    static boolean contains(byte[] haystack, byte[] needle) {
        outer:
        for (int i = 0; i + needle.length <= haystack.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (haystack[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return true;
        }
        return false;
    }

    @Test
    void aRequestsTraceContinuesTheCallersAndReachesTheVendorAndTheCollector() {
        long id = STORE.addProduct("Black Rose Hoodie", "185.00").get("id").asLong();
        String traceId = "4bf92f3577b34da6a3ce929d0e0e4736";
        String traceparent = "00-" + traceId + "-00f067aa0ba902b7-01";
        TestHttp.Reply reply = http().postJson("/api/v1/tools/woocommerce.products.get/invocations",
                "{\"arguments\": {\"id\": " + id + "}}", TestAuth.plus(TestAuth.admin(http()), "traceparent",
                        traceparent));
        assertThat(reply.status()).as(reply.body()).isEqualTo(200);

        String sent = STORE.requests("GET", "/wp-json/wc/v3/products/" + id).get(0).getHeader("traceparent");
        // a problem document names the trace beside the request id
        TestHttp.Reply problem = http().postJson("/api/v1/tools/woocommerce.products.get/invocations",
                "{\"arguments\": {\"id\": \"x\"}}", TestAuth.plus(TestAuth.admin(http()), "traceparent",
                        "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"));
        // the vendor call carries the same trace on, from a span of ours
        assertThat(sent).startsWith("00-" + traceId + "-").doesNotContain("00f067aa0ba902b7");
        assertThat(problem.status()).isEqualTo(400);
        assertThat(problem.json().get("traceId").asText()).isEqualTo("0af7651916cd43dd8448eb211c80319c");
        assertThat(problem.json().get("requestId").asText()).isNotBlank();

        // the batch exporter sends within seconds: the HTTP server span of this trace
        byte[] raw = HexFormat.of().parseHex(traceId);
        long deadline = System.nanoTime() + 30_000_000_000L;
        byte[] spans = exported();
        while (System.nanoTime() < deadline && !contains(spans, raw)) {
            RunningHub.sleep(250);
            spans = exported();
        }
        assertThat(contains(spans, raw)).as("a span of the caller's trace was exported").isTrue();
        assertThat(contains(spans, utf8("/api/v1/tools/{name}/invocations")) || contains(spans, utf8("http post")))
                .as("the HTTP server span").isTrue();
    }

    static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
