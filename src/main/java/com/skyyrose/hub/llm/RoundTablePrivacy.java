package com.skyyrose.hub.llm;

import com.skyyrose.hub.privacy.PersonalDataGuard;
import com.skyyrose.hub.privacy.Pseudonymizer;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.camel.Exchange;
import org.springframework.stereotype.Component;

/**
 * The round table's use of the privacy guard: {@link #open} (before the fan-out) starts the request's pseudonymizer,
 * masks the request once for scoring and grounding, and refuses the round (422) when a panel provider's policy is
 * {@code refuse} and the request holds personal data; each branch's vendor call is masked by
 * {@link ProviderCaller}; after selection, {@link #restore} gives the caller the real values back in every candidate
 * and the judge's reasoning, and {@link #summary} records what was masked (kinds and counts).
 */
@Component
public class RoundTablePrivacy {

    static final String SESSION = "hub.privacy.session";
    static final String MASKED = "hub.privacy.maskedRequest";

    private final PersonalDataGuard guard;

    public RoundTablePrivacy(PersonalDataGuard guard) {
        this.guard = guard;
    }

    /** Opens the request's pseudonymizer; returns the masked request (what scoring and grounding work on). */
    RoundTableRequest open(Exchange exchange, RoundTableRequest request, List<String> panel) {
        List<String> texts = new ArrayList<>();
        texts.add(request.prompt());
        texts.add(request.system());
        request.passages().forEach(p -> texts.add(Grounding.str(p, "text")));
        Pseudonymizer session = guard.open(exchange, texts);
        List<Map<String, Object>> passages = new ArrayList<>(request.passages().size());
        for (Map<String, Object> p : request.passages()) {
            Map<String, Object> copy = new LinkedHashMap<>(p);
            copy.replaceAll((k, v) -> v instanceof String s ? session.mask(s) : v);
            passages.add(copy);
        }
        RoundTableRequest masked = new RoundTableRequest(session.mask(request.prompt()),
                session.mask(request.system()), request.providers(), request.judge(), request.temperature(),
                request.maxTokens(), request.brandContext(), passages, request.principalId(), request.plan());
        try {
            guard.checkPanel(panel, session);
        } catch (PersonalDataGuard.Refused refused) {
            throw refused.problem();
        }
        exchange.setProperty(SESSION, session);
        exchange.setProperty(MASKED, masked);
        return masked;
    }

    static Pseudonymizer session(Exchange exchange) {
        return exchange.getProperty(SESSION, Pseudonymizer.class);
    }

    /** The masked request (the request itself when the round was not opened here). */
    static RoundTableRequest masked(Exchange exchange, RoundTableRequest request) {
        RoundTableRequest masked = exchange.getProperty(MASKED, RoundTableRequest.class);
        return masked != null ? masked : request;
    }

    /** Every candidate with the real values back where the model used placeholders. */
    static List<Candidate> restore(List<Candidate> candidates, Pseudonymizer session) {
        if (session == null || !session.found()) {
            return candidates;
        }
        List<Candidate> out = new ArrayList<>(candidates.size());
        for (Candidate c : candidates) {
            if (c.text() == null) {
                out.add(c);
                continue;
            }
            // the claims' evidence quotes the masked passages: restored too, so the caller reads real values
            @SuppressWarnings("unchecked")
            Map<String, Object> claims = c.claims() == null ? null : (Map<String, Object>) session.restoreDeep(c.claims());
            out.add(c.withText(session.restore(c.text())).withClaims(claims));
        }
        return out;
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> restore(Map<String, Object> verdict, Pseudonymizer session) {
        if (verdict == null || session == null || !session.found()) {
            return verdict;
        }
        return (Map<String, Object>) session.restoreDeep(verdict);
    }

    /** Kinds and counts masked and the panel's policies (recorded on the result and the agent run's trace). */
    Map<String, Object> summary(List<String> panel, Pseudonymizer session) {
        return session == null ? null : guard.summary(panel, session);
    }
}
