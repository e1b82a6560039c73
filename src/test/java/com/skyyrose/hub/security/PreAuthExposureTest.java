package com.skyyrose.hub.security;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.skyyrose.hub.support.HubIntegrationTest;
import com.skyyrose.hub.support.TestAuth;
import com.skyyrose.hub.support.TestHttp;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.Iterator;
import org.junit.jupiter.api.Test;

/**
 * What a caller without valid credentials can make the hub do or learn: read a large body (it answers before the body
 * has even been sent), or see why a dependency is down on the public readiness probe.
 */
class PreAuthExposureTest extends HubIntegrationTest {

    /** Far above the pre-authentication cap (64 KiB), below the knowledge upload's own limit (5 MiB + envelope). */
    static final int BIG = 5_000_000;

    /**
     * Sends the request line, headers and only the first {@code sent} bytes of a body announced as
     * {@code contentLength} bytes, then reads the status line. A hub that reads the body before deciding would wait
     * for the rest, and the read times out.
     */
    String statusBeforeTheBodyIsSent(String method, String path, long contentLength, int sent, String... headers)
            throws IOException {
        try (Socket socket = new Socket("127.0.0.1", port)) {
            socket.setSoTimeout(10_000);
            StringBuilder head = new StringBuilder(method + " " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                    + "Content-Type: application/json\r\n");
            head.append(contentLength >= 0 ? "Content-Length: " + contentLength + "\r\n"
                    : "Transfer-Encoding: chunked\r\n");
            for (int i = 0; i < headers.length; i += 2) {
                head.append(headers[i]).append(": ").append(headers[i + 1]).append("\r\n");
            }
            head.append("\r\n");
            OutputStream out = socket.getOutputStream();
            out.write(head.toString().getBytes(StandardCharsets.US_ASCII));
            byte[] part = new byte[sent];
            java.util.Arrays.fill(part, (byte) ' ');
            if (contentLength >= 0) {
                out.write(part);
            } else {
                out.write((Integer.toHexString(sent) + "\r\n").getBytes(StandardCharsets.US_ASCII));
                out.write(part);
                out.write("\r\n".getBytes(StandardCharsets.US_ASCII));
            }
            out.flush();
            try {
                return statusLine(socket.getInputStream());
            } catch (SocketTimeoutException e) {
                return "no answer within 10 s: the hub was waiting for the body";
            }
        }
    }

    static String statusLine(InputStream in) throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        int c;
        while ((c = in.read()) >= 0 && c != '\n') {
            line.write(c);
        }
        return line.toString(StandardCharsets.US_ASCII).trim();
    }

    @Test
    void aLargeBodyWithoutValidCredentialsIsRefusedBeforeItIsRead() throws Exception {
        String upload = "/api/v1/knowledge/documents";
        assertThat(statusBeforeTheBodyIsSent("POST", upload, BIG, 1024)).startsWith("HTTP/1.1 401");
        assertThat(statusBeforeTheBodyIsSent("POST", upload, BIG, 1024, "Authorization", "Bearer not.a.token"))
                .startsWith("HTTP/1.1 401");
        assertThat(statusBeforeTheBodyIsSent("POST", upload, BIG, 1024, "X-API-Key", "hub_nosuchkey_secret"))
                .startsWith("HTTP/1.1 401");
        // a body without a length is not read either
        assertThat(statusBeforeTheBodyIsSent("POST", upload, -1, 1024, "Authorization", "Bearer not.a.token"))
                .startsWith("HTTP/1.1 401");
        // even a small one needs credentials before it is read
        assertThat(statusBeforeTheBodyIsSent("POST", upload, 2000, 10)).startsWith("HTTP/1.1 401");
        // public operations read at most the pre-authentication cap (sign-in), as does a path nothing serves
        assertThat(statusBeforeTheBodyIsSent("POST", "/api/v1/auth/token", 200_000, 1024)).startsWith("HTTP/1.1 413");
        assertThat(statusBeforeTheBodyIsSent("POST", "/no/such/operation", 200_000, 1024)).startsWith("HTTP/1.1 413");
    }

    @Test
    void anAuthenticatedCallerStillSendsLargeBodiesWithinTheOperationsLimit() throws Exception {
        String[] admin = TestAuth.admin(http());
        StringBuilder text = new StringBuilder();
        Iterator<String> words = java.util.List.of("rose", "gold", "hoodie", "oakland", "luxury", "stitch").iterator();
        while (text.length() < 100_000) {
            if (!words.hasNext()) {
                words = java.util.List.of("rose", "gold", "hoodie", "oakland", "luxury", "stitch").iterator();
            }
            text.append(words.next()).append(text.length() % 97 == 0 ? ". " : " ");
        }
        String body = TestHttp.json().createObjectNode().put("source_id", "pre-auth-large-" + System.nanoTime())
                .put("title", "Large upload").put("content_type", "text/plain").put("content", text.toString())
                .toString();
        TestHttp.Reply created = http().postJson("/api/v1/knowledge/documents", body, admin);
        assertThat(created.status()).as(created.body()).isIn(200, 201);
        // over the operation's own limit: refused before reading, credentials or not
        assertThat(statusBeforeTheBodyIsSent("POST", "/api/v1/knowledge/documents", 6_000_000, 1024, admin[0],
                admin[1])).startsWith("HTTP/1.1 413");
    }

    @Test
    void anonymousReadinessProbesGetStatusOnlyAndOperatorsTheDetails() {
        for (String[] headers : new String[][] {{}, {"Authorization", "Bearer not.a.token"},
                TestAuth.withPermissions(http(), "metrics:read", "brand:read")}) {
            TestHttp.Reply reply = http().get("/health/ready", headers);
            assertThat(reply.status()).isEqualTo(200);
            JsonNode postgres = reply.json().at("/components/postgres");
            assertThat(postgres.get("status").asText()).isEqualTo("UP");
            assertThat(postgres.size()).as(reply.body()).isEqualTo(1);
            assertThat(reply.json().at("/components/redis").size()).as(reply.body()).isEqualTo(1);
        }
        TestHttp.Reply admin = http().get("/health/ready", TestAuth.admin(http()));
        assertThat(admin.json().at("/components/postgres/detail").asText()).isNotBlank();
        assertThat(admin.json().at("/components/redis/latencyMs").isNumber()).isTrue();
    }
}
