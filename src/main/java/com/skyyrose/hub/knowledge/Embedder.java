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
 * Text embeddings computed in this process with an all-MiniLM-L6-v2 ONNX model bundled in langchain4j
 * (384 dimensions; no network). Vectors are returned at unit length, so cosine similarity is a dot product and
 * squared Euclidean distance is {@code 2 - 2 cos}. One instance serves the whole hub: the knowledge base and the
 * round table's selector share it (one model in memory, one thread layout).
 * <p>
 * {@code HUB_KNOWLEDGE_EMBEDDING_MODEL} picks the weights: {@code all-minilm-l6-v2-q} (default; the int8-quantised
 * export, about twice as fast on CPU, cosine ≈ 0.99 to the float32 vectors) or {@code all-minilm-l6-v2} (float32).
 * Stored chunks record the model that embedded them; {@link KnowledgeReembedder} re-embeds them after a change.
 * <p>
 * {@link #embedAll} spreads the texts over {@code HUB_KNOWLEDGE_EMBEDDING_THREADS} threads, one ONNX run per text.
 * Each run uses {@code HUB_KNOWLEDGE_ONNX_THREADS} threads inside ONNX Runtime (default 1): with its own default
 * (one per core) every embedding thread would start as many again, and the threads would contend for the cores.
 */
@Component
public class Embedder implements DisposableBean {

    public static final int DIMENSIONS = 384;

    /** The float32 export (what every chunk stored before the model became configurable was embedded with). */
    public static final String FLOAT32 = "all-minilm-l6-v2";
    /** The int8-quantised export. */
    public static final String INT8 = "all-minilm-l6-v2-q";

    private final ExecutorService pool;
    private final EmbeddingModel model;
    private final String modelName;

    public Embedder(@Value("${hub.knowledge.embedding-threads}") int threads,
            @Value("${hub.knowledge.onnx-threads:1}") int onnxThreads,
            @Value("${hub.knowledge.embedding-model:" + INT8 + "}") String modelName) {
        if (!FLOAT32.equals(modelName) && !INT8.equals(modelName)) {
            throw new IllegalArgumentException("HUB_KNOWLEDGE_EMBEDDING_MODEL must be " + INT8 + " or " + FLOAT32
                    + ", not " + modelName);
        }
        this.modelName = modelName;
        int n = Math.max(1, threads);
        this.pool = Executors.newFixedThreadPool(n, r -> {
            Thread t = new Thread(r, "hub-embed");
            t.setDaemon(true);
            return t;
        });
        this.model = new Model(pool, encoder(modelName, onnxThreads));
    }

    /** The bundled model (same files and mean pooling as langchain4j's model classes) in our own session. */
    private static OnnxBertBiEncoder encoder(String modelName, int onnxThreads) {
        ClassLoader loader = Embedder.class.getClassLoader();
        try (InputStream onnx = loader.getResourceAsStream(modelName + ".onnx");
                InputStream tokenizer = loader.getResourceAsStream(modelName + "-tokenizer.json")) {
            if (onnx == null || tokenizer == null) {
                throw new IllegalStateException(modelName + " model files are not on the class path");
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
            throw new IllegalStateException("cannot load the " + modelName + " model", e);
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

    /** The model's name, as recorded with every stored chunk. */
    public String modelName() {
        return modelName;
    }

    /** The underlying langchain4j model (vectors not normalised), for callers that want its API. */
    public EmbeddingModel model() {
        return model;
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
