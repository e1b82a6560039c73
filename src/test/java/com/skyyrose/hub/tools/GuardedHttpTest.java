package com.skyyrose.hub.tools;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.equalToJson;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.github.tomakehurst.wiremock.WireMockServer;
import org.apache.hc.client5.http.DnsResolver;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Connections go where the guard's resolver says, never to a second, unchecked DNS answer: the URLs name a host under
 * {@code .invalid} (which never resolves, RFC 2606) that only the resolver given to the client knows, so a client that
 * looked the name up itself could not connect at all; the host name is still what the receiver sees.
 */
class GuardedHttpTest {

    static final WireMockServer RECEIVER = new WireMockServer(options().dynamicPort().bindAddress("127.0.0.1"));
    static final GuardedHttp HTTP = new GuardedHttp(new DnsResolver() {
        @Override
        public InetAddress[] resolve(String host) throws UnknownHostException {
            if (!host.equals("partner.invalid")) {
                throw new UnknownHostException(host);
            }
            return new InetAddress[] {InetAddress.getLoopbackAddress()};
        }

        @Override
        public String resolveCanonicalHostname(String host) {
            return host;
        }
    }, Duration.ofSeconds(2), 4);

    @BeforeAll
    static void start() {
        RECEIVER.start();
    }

    @AfterAll
    static void stop() {
        HTTP.close();
        RECEIVER.stop();
    }

    @Test
    void connectsWhereTheGuardsResolverSaysUnderTheUrlsHostName() throws Exception {
        RECEIVER.stubFor(post(urlEqualTo("/hooks/in?v=2")).willReturn(aResponse().withStatus(204)));
        String url = "http://partner.invalid:" + RECEIVER.port() + "/hooks/in?v=2";

        int status = HTTP.post(URI.create(url), Map.of("webhook-id", "msg_1"), "{\"type\":\"order.updated\"}",
                Duration.ofSeconds(5)).get();

        assertThat(status).isEqualTo(204);
        RECEIVER.verify(postRequestedFor(urlEqualTo("/hooks/in?v=2"))
                .withHeader("Host", equalTo("partner.invalid:" + RECEIVER.port()))
                .withHeader("webhook-id", equalTo("msg_1"))
                .withHeader("Content-Type", equalTo("application/json; charset=UTF-8"))
                .withRequestBody(equalToJson("{\"type\":\"order.updated\"}")));
    }

    @Test
    void aReceiverThatDoesNotAnswerInTimeIsAFailureNotAStatus() throws Exception {
        RECEIVER.stubFor(post(urlEqualTo("/slow")).willReturn(aResponse().withStatus(200).withFixedDelay(3000)));
        String url = "http://partner.invalid:" + RECEIVER.port() + "/slow";

        assertThatThrownBy(() -> HTTP.post(URI.create(url), Map.of(), "{}", Duration.ofMillis(300)).get())
                .isInstanceOf(ExecutionException.class);
    }

    @Test
    void aClosedPortIsAConnectionFailure() throws Exception {
        int closed;
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
            closed = socket.getLocalPort();
        }
        assertThatThrownBy(() -> HTTP.post(URI.create("http://partner.invalid:" + closed + "/"), Map.of(), "{}",
                Duration.ofSeconds(2)).get()).isInstanceOf(ExecutionException.class);
    }
}
