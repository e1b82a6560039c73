package com.skyyrose.hub.api;

/** The stable problem types the hub answers with; each has a page-like URI clients can switch on. */
public enum ProblemType {
    VALIDATION_FAILED("validation-failed", "Request does not match the API contract"),
    UNSUPPORTED_MEDIA_TYPE("unsupported-media-type", "Unsupported media type"),
    NOT_ACCEPTABLE("not-acceptable", "Not acceptable"),
    NOT_FOUND("not-found", "Resource not found"),
    METHOD_NOT_ALLOWED("method-not-allowed", "Method not allowed"),
    CONFLICT("conflict", "Conflict"),
    GONE("gone", "Gone"),
    UNAUTHORIZED("unauthorized", "Authentication required"),
    FORBIDDEN("forbidden", "Permission denied"),
    RATE_LIMITED("rate-limited", "Too many requests"),
    PAYLOAD_TOO_LARGE("payload-too-large", "Request body too large"),
    NOT_IMPLEMENTED("not-implemented", "Operation not implemented yet"),
    UNAVAILABLE("unavailable", "Service unavailable"),
    UPSTREAM_FAILED("upstream-failed", "An upstream service failed"),
    PRECONDITION_REQUIRED("precondition-required", "If-Match required"),
    PRECONDITION_FAILED("precondition-failed", "The resource changed since it was read"),
    INVALID_ROUTE_FILE("invalid-route-file", "The route file is not valid"),
    PERSONAL_DATA_REFUSED("personal-data-refused", "Personal data may not be sent to this provider"),
    INTERNAL("internal-error", "Internal server error"),
    HTTP_ERROR("http-error", "HTTP error");

    public static final String BASE_URI = "https://api.skyyrose.com/problems/";

    private final String slug;
    private final String title;

    ProblemType(String slug, String title) {
        this.slug = slug;
        this.title = title;
    }

    public String uri() {
        return BASE_URI + slug;
    }

    public String title() {
        return title;
    }

    /** The type a bare HTTP status maps to, for errors raised outside the hub's own code. */
    public static ProblemType forStatus(int status) {
        return switch (status) {
            case 400 -> VALIDATION_FAILED;
            case 401 -> UNAUTHORIZED;
            case 403 -> FORBIDDEN;
            case 404 -> NOT_FOUND;
            case 405 -> METHOD_NOT_ALLOWED;
            case 406 -> NOT_ACCEPTABLE;
            case 409 -> CONFLICT;
            case 412 -> PRECONDITION_FAILED;
            case 428 -> PRECONDITION_REQUIRED;
            case 415 -> UNSUPPORTED_MEDIA_TYPE;
            case 413 -> PAYLOAD_TOO_LARGE;
            case 429 -> RATE_LIMITED;
            case 501 -> NOT_IMPLEMENTED;
            case 502, 504 -> UPSTREAM_FAILED;
            case 503 -> UNAVAILABLE;
            default -> status >= 500 ? INTERNAL : HTTP_ERROR;
        };
    }
}
