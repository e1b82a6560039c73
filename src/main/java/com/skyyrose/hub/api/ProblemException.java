package com.skyyrose.hub.api;

/**
 * Thrown by any route or bean to answer with a problem document. The contract facade turns it into the HTTP
 * response; it is an expected outcome, so it is not logged as a failure.
 */
public class ProblemException extends RuntimeException {

    private final transient Problem problem;

    public ProblemException(Problem problem) {
        super(problem.detail() != null ? problem.detail() : problem.title(), null, false, false);
        this.problem = problem;
    }

    public ProblemException(ProblemType type, int status, String detail) {
        this(Problem.of(type, status, detail));
    }

    public static ProblemException notFound(String detail) {
        return new ProblemException(ProblemType.NOT_FOUND, 404, detail);
    }

    public static ProblemException badRequest(String field, String message) {
        return new ProblemException(Problem.of(ProblemType.VALIDATION_FAILED, 400, field + ": " + message)
                .withErrors(java.util.List.of(new Problem.FieldError(field, message))));
    }

    public Problem problem() {
        return problem;
    }
}
