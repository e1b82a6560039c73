package com.skyyrose.hub.api;

import org.apache.camel.Exchange;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.core.annotation.Order;
import org.springframework.stereotype.Component;

/**
 * Applies each operation's request body limit ({@code HUB_MAX_BODY_BYTES}, or the operation's
 * {@code x-hub-max-body-bytes} in the contract) with a 413 problem, after authentication (an anonymous caller
 * learns only that it must sign in) and before the body is parsed for validation.
 */
@Component
@Order(100)
public class BodySizeGuard implements OperationGuard {

    private final long defaultLimit;

    public BodySizeGuard(@Value("${hub.security.max-body-bytes}") long defaultLimit) {
        this.defaultLimit = defaultLimit;
    }

    @Override
    public void check(OpenApiContract.ContractOperation operation, Exchange exchange) {
        long limit = operation.maxBodyBytes() != null ? operation.maxBodyBytes() : defaultLimit;
        byte[] body = exchange.getMessage().getBody(byte[].class);
        if (body != null && body.length > limit) {
            throw new ProblemException(ProblemType.PAYLOAD_TOO_LARGE, 413,
                    "The request body has " + body.length + " bytes; " + operation.operationId() + " accepts at most "
                            + limit + ".");
        }
    }
}
