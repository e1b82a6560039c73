package com.skyyrose.hub.knowledge;

import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import dev.langchain4j.data.segment.TextSegment;
import dev.langchain4j.model.embedding.EmbeddingModel;
import dev.langchain4j.model.embedding.onnx.AbstractInProcessEmbeddingModel;
import dev.langchain4j.model.embedding.onnx.OnnxBertBiEncoder;
import dev.langchain4j.model.embedding.onnx.PoolingMode;
import java.io.IOException;
import java.io.InputStream;
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
 * <p>
 * {@link #embedAll} spreads the texts over {@code HUB_KNOWLEDGE_EMBEDDING_THREADS} threads, one ONNX run per text.
 * Each run uses {@code HUB_KNOWLEDGE_ONNX_THREADS} threads inside ONNX Runtime (default 1): with its own default
 * (one per core) every embedding thread would start as many again, and the threads would contend for the cores.
 */
@Component
public class Embedder implements DisposableBean {

    public static final int DIMENSIONS = 384;

    private final ExecutorService pool;
    private final EmbeddingModel model;

    public Embedder(@Value("${hub.knowledge.embedding-threads}") int threads,
            @Value("${hub.knowledge.onnx-threads:1}") int onnxThreads) {
        int n = Math.max(1, threads);
        this.pool = Executors.newFixedThreadPool(n, r -> {
            Thread t = new Thread(r, "hub-embed");
            t.setDaemon(true);
            return t;
        });
        this.model = new Model(pool, encoder(onnxThreads));
    }

    /** The bundled all-MiniLM-L6-v2 (same files and mean pooling as langchain4j's model) in our own session. */
    private static OnnxBertBiEncoder encoder(int onnxThreads) {
        ClassLoader loader = AbstractInProcessEmbeddingModel.class.getClassLoader();
        try (InputStream onnx = loader.getResourceAsStream("all-minilm-l6-v2.onnx");
                InputStream tokenizer = loader.getResourceAsStream("all-minilm-l6-v2-tokenizer.json")) {
            if (onnx == null || tokenizer == null) {
                throw new IllegalStateException("all-MiniLM-L6-v2 model files are not on the class path");
            }
            OrtEnvironment env = OrtEnvironment.getEnvironment();
            OrtSession.SessionOptions options = new OrtSession.SessionOptions();
            if (onnxThreads > 0) { // 0: ONNX Runtime's default (one thread per core)
                options.setIntraOpNumThreads(onnxThreads);
                options.setInterOpNumThreads(1);
            }
            OrtSession session = env.createSession(onnx.readAllBytes(), options);
            return new OnnxBertBiEncoder(env, session, tokenizer, PoolingMode.MEAN);
        } catch (IOException | OrtException e) {
            throw new IllegalStateException("cannot load the all-MiniLM-L6-v2 model", e);
        }
    }

    private static final class Model extends AbstractInProcessEmbeddingModel {
        private final OnnxBertBiEncoder encoder;

        Model(java.util.concurrent.Executor executor, OnnxBertBiEncoder encoder) {
            super(executor);
            this.encoder = encoder;
        }

        @Override
        protected OnnxBertBiEncoder model() {
            return encoder;
        }

        @Override
        protected Integer knownDimension() {
            return DIMENSIONS;
        }
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
