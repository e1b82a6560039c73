package com.skyyrose.hub.tools;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.github.tomakehurst.wiremock.WireMockServer;
import com.skyyrose.hub.fakes.WordPressFake;
import com.skyyrose.hub.support.HubIntegrationTest;
import com.skyyrose.hub.support.TestAuth;
import com.skyyrose.hub.support.TestHttp;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.data.redis.core.StringRedisTemplate;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/** The WordPress tools against a fake WordPress speaking REST v2 with Application Passwords. */
class WordPressToolsTest extends HubIntegrationTest {

    static final WordPressFake WP = new WordPressFake();
    static final WireMockServer IMAGES = new WireMockServer(options().dynamicPort());

    static {
        IMAGES.start();
    }

    @DynamicPropertySource
    static void site(DynamicPropertyRegistry registry) {
        registry.add("WORDPRESS_URL", WP::url);
        registry.add("WORDPRESS_USERNAME", () -> WordPressFake.USER);
        registry.add("WORDPRESS_APP_PASSWORD", () -> WordPressFake.APP_PASSWORD);
        registry.add("HUB_SSRF_ALLOWLIST", () -> "localhost");
    }

    @AfterAll
    static void stop() {
        WP.close();
        IMAGES.stop();
    }

    @Autowired
    StringRedisTemplate redis;

    @BeforeEach
    void reset() {
        WP.reset();
        IMAGES.resetAll();
        com.skyyrose.hub.support.RateLimitBuckets.clear(redis, "tool:wordpress.");
    }

    TestHttp.Reply invoke(String tool, String arguments) {
        return http().postJson("/api/v1/tools/" + tool + "/invocations", "{\"arguments\":" + arguments + "}",
                TestAuth.admin(http()));
    }

    @Test
    void postsAreDraftsByDefaultAndCanBeUpdated() {
        TestHttp.Reply created = invoke("wordpress.posts.create",
                "{\"title\": \"The Black Rose drop\", \"content\": \"<p>Limited run.</p>\"}");
        assertThat(created.status()).as(created.body()).isEqualTo(200);
        long id = created.json().get("result").get("id").asLong();
        assertThat(WP.post(id).get("status").asText()).isEqualTo("draft");
        assertThat(WP.post(id).get("title").asText()).isEqualTo("The Black Rose drop");

        TestHttp.Reply updated = invoke("wordpress.posts.update",
                "{\"id\": " + id + ", \"changes\": {\"status\": \"publish\", \"excerpt\": \"Now live\"}}");
        assertThat(updated.status()).as(updated.body()).isEqualTo(200);
        assertThat(WP.post(id).get("status").asText()).isEqualTo("publish");
        assertThat(WP.post(id).get("excerpt").asText()).isEqualTo("Now live");

        TestHttp.Reply missing = invoke("wordpress.posts.update", "{\"id\": 99999, \"changes\": {\"title\": \"x\"}}");
        assertThat(missing.status()).isEqualTo(404);
        assertThat(missing.json().get("vendor_code").asText()).isEqualTo("rest_post_invalid_id");
    }

    @Test
    void mediaFromAUrlIsUploadedWithItsAltText() {
        byte[] png = {(byte) 0x89, 'P', 'N', 'G', 13, 10, 26, 10, 42};
        IMAGES.stubFor(get(urlPathEqualTo("/lookbook/rose.png"))
                .willReturn(aResponse().withHeader("Content-Type", "image/png").withBody(png)));
        TestHttp.Reply reply = invoke("wordpress.media.upload", "{\"source_url\": \"http://localhost:" + IMAGES.port()
                + "/lookbook/rose.png\", \"alt_text\": \"Black rose hoodie, front\", \"caption\": \"SS27\"}");
        assertThat(reply.status()).as(reply.body()).isEqualTo(200);
        JsonNode result = reply.json().get("result");
        WordPressFake.Media media = WP.media(result.get("id").asLong());
        assertThat(media.bytes()).isEqualTo(png);
        assertThat(media.filename()).isEqualTo("rose.png");
        assertThat(media.mimeType()).isEqualTo("image/png");
        assertThat(result.get("alt_text").asText()).isEqualTo("Black rose hoodie, front");
        assertThat(result.get("caption").asText()).isEqualTo("SS27");
    }

    @Test
    void mediaFromBytesIsUploaded() {
        byte[] jpeg = {(byte) 0xFF, (byte) 0xD8, (byte) 0xFF, (byte) 0xE0, 1, 2};
        TestHttp.Reply reply = invoke("wordpress.media.upload", "{\"data_base64\": \""
                + Base64.getEncoder().encodeToString(jpeg) + "\", \"filename\": \"../../etc/hoodie.jpg\","
                + " \"alt_text\": \"Hoodie\"}");
        assertThat(reply.status()).as(reply.body()).isEqualTo(200);
        WordPressFake.Media media = WP.media(reply.json().get("result").get("id").asLong());
        assertThat(media.bytes()).isEqualTo(jpeg);
        assertThat(media.mimeType()).isEqualTo("image/jpeg");
        assertThat(media.filename()).doesNotContain("/").endsWith("hoodie.jpg");
    }

    @Test
    void privateSourcesAndMissingAltTextAreRefused() {
        TestHttp.Reply ssrf = invoke("wordpress.media.upload",
                "{\"source_url\": \"http://169.254.169.254/latest/meta-data/\", \"alt_text\": \"x\"}");
        assertThat(ssrf.status()).isEqualTo(400);
        assertThat(ssrf.json().get("errors").get(0).get("field").asText()).isEqualTo("/arguments/source_url");
        TestHttp.Reply noAlt = invoke("wordpress.media.upload", "{\"source_url\": \"https://cdn.example.com/a.png\"}");
        assertThat(noAlt.status()).isEqualTo(400);
        assertThat(noAlt.json().get("errors").findValuesAsText("field")).contains("/arguments/alt_text");
        assertThat(WP.mediaCount()).isZero();
    }
}
