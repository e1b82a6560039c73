package com.skyyrose.hub.routes;

import com.skyyrose.hub.api.ProblemException;
import org.apache.camel.builder.RouteBuilder;
import org.springframework.stereotype.Component;

/**
 * The route files operations of the contract, each on {@code direct:<operationId>}. In Java on purpose: the API that
 * edits route files must not be a route file itself, or one edit could take away the way to undo it.
 */
@Component
public class RouteFilesRoutes extends RouteBuilder {

    @Override
    public void configure() {
        // a problem (412, 422, 428...) is an expected answer, written by the contract facade; not an error to log
        onException(ProblemException.class).logExhausted(false).logStackTrace(false);
        route("listRouteFiles", "list");
        route("getRouteFileContent", "content");
        route("putRouteFileContent", "put");
        route("deleteRouteFileContent", "delete");
        route("validateRouteFile", "validate");
        route("listRouteFileRevisions", "history");
        route("restoreRouteFileRevision", "restore");
        route("exportRouteFiles", "export");
    }

    private void route(String operationId, String method) {
        from("direct:" + operationId).routeId(operationId).bean("routeFilesApi", method);
    }
}
