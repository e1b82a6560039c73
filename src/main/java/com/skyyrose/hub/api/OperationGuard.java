package com.skyyrose.hub.api;

import org.apache.camel.Exchange;

/**
 * A check that runs before a contract operation is validated and routed (authentication, permission, rate
 * limit...). Guards run in {@link org.springframework.core.annotation.Order} order; the first to throw a
 * {@link ProblemException} ends the request with that problem. A guard may put what it learnt (the principal) on
 * the exchange for the route.
 */
public interface OperationGuard {

    void check(OpenApiContract.ContractOperation operation, Exchange exchange);
}
