package com.skyyrose.hub.api;

import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.model.rest.RestBindingMode;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.stereotype.Component;

/**
 * Binds Camel's REST DSL to the OpenAPI contract (contract-first): every operation goes to
 * {@code direct:<operationId>}, served by a route in {@code routes/} or in Java. How an operation is validated and
 * answered is {@link ContractOperationStrategy}.
 */
@Component
public class RestContractRoutes extends RouteBuilder {

    private final String contractLocation;

    public RestContractRoutes(@Value("${hub.api.contract-uri}") String contractLocation) {
        this.contractLocation = contractLocation;
    }

    @Override
    public void configure() {
        restConfiguration()
                .component("platform-http")
                // bodies stay raw: the strategy validates them and routes read what they need
                .bindingMode(RestBindingMode.off)
                .clientRequestValidation(false);

        rest().openApi()
                .specification(contractLocation)
                .routeId("rest-contract");
    }
}
