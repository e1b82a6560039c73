package com.skyyrose.hub.security;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.skyyrose.hub.api.OpenApiContract;
import com.skyyrose.hub.api.Problem;
import com.skyyrose.hub.api.ProblemException;
import com.skyyrose.hub.api.ProblemType;
import com.skyyrose.hub.api.RequestIdFilter;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ReadListener;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletInputStream;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletRequestWrapper;
import jakarta.servlet.http.HttpServletResponse;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.stereotype.Component;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * Caps request bodies before anything is read, per contract operation (matched by method and path here, before
 * Camel reads the body):
 * <ul>
 *   <li>an operation that needs authentication refuses a body that comes without credentials (401), and verifies the
 *       credentials before reading a body larger than the pre-authentication cap ({@code HUB_PRE_AUTH_MAX_BODY_BYTES},
 *       64 KiB) or one without a length: a stranger can make the hub read at most that much;</li>
 *   <li>a public operation (sign-in) reads at most the pre-authentication cap unless the contract declares its own
 *       {@code x-hub-max-body-bytes} (the webhook intakes, whose HMAC covers the whole body); so does a path that no
 *       operation serves;</li>
 *   <li>the assistants' surfaces outside the contract ({@code /v1/...}, {@code /mcp}) are treated as authenticated
 *       operations with the default limit;</li>
 *   <li>a larger declared {@code Content-Length} than the operation accepts ({@code HUB_MAX_BODY_BYTES}, or its
 *       {@code x-hub-max-body-bytes}) is refused with 413, and a chunked body is read up to that limit and refused
 *       the same way.</li>
 * </ul>
 * Refusals close the connection, and Tomcat swallows little of an unread body ({@code server.tomcat.max-swallow-size}).
 * {@link com.skyyrose.hub.api.BodySizeGuard} applies the exact per-operation limit again after routing.
 */
@Component
@Order(Ordered.HIGHEST_PRECEDENCE + 2)
public class BodyLimitFilter extends OncePerRequestFilter {

    private final long defaultMaxBytes;
    private final long preAuthMaxBytes;
    private final OpenApiContract contract;
    private final ObjectProvider<IdentityGuard> identity;
    private final ObjectMapper json;

    public BodyLimitFilter(@Value("${hub.security.max-body-bytes}") long defaultMaxBytes,
            @Value("${hub.security.pre-auth-max-body-bytes}") long preAuthMaxBytes, OpenApiContract contract,
            ObjectProvider<IdentityGuard> identity, ObjectMapper json) {
        this.defaultMaxBytes = defaultMaxBytes;
        this.preAuthMaxBytes = preAuthMaxBytes;
        this.contract = contract;
        this.identity = identity;
        this.json = json;
    }

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        long declared = request.getContentLengthLong();
        boolean chunked = declared < 0 && request.getHeader("Transfer-Encoding") != null;
        if (declared <= 0 && !chunked) {
            chain.doFilter(request, response);
            return;
        }
        String path = request.getRequestURI().substring(request.getContextPath().length());
        OpenApiContract.ContractOperation operation = contract.match(request.getMethod(), path);
        boolean assistant = operation == null && isAssistantSurface(path);
        if (assistant && !hasCredentials(request)) {
            // the endpoint refuses in its own shape (OpenAI's error, MCP's resource-metadata challenge) before it
            // reads a byte of the body
            chain.doFilter(request, response);
            return;
        }
        boolean needsAuthentication = assistant
                || operation != null && !Permissions.PUBLIC.equals(operation.permission());
        long limit = assistant ? defaultMaxBytes
                : operation == null ? preAuthMaxBytes
                : operation.maxBodyBytes() != null ? operation.maxBodyBytes()
                : needsAuthentication ? defaultMaxBytes : Math.min(defaultMaxBytes, preAuthMaxBytes);
        if (needsAuthentication && (chunked || declared > preAuthMaxBytes)) {
            Problem refused = unverified(request);
            if (refused != null) {
                write(request, response, refused);
                return;
            }
        } else if (needsAuthentication && !hasCredentials(request)) {
            write(request, response, IdentityGuard.unauthorized(null,
                    "Authentication required: send a bearer token or an API key.").problem());
            return;
        }
        if (declared > limit) {
            write(request, response, tooLarge(limit));
            return;
        }
        if (!chunked) {
            chain.doFilter(request, response);
            return;
        }
        ByteArrayOutputStream buffer = new ByteArrayOutputStream();
        InputStream in = request.getInputStream();
        byte[] chunk = new byte[8192];
        int n;
        while ((n = in.read(chunk)) > 0) {
            buffer.write(chunk, 0, n);
            if (buffer.size() > limit) {
                write(request, response, tooLarge(limit));
                return;
            }
        }
        chain.doFilter(new Buffered(request, buffer.toByteArray()), response);
    }

    /**
     * The AI assistants' surfaces outside the contract (OpenAI-compatible {@code /v1/...}, MCP at {@code /mcp}): every
     * call needs credentials, so they take bodies up to {@code HUB_MAX_BODY_BYTES} (a chat's history easily passes
     * the pre-authentication cap) from a verified caller, as an authenticated contract operation does.
     */
    static boolean isAssistantSurface(String path) {
        return path.startsWith("/v1/") || path.equals("/mcp");
    }

    private static boolean hasCredentials(HttpServletRequest request) {
        return request.getHeader("X-API-Key") != null || request.getHeader("Authorization") != null;
    }

    /** Null when the credentials are valid; else why not (401, or 503 when sessions cannot be checked). */
    private Problem unverified(HttpServletRequest request) {
        if (!hasCredentials(request)) {
            return IdentityGuard.unauthorized(null, "Authentication required: send a bearer token or an API key.")
                    .problem();
        }
        try {
            identity.getObject().verify(request.getHeader("X-API-Key"), request.getHeader("Authorization"));
            return null;
        } catch (ProblemException e) {
            return e.problem();
        }
    }

    private static Problem tooLarge(long limit) {
        return Problem.of(ProblemType.forStatus(413), 413,
                "The request body is larger than this operation accepts: at most " + limit + " bytes.");
    }

    private void write(HttpServletRequest request, HttpServletResponse response, Problem problem) throws IOException {
        Problem full = problem.withRequest(request.getRequestURI(),
                (String) request.getAttribute(RequestIdFilter.ATTRIBUTE));
        byte[] body = json.writeValueAsBytes(full.toMap());
        response.setStatus(full.status());
        full.headers().forEach(response::setHeader);
        // the body was not read: the connection cannot carry another request
        response.setHeader("Connection", "close");
        response.setContentType(Problem.MEDIA_TYPE);
        response.setContentLength(body.length);
        response.getOutputStream().write(body);
        response.flushBuffer();
    }

    /** The request with its (bounded) body already read. */
    private static final class Buffered extends HttpServletRequestWrapper {
        private final byte[] body;

        Buffered(HttpServletRequest request, byte[] body) {
            super(request);
            this.body = body;
        }

        @Override
        public ServletInputStream getInputStream() {
            ByteArrayInputStream in = new ByteArrayInputStream(body);
            return new ServletInputStream() {
                @Override
                public int read() {
                    return in.read();
                }

                @Override
                public int read(byte[] b, int off, int len) {
                    return in.read(b, off, len);
                }

                @Override
                public boolean isFinished() {
                    return in.available() == 0;
                }

                @Override
                public boolean isReady() {
                    return true;
                }

                @Override
                public void setReadListener(ReadListener listener) {
                    throw new UnsupportedOperationException();
                }
            };
        }

        @Override
        public java.io.BufferedReader getReader() {
            return new java.io.BufferedReader(new java.io.InputStreamReader(getInputStream(),
                    java.nio.charset.StandardCharsets.UTF_8));
        }

        @Override
        public int getContentLength() {
            return body.length;
        }

        @Override
        public long getContentLengthLong() {
            return body.length;
        }
    }
}
