package com.skyyrose.hub.security;

import com.skyyrose.hub.api.ProblemException;
import org.apache.camel.builder.RouteBuilder;
import org.springframework.stereotype.Component;

/** The identity and access operations of the contract, each on {@code direct:<operationId>}. Fixed plumbing. */
@Component
public class IdentityRoutes extends RouteBuilder {

    @Override
    public void configure() {
        // a problem (401, 403, 429...) is an expected answer, written by the contract facade; not an error to log
        onException(ProblemException.class).logExhausted(false).logStackTrace(false);
        route("createToken", "token");
        route("logout", "logout");
        route("getMe", "me");
        route("changePassword", "changePassword");
        route("listUsers", "listUsers");
        route("createUser", "createUser");
        route("getUser", "getUser");
        route("updateUser", "updateUser");
        route("revokeUserSessions", "revokeSessions");
        route("listApiKeys", "listApiKeys");
        route("createApiKey", "createApiKey");
        route("revokeApiKey", "revokeApiKey");
        route("listAuditEntries", "listAudit");
        route("listCredentials", "listCredentials");
        route("putCredential", "putCredential");
        route("reEncryptData", "reEncrypt");
        from("direct:rotateJwtSigningKey").routeId("rotateJwtSigningKey").bean("jwtKeyRotation", "rotate");
    }

    private void route(String operationId, String method) {
        from("direct:" + operationId).routeId(operationId).bean("identityApi", method);
    }
}
