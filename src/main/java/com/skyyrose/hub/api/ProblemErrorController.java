package com.skyyrose.hub.api;

import jakarta.servlet.RequestDispatcher;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.web.servlet.error.ErrorController;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * Answers every error the servlet layer produces outside the Camel routes — unknown path (404), wrong method on a
 * contract path (405), unreadable request, an exception escaping a filter — as {@code application/problem+json}.
 */
@RestController
public class ProblemErrorController implements ErrorController {

    private static final Logger LOG = LoggerFactory.getLogger(ProblemErrorController.class);

    @RequestMapping("${server.error.path:/error}")
    public ResponseEntity<Map<String, Object>> error(HttpServletRequest request, HttpServletResponse response) {
        Object code = request.getAttribute(RequestDispatcher.ERROR_STATUS_CODE);
        int status = code instanceof Integer i ? i : 500;
        String path = (String) request.getAttribute(RequestDispatcher.ERROR_REQUEST_URI);
        String method = request.getMethod();
        Throwable error = (Throwable) request.getAttribute(RequestDispatcher.ERROR_EXCEPTION);
        if (status >= 500 && error != null) {
            LOG.error("Unhandled error on {} {}", method, path, error);
        }
        String detail = switch (status) {
            case 404 -> "No resource at " + path + ". The API contract is at /openapi.json.";
            case 405 -> "Method not allowed on " + path + allowed(response);
            case 415 -> "Content type not supported on " + path + accepted(response);
            default -> status >= 500 ? "The hub could not complete the request." : null;
        };
        String requestId = (String) request.getAttribute(RequestIdFilter.ATTRIBUTE);
        Problem problem = Problem.of(ProblemType.forStatus(status), status, detail).withRequest(path, requestId);
        return ResponseEntity.status(status)
                .contentType(MediaType.parseMediaType(Problem.MEDIA_TYPE))
                .body(problem.toMap());
    }

    private static String accepted(HttpServletResponse response) {
        String accept = response.getHeader("Accept");
        return accept != null && !accept.isBlank() ? "; send one of: " + accept + "." : ".";
    }

    private static String allowed(HttpServletResponse response) {
        String allow = response.getHeader("Allow");
        return allow != null && !allow.isBlank() ? "; allowed: " + allow + "." : ".";
    }
}
