package com.skyyrose.hub.api;

import org.apache.camel.Exchange;
import org.apache.camel.builder.RouteBuilder;
import org.springframework.stereotype.Component;

/** The contract as JSON, and the two documentation pages that render it (assets served from jars, offline). */
@Component
public class ApiDocsRoutes extends RouteBuilder {

    private static final String HTML = "text/html; charset=utf-8";

    @Override
    public void configure() {
        from("direct:getOpenApiDocument").routeId("openapi-document")
                .setHeader(Exchange.CONTENT_TYPE, constant("application/json"))
                .setHeader("Cache-Control", constant("no-cache"))
                .setBody(method("openApiContract", "json"));

        from("direct:getSwaggerUi").routeId("docs-swagger-ui")
                .setHeader(Exchange.CONTENT_TYPE, constant(HTML))
                .setBody(simple("resource:classpath:docs/swagger-ui.html"));

        from("direct:getRedoc").routeId("docs-redoc")
                .setHeader(Exchange.CONTENT_TYPE, constant(HTML))
                .setBody(simple("resource:classpath:docs/redoc.html"));
    }
}
