package com.skyyrose.hub.llm;

import dev.langchain4j.model.embedding.EmbeddingModel;
import dev.langchain4j.model.embedding.onnx.allminilml6v2q.AllMiniLmL6V2QuantizedEmbeddingModel;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Sentence embeddings computed in-process with langchain4j's bundled all-MiniLM-L6-v2 (ONNX, no network). Used for
 * agreement, grounding, relevance and brand-voice similarity. In the hub the model is the knowledge base's
 * ({@link #use}); outside it (unit tests) the int8 export is loaded on first use.
 */
public class TextEmbedder {

    private static volatile EmbeddingModel shared;
    /** The model in use keeps its own bounded cache: {@link #RECENT} stays empty. */
    private static volatile boolean remembering;
    /** Texts that recur across rounds (brand voice, passages, repeated prompts and answers), bounded LRU. */
    private static final Map<String, float[]> RECENT = java.util.Collections.synchronizedMap(
            new java.util.LinkedHashMap<>(512, 0.75f, true) {
                @Override
                protected boolean removeEldestEntry(Map.Entry<String, float[]> eldest) {
                    return size() > 2000;
                }
            });
    private final Map<String, float[]> memo = new ConcurrentHashMap<>();

    /** A fresh memo (per round) over the shared model. */
    public static TextEmbedder forRound() {
        return new TextEmbedder();
    }

    /** Makes every round use this model (set once at start-up, before the first round). */
    public static synchronized void use(EmbeddingModel model) {
        shared = model;
        RECENT.clear(); // the hub's model remembers recent texts itself (for a bounded time)
        remembering = true;
    }

    /** Forgets the model if it is this one (its owner is shutting down; e.g. one of several test contexts). */
    public static synchronized void release(EmbeddingModel model) {
        if (shared == model) {
            shared = null;
            remembering = false;
        }
    }

    private static EmbeddingModel model() {
        EmbeddingModel m = shared;
        if (m == null) {
            synchronized (TextEmbedder.class) {
                if (shared == null) {
                    shared = new AllMiniLmL6V2QuantizedEmbeddingModel();
                }
                m = shared;
            }
        }
        return m;
    }

    /** Loads the model ahead of the first round (start-up warm-up). */
    public static void warmUp() {
        model().embed("warm up");
    }

    public float[] embed(String text) {
        String key = key(text);
        return memo.computeIfAbsent(key, k -> {
            float[] known = remembering ? null : RECENT.get(k);
            if (known == null) {
                known = model().embed(k).content().vector();
                if (!remembering) {
                    RECENT.put(k, known);
                }
            }
            return known;
        });
    }

    /** Embeds every text not known yet in one call (the model spreads them over the cores). */
    public void prefetch(java.util.Collection<String> texts) {
        java.util.List<String> missing = new java.util.ArrayList<>();
        for (String t : texts) {
            String k = key(t);
            float[] known = RECENT.get(k);
            if (known != null) {
                memo.put(k, known);
            } else if (!memo.containsKey(k) && !missing.contains(k)) {
                missing.add(k);
            }
        }
        if (missing.isEmpty()) {
            return;
        }
        java.util.List<dev.langchain4j.data.segment.TextSegment> segments = new java.util.ArrayList<>();
        missing.forEach(m -> segments.add(dev.langchain4j.data.segment.TextSegment.from(m)));
        java.util.List<dev.langchain4j.data.embedding.Embedding> vectors = model().embedAll(segments).content();
        for (int i = 0; i < missing.size(); i++) {
            memo.put(missing.get(i), vectors.get(i).vector());
            if (!remembering) {
                RECENT.put(missing.get(i), vectors.get(i).vector());
            }
        }
    }

    private static String key(String text) {
        return text == null || text.isBlank() ? " " : text.length() > 4000 ? text.substring(0, 4000) : text;
    }

    public double similarity(String a, String b) {
        return cosine(embed(a), embed(b));
    }

    static double cosine(float[] a, float[] b) {
        double dot = 0;
        double na = 0;
        double nb = 0;
        for (int i = 0; i < Math.min(a.length, b.length); i++) {
            dot += a[i] * b[i];
            na += a[i] * a[i];
            nb += b[i] * b[i];
        }
        return na == 0 || nb == 0 ? 0 : dot / Math.sqrt(na * nb);
    }
}
