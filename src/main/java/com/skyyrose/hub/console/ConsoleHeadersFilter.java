package com.skyyrose.hub.console;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.stereotype.Component;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * Security headers of the ops console ({@code /console} and its assets under {@code /console-assets/}): a strict Content-Security-Policy (own
 * origin only, no inline script or style, no eval, no framing), no MIME sniffing, no referrer. Set on the servlet
 * response before the page or asset is written, so they hold whichever handler (contract route or static
 * resources) serves the path.
 */
@Component
@Order(Ordered.HIGHEST_PRECEDENCE + 4)
public class ConsoleHeadersFilter extends OncePerRequestFilter {

    public static final String CONTENT_SECURITY_POLICY = "default-src 'self'; script-src 'self'; "
            + "style-src 'self'; img-src 'self' data:; connect-src 'self'; font-src 'self'; object-src 'none'; "
            + "base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

    @Override
    protected boolean shouldNotFilter(HttpServletRequest request) {
        String path = request.getRequestURI();
        return !(path.equals("/console") || path.startsWith("/console/") || path.startsWith("/console-assets/"));
    }

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        response.setHeader("Content-Security-Policy", CONTENT_SECURITY_POLICY);
        response.setHeader("X-Content-Type-Options", "nosniff");
        response.setHeader("X-Frame-Options", "DENY");
        response.setHeader("Referrer-Policy", "no-referrer");
        response.setHeader("Cross-Origin-Opener-Policy", "same-origin");
        // the page holds no data (it fetches it with the token); still, never keep it in shared caches
        response.setHeader("Cache-Control", "no-cache");
        chain.doFilter(request, response);
    }
}
