package com.skyyrose.hub.knowledge;

import java.util.List;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.context.event.ApplicationReadyEvent;
import org.springframework.context.event.EventListener;
import org.springframework.stereotype.Component;

/**
 * After start-up, in the background: re-embeds the documents whose chunks another embedding model produced (after
 * {@code HUB_KNOWLEDGE_EMBEDDING_MODEL} changed, or on a database written before the model was recorded), one
 * document per transaction. Until a document is done its chunks still answer searches, ranked by the old vectors.
 * Every instance may run it: the per-document ingestion lock and a re-check make the work happen once.
 */
@Component
public class KnowledgeReembedder {

    private static final Logger LOG = LoggerFactory.getLogger(KnowledgeReembedder.class);

    private final KnowledgeStore store;
    private final Embedder embedder;

    public KnowledgeReembedder(KnowledgeStore store, Embedder embedder) {
        this.store = store;
        this.embedder = embedder;
    }

    @EventListener(ApplicationReadyEvent.class)
    public void onReady() {
        Thread t = new Thread(() -> {
            try {
                reembedAll();
            } catch (RuntimeException e) {
                LOG.warn("re-embedding the knowledge base failed (it is retried at the next start): {}", e.toString());
            }
        }, "hub-knowledge-reembed");
        t.setDaemon(true);
        t.start();
    }

    /** Re-embeds every document embedded by another model; returns the number of chunks re-embedded here. */
    public int reembedAll() {
        List<UUID> stale = store.documentsEmbeddedByAnotherModel();
        if (stale.isEmpty()) {
            return 0;
        }
        LOG.info("re-embedding {} knowledge documents with {}", stale.size(), embedder.modelName());
        long started = System.nanoTime();
        int chunks = 0;
        for (UUID id : stale) {
            chunks += store.reembed(id);
        }
        LOG.info("re-embedded {} chunks of {} documents in {} ms", chunks, stale.size(),
                (System.nanoTime() - started) / 1_000_000);
        return chunks;
    }
}
