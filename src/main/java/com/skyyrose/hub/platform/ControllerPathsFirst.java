package com.skyyrose.hub.platform;

import jakarta.servlet.http.HttpServletRequest;
import java.util.HashSet;
import java.util.Set;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.core.Ordered;
import org.springframework.stereotype.Component;
import org.springframework.web.servlet.HandlerExecutionChain;
import org.springframework.web.servlet.HandlerMapping;
import org.springframework.web.servlet.mvc.method.RequestMappingInfo;
import org.springframework.web.servlet.mvc.method.annotation.RequestMappingHandlerMapping;
import org.springframework.web.util.ServletRequestPathUtils;

/**
 * Sends a request for a literal path of one of the hub's Spring MVC controllers (the OpenAI-compatible
 * {@code /v1/...}, the OAuth resource metadata) straight to Spring's controller mapping.
 * <p>
 * Camel's platform-http mapping is asked first ({@code CamelRequestHandlerMapping}, order -1) and, for a path that
 * is none of its routes, tries every REST route's pattern before giving up: 7% of the request thread's time per
 * pass-through chat completion (JFR, bench/openai-compat.sh). Camel's routes are unaffected: no controller path is
 * also a route path, and any other path is not looked at here (one set lookup).
 */
@Component
class ControllerPathsFirst implements HandlerMapping, Ordered {

    private final RequestMappingHandlerMapping controllers;
    private volatile Set<String> literalPaths;

    ControllerPathsFirst(@Qualifier("requestMappingHandlerMapping") RequestMappingHandlerMapping controllers) {
        this.controllers = controllers;
    }

    @Override
    public HandlerExecutionChain getHandler(HttpServletRequest request) throws Exception {
        String path = ServletRequestPathUtils.getCachedPathValue(request);
        return literalPaths().contains(path) ? controllers.getHandler(request) : null;
    }

    @Override
    public boolean usesPathPatterns() {
        return controllers.usesPathPatterns();
    }

    /** The controllers' paths without variables or wildcards (read once: controllers do not change at run time). */
    private Set<String> literalPaths() {
        Set<String> paths = literalPaths;
        if (paths == null) {
            paths = new HashSet<>();
            for (RequestMappingInfo info : controllers.getHandlerMethods().keySet()) {
                paths.addAll(info.getDirectPaths());
            }
            literalPaths = Set.copyOf(paths);
        }
        return paths;
    }

    @Override
    public int getOrder() {
        return Ordered.HIGHEST_PRECEDENCE + 100;
    }
}
