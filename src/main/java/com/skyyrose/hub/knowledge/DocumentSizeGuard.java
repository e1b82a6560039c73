package com.skyyrose.hub.knowledge;

import com.skyyrose.hub.api.OpenApiContract;
import com.skyyrose.hub.api.OperationGuard;
import org.apache.camel.Exchange;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.stereotype.Component;

/**
 * Answers 413 for a knowledge document larger than the configured limit before the contract validator parses it
 * (which would otherwise fail on a multi-megabyte string with a less helpful 400). Runs after the identity
 * guards, so an anonymous caller still gets 401 first.
 */
@Component
@Order(Ordered.LOWEST_PRECEDENCE)
public class DocumentSizeGuard implements OperationGuard {

    /** Room for the JSON envelope (title, tags, escapes) around the content. */
    private static final long ENVELOPE = 64 * 1024L;

    private final KnowledgeStore store;

    public DocumentSizeGuard(KnowledgeStore store) {
        this.store = store;
    }

    @Override
    public void check(OpenApiContract.ContractOperation operation, Exchange exchange) {
        if (!"createKnowledgeDocument".equals(operation.operationId())) {
            return;
        }
        byte[] body = exchange.getMessage().getBody(byte[].class);
        if (body != null && body.length > store.maxBytes() + ENVELOPE) {
            throw store.tooLarge(body.length);
        }
    }
}
