package com.skyyrose.hub.assistants;

import com.skyyrose.hub.api.OpenApiContract;
import com.skyyrose.hub.api.ProblemException;
import com.skyyrose.hub.security.IdentityGuard;
import com.skyyrose.hub.security.Principal;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import org.springframework.stereotype.Component;

/**
 * Who may use the OpenAI-compatible API and the MCP server: the hub's own credentials ({@code Authorization: Bearer}
 * access token or API key, or {@code X-API-Key}) through {@link IdentityGuard#admit}, the principal's rate limit,
 * and the same permissions the contract gives the equivalent operations (round table: {@code queryRoundTable}'s,
 * agents: {@code createAgentRun}'s) — read from the contract, so one table stays the truth.
 */
@Component
public class AssistantAccess {

    private final IdentityGuard identity;
    private final OpenApiContract contract;
    private final UsageLedger ledger;

    public AssistantAccess(IdentityGuard identity, OpenApiContract contract, UsageLedger ledger) {
        this.identity = identity;
        this.contract = contract;
        this.ledger = ledger;
    }

    /** The permission to ask the round table or an LLM provider directly. */
    public String chatPermission() {
        return contract.operation("queryRoundTable").permission();
    }

    /** The permission to run an agent. */
    public String agentPermission() {
        return contract.operation("createAgentRun").permission();
    }

    /** Authenticates and rate-limits; the {@code x-ratelimit-*} headers go on the response. */
    public Principal admit(HttpServletRequest request, HttpServletResponse response) {
        IdentityGuard.Admission admission;
        try {
            admission = identity.admit(request.getHeader("X-API-Key"), request.getHeader("Authorization"));
        } catch (ProblemException e) {
            int status = e.problem().status();
            OpenAiError error = status == 401
                    ? new OpenAiError(401, "invalid_request_error", "invalid_api_key", null,
                            e.problem().detail())
                    : new OpenAiError(status, "server_error", "service_unavailable", null, e.problem().detail());
            e.problem().headers().forEach(error::withHeader);
            throw error;
        }
        var decision = admission.decision();
        response.setHeader("x-ratelimit-limit-requests", Integer.toString(decision.limit().capacity()));
        response.setHeader("x-ratelimit-remaining-requests", Long.toString(Math.max(0, decision.remaining())));
        if (!decision.allowed()) {
            throw new OpenAiError(429, "requests", "rate_limit_exceeded", null,
                    "Rate limit reached for requests: at most " + decision.limit().capacity() + " per "
                            + decision.limit().period().toSeconds() + " s. Try again in "
                            + decision.retryAfterSeconds() + " s.")
                    .withHeader("Retry-After", Long.toString(decision.retryAfterSeconds()));
        }
        return admission.principal();
    }

    public void require(Principal principal, String permission, String model) {
        if (!principal.has(permission)) {
            throw new OpenAiError(403, "permission_denied", "model_not_permitted", "model",
                    "You may not use the model '" + model + "': it needs the permission '" + permission + "'.");
        }
    }

    /** Refuses with 429 (OpenAI's shape) when the principal's monthly budget or tokens per minute are used up. */
    public void withinBudget(Principal principal) {
        UsageLedger.Refusal refusal = ledger.check(principal);
        if (refusal != null) {
            throw new OpenAiError(429, refusal.type(), "insufficient_quota".equals(refusal.type())
                    ? "insufficient_quota" : "rate_limit_exceeded", null, refusal.message())
                    .withHeader("Retry-After", Long.toString(refusal.retryAfterSeconds()));
        }
    }
}
