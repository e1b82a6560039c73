package com.skyyrose.hub.llm;

import dev.langchain4j.model.embedding.EmbeddingModel;
import dev.langchain4j.model.embedding.onnx.allminilml6v2.AllMiniLmL6V2EmbeddingModel;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Sentence embeddings computed in-process with langchain4j's bundled all-MiniLM-L6-v2 (ONNX, no network), loaded
 * once on first use. Used for agreement, grounding, relevance and brand-voice similarity.
 */
public class TextEmbedder {

    private static volatile EmbeddingModel shared;
    private final Map<String, float[]> memo = new ConcurrentHashMap<>();

    /** A fresh memo (per round) over the shared model. */
    public static TextEmbedder forRound() {
        return new TextEmbedder();
    }

    private static EmbeddingModel model() {
        EmbeddingModel m = shared;
        if (m == null) {
            synchronized (TextEmbedder.class) {
                if (shared == null) {
                    shared = new AllMiniLmL6V2EmbeddingModel();
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
        String key = text == null || text.isBlank() ? " " : text.length() > 4000 ? text.substring(0, 4000) : text;
        return memo.computeIfAbsent(key, k -> model().embed(k).content().vector());
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
