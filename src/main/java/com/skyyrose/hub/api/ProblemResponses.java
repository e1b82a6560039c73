package com.skyyrose.hub.api;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.camel.Exchange;
import org.apache.camel.Message;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;
import org.springframework.stereotype.Component;

/** Writes problem documents into Camel replies, and turns exceptions into problems. */
@Component("problemResponses")
public class ProblemResponses {

    private static final Logger LOG = LoggerFactory.getLogger(ProblemResponses.class);

    private final ObjectMapper json;

    public ProblemResponses(ObjectMapper json) {
        this.json = json;
    }

    public Problem fromException(Throwable error, Exchange exchange) {
        for (Throwable t = error; t != null; t = t.getCause()) {
            if (t instanceof ProblemException pe) {
                return pe.problem();
            }
            if (t.getCause() == t) {
                break;
            }
        }
        LOG.error("Operation {} failed", exchange.getProperty(ContractOperationStrategy.OPERATION_ID), error);
        return Problem.of(ProblemType.INTERNAL, 500, "The hub could not complete the request.");
    }

    public void write(Exchange exchange, Problem problem) {
        Message out = exchange.getMessage();
        Problem complete = problem.withRequest(
                problem.instance() != null ? problem.instance()
                        : exchange.getProperty(ContractOperationStrategy.REQUEST_PATH, String.class),
                exchange.getProperty(ContractOperationStrategy.REQUEST_ID, String.class));
        // with tracing on, the trace of this request (in the MDC while its span is current) beside the request id
        String traceId = MDC.get("traceId");
        if (traceId != null && !traceId.isBlank()) {
            complete = complete.with("traceId", traceId);
        }
        try {
            out.setBody(json.writeValueAsBytes(complete.toMap()));
        } catch (Exception e) {
            out.setBody("{\"status\":" + problem.status() + "}");
        }
        out.setHeader(Exchange.HTTP_RESPONSE_CODE, problem.status());
        problem.headers().forEach(out::setHeader);
        out.setHeader(Exchange.CONTENT_TYPE, Problem.MEDIA_TYPE);
    }
}
