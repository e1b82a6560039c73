package com.skyyrose.hub.api;

import com.fasterxml.jackson.databind.ObjectMapper;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletOutputStream;
import jakarta.servlet.WriteListener;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import jakarta.servlet.http.HttpServletResponseWrapper;
import java.io.IOException;
import java.io.PrintWriter;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.stereotype.Component;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * Gives an error status sent with an empty body a problem document. Camel's contract facade answers paths it
 * matched by prefix but cannot serve (404, or 405 with {@code Allow}) that way, and flushes the reply itself before
 * the filter chain returns; so the document is written at the moment the empty reply is flushed.
 */
@Component
@Order(Ordered.HIGHEST_PRECEDENCE + 1)
public class BareErrorFilter extends OncePerRequestFilter {

    private final ObjectMapper json;

    public BareErrorFilter(ObjectMapper json) {
        this.json = json;
    }

    private static final String TRACKER = BareErrorFilter.class.getName() + ".tracker";

    @Override
    protected boolean shouldNotFilterAsyncDispatch() {
        // a handler that answers asynchronously may still have the reply open on the async dispatch
        return false;
    }

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        BodyTracking tracked = (BodyTracking) request.getAttribute(TRACKER);
        if (tracked == null) {
            tracked = new BodyTracking(request, response);
            request.setAttribute(TRACKER, tracked);
            chain.doFilter(request, tracked);
        } else {
            chain.doFilter(request, response);
        }
        if (!request.isAsyncStarted()) {
            tracked.explainIfBare();
        }
    }

    /** Notes whether any body byte was written, and fills in a problem when an empty error reply is flushed. */
    private final class BodyTracking extends HttpServletResponseWrapper {
        private final HttpServletRequest request;
        private boolean bodyStarted;
        private ServletOutputStream counting;

        BodyTracking(HttpServletRequest request, HttpServletResponse response) {
            super(response);
            this.request = request;
        }

        void explainIfBare() throws IOException {
            HttpServletResponse raw = (HttpServletResponse) getResponse();
            if (bodyStarted || raw.isCommitted() || raw.getStatus() < 400) {
                return;
            }
            bodyStarted = true;
            int status = raw.getStatus();
            String path = request.getRequestURI();
            String detail = switch (status) {
                case 404 -> "No resource at " + path + ". The API contract is at /openapi.json.";
                case 405 -> "Method not allowed on " + path
                        + (raw.getHeader("Allow") != null ? "; allowed: " + raw.getHeader("Allow") + "." : ".");
                default -> null;
            };
            Problem problem = Problem.of(ProblemType.forStatus(status), status, detail)
                    .withRequest(path, (String) request.getAttribute(RequestIdFilter.ATTRIBUTE));
            byte[] body = json.writeValueAsBytes(problem.toMap());
            raw.setContentType(Problem.MEDIA_TYPE);
            raw.setContentLength(body.length);
            raw.getOutputStream().write(body);
        }

        @Override
        public void flushBuffer() throws IOException {
            explainIfBare();
            super.flushBuffer();
        }

        @Override
        public ServletOutputStream getOutputStream() throws IOException {
            if (counting == null) {
                ServletOutputStream delegate = super.getOutputStream();
                counting = new ServletOutputStream() {
                    @Override
                    public void write(int b) throws IOException {
                        bodyStarted = true;
                        delegate.write(b);
                    }

                    @Override
                    public void write(byte[] b, int off, int len) throws IOException {
                        if (len > 0) {
                            bodyStarted = true;
                        }
                        delegate.write(b, off, len);
                    }

                    @Override
                    public void flush() throws IOException {
                        explainIfBare();
                        delegate.flush();
                    }

                    @Override
                    public void close() throws IOException {
                        explainIfBare();
                        delegate.close();
                    }

                    @Override
                    public boolean isReady() {
                        return delegate.isReady();
                    }

                    @Override
                    public void setWriteListener(WriteListener listener) {
                        delegate.setWriteListener(listener);
                    }
                };
            }
            return counting;
        }

        @Override
        public PrintWriter getWriter() throws IOException {
            bodyStarted = true;
            return super.getWriter();
        }

        @Override
        public void sendError(int sc, String msg) throws IOException {
            bodyStarted = true;
            super.sendError(sc, msg);
        }

        @Override
        public void sendError(int sc) throws IOException {
            bodyStarted = true;
            super.sendError(sc);
        }
    }
}
