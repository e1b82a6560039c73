package com.skyyrose.hub.security;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.Arrays;
import java.util.Set;
import java.util.stream.Collectors;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.stereotype.Component;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * CORS from an exact allow-list of origins ({@code HUB_CORS_ORIGINS}, comma-separated, e.g.
 * {@code https://skyyrose.com}): an allowed origin is answered with itself, anything else (including {@code null}
 * and look-alikes) gets no CORS header at all; the request's origin is never reflected unchecked. Preflights are
 * answered here (204 allowed, 403 otherwise).
 */
@Component
@Order(Ordered.HIGHEST_PRECEDENCE + 3)
public class CorsFilter extends OncePerRequestFilter {

    private static final String METHODS = "GET, POST, PUT, PATCH, DELETE";
    private static final String HEADERS = "Authorization, Content-Type, X-API-Key, X-Request-Id";
    private static final String EXPOSED = "X-Request-Id, Retry-After, RateLimit-Limit, RateLimit-Remaining, "
            + "RateLimit-Reset, Location";

    private final Set<String> allowed;

    public CorsFilter(@Value("${hub.security.cors-origins:}") String origins) {
        this.allowed = Arrays.stream(origins.split(","))
                .map(String::trim).filter(o -> !o.isEmpty() && !o.equals("null") && !o.equals("*"))
                .map(o -> o.endsWith("/") ? o.substring(0, o.length() - 1) : o)
                .collect(Collectors.toUnmodifiableSet());
    }

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        String origin = request.getHeader("Origin");
        boolean preflight = "OPTIONS".equals(request.getMethod())
                && request.getHeader("Access-Control-Request-Method") != null;
        boolean ok = origin != null && allowed.contains(origin);
        if (origin != null) {
            response.addHeader("Vary", "Origin");
        }
        if (ok) {
            response.setHeader("Access-Control-Allow-Origin", origin);
            response.setHeader("Access-Control-Expose-Headers", EXPOSED);
        }
        if (preflight) {
            if (ok) {
                response.setHeader("Access-Control-Allow-Methods", METHODS);
                response.setHeader("Access-Control-Allow-Headers", HEADERS);
                response.setHeader("Access-Control-Max-Age", "600");
                response.setStatus(204);
            } else {
                response.setStatus(403);
            }
            return;
        }
        chain.doFilter(request, response);
    }
}
