package com.skyyrose.hub.knowledge;

import dev.langchain4j.data.segment.TextSegment;
import dev.langchain4j.model.embedding.EmbeddingModel;
import dev.langchain4j.model.embedding.onnx.allminilml6v2.AllMiniLmL6V2EmbeddingModel;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.stereotype.Component;

/**
 * Text embeddings computed in this process with the all-MiniLM-L6-v2 ONNX model bundled in langchain4j
 * (384 dimensions; no network). Vectors are returned at unit length, so cosine similarity is a dot product and
 * squared Euclidean distance is {@code 2 - 2 cos}.
 */
@Component
public class Embedder implements DisposableBean {

    public static final int DIMENSIONS = 384;

    private final ExecutorService pool;
    private final EmbeddingModel model;

    public Embedder(@Value("${hub.knowledge.embedding-threads}") int threads) {
        int n = Math.max(1, threads);
        this.pool = Executors.newFixedThreadPool(n, r -> {
            Thread t = new Thread(r, "hub-embed");
            t.setDaemon(true);
            return t;
        });
        this.model = new AllMiniLmL6V2EmbeddingModel(pool);
    }

    public float[] embed(String text) {
        return normalize(model.embed(text).content().vector());
    }

    public List<float[]> embedAll(List<String> texts) {
        if (texts.isEmpty()) {
            return List.of();
        }
        return model.embedAll(texts.stream().map(TextSegment::from).toList()).content().stream()
                .map(e -> normalize(e.vector())).toList();
    }

    static float[] normalize(float[] v) {
        double sum = 0;
        for (float x : v) {
            sum += (double) x * x;
        }
        double norm = Math.sqrt(sum);
        float[] out = new float[v.length];
        if (norm == 0) {
            return out;
        }
        for (int i = 0; i < v.length; i++) {
            out[i] = (float) (v[i] / norm);
        }
        return out;
    }

    @Override
    public void destroy() {
        pool.shutdownNow();
    }
}
