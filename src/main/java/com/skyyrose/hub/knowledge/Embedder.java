package com.skyyrose.hub.knowledge;

import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.langchain4j.data.embedding.Embedding;
import dev.langchain4j.data.segment.TextSegment;
import dev.langchain4j.model.output.Response;
import dev.langchain4j.model.embedding.EmbeddingModel;
import dev.langchain4j.model.embedding.onnx.AbstractInProcessEmbeddingModel;
import dev.langchain4j.model.embedding.onnx.OnnxBertBiEncoder;
import dev.langchain4j.model.embedding.onnx.PoolingMode;
import java.io.IOException;
import java.io.InputStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.context.event.ApplicationReadyEvent;
import org.springframework.context.event.EventListener;
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

    private static final Logger LOG = LoggerFactory.getLogger(Embedder.class);

    public static final int DIMENSIONS = 384;

    /** The float32 export (what every chunk stored before the model became configurable was embedded with). */
    public static final String FLOAT32 = "all-minilm-l6-v2";
    /** The int8-quantised export. */
    public static final String INT8 = "all-minilm-l6-v2-q";

    private final ExecutorService pool;
    private final EmbeddingModel model;
    private final EmbeddingModel recentTexts;
    private final String modelName;
    private final int onnxThreads;
    private final CompletableFuture<OnnxBertBiEncoder> encoder;
    private final java.util.concurrent.atomic.AtomicBoolean loading = new java.util.concurrent.atomic.AtomicBoolean();

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
        // the ONNX session (a second or two of CPU) loads once the hub is ready (or at the first embedding, if that
        // comes first), in the background: beside the start-up it competed for the CPU (a small instance has half a
        // core; readiness does not need the model). The first embedding waits for it; a model that cannot load fails that call with the reason.
        this.encoder = new CompletableFuture<>();
        this.onnxThreads = onnxThreads;
        this.model = new Model(pool, encoder, this::startLoading);
        this.recentTexts = new Remembering(model, 4096);
    }

    /** Embeds only the texts it has not seen recently (bounded, by text, for at most ten minutes). */
    private static final class Remembering implements EmbeddingModel {
        private final EmbeddingModel model;
        private final Cache<String, Embedding> recent;

        Remembering(EmbeddingModel model, int size) {
            this.model = model;
            // texts may be personal (prompts, answers): kept briefly, so an erasure is never undone by a cache
            this.recent = Caffeine.newBuilder().maximumSize(size).expireAfterWrite(Duration.ofMinutes(10)).build();
        }

        @Override
        public Response<List<Embedding>> embedAll(List<TextSegment> segments) {
            Embedding[] out = new Embedding[segments.size()];
            List<TextSegment> missing = new ArrayList<>();
            List<Integer> at = new ArrayList<>();
            for (int i = 0; i < segments.size(); i++) {
                out[i] = recent.getIfPresent(segments.get(i).text());
                if (out[i] == null) {
                    missing.add(segments.get(i));
                    at.add(i);
                }
            }
            if (!missing.isEmpty()) {
                List<Embedding> computed = model.embedAll(missing).content();
                for (int j = 0; j < computed.size(); j++) {
                    out[at.get(j)] = computed.get(j);
                    recent.put(missing.get(j).text(), computed.get(j));
                }
            }
            return Response.from(Arrays.asList(out));
        }

        @Override
        public int dimension() {
            return DIMENSIONS;
        }
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
            // the environment lives until the process ends (its own exit hook freed it under running embeddings)
            OnnxRuntimeExit.removeCloserHooks();
            OrtSession.SessionOptions options = new OrtSession.SessionOptions();
            if (onnxThreads > 0) { // 0: ONNX Runtime's default (one thread per core)
                options.setIntraOpNumThreads(onnxThreads);
                options.setInterOpNumThreads(1);
            }
            // no second, pre-packed copy of the weights: about 10 MB less native memory for the int8 model at the
            // same CPU per embedding (measured with the bundled model, issue 21)
            options.addConfigEntry("session.disable_prepacking", "1");
            OrtSession session = env.createSession(onnx.readAllBytes(), options);
            return new OnnxBertBiEncoder(env, session, tokenizer, PoolingMode.MEAN);
        } catch (IOException | OrtException e) {
            throw new IllegalStateException("cannot load the " + modelName + " model", e);
        }
    }

    private static final class Model extends AbstractInProcessEmbeddingModel {
        private final CompletableFuture<OnnxBertBiEncoder> encoder;
        private final Runnable load;

        Model(java.util.concurrent.Executor executor, CompletableFuture<OnnxBertBiEncoder> encoder, Runnable load) {
            super(executor);
            this.encoder = encoder;
            this.load = load;
        }

        @Override
        protected OnnxBertBiEncoder model() {
            load.run();
            try {
                return encoder.join();
            } catch (CompletionException e) {
                throw e.getCause() instanceof RuntimeException r ? r : new IllegalStateException(e.getCause());
            }
        }

        @Override
        protected Integer knownDimension() {
            return DIMENSIONS;
        }
    }

    /** Starts loading the model in the background (once; also on the first embedding). */
    @EventListener(ApplicationReadyEvent.class)
    public void startLoading() {
        if (!loading.compareAndSet(false, true)) {
            return;
        }
        Thread loader = new Thread(() -> {
            try {
                encoder.complete(encoder(modelName, onnxThreads));
            } catch (RuntimeException | Error e) {
                LOG.error("Embedding model {} could not be loaded: {}", modelName, e.toString());
                encoder.completeExceptionally(e);
            }
        }, "hub-embed-model-load");
        loader.setDaemon(true);
        loader.start();
    }

    /** The model's name, as recorded with every stored chunk. */
    public String modelName() {
        return modelName;
    }

    /**
     * The model as a langchain4j {@link EmbeddingModel} (vectors not normalised) that remembers the last few thousand
     * texts for ten minutes: search queries, prompts and answers recur (the round table embeds a prompt that its RAG step has just
     * embedded as a query). Ingestion ({@link #embedAll}) bypasses it: chunks are embedded once.
     */
    public EmbeddingModel model() {
        return recentTexts;
    }

    /** A query's vector, at unit length (remembered, see {@link #model()}). */
    public float[] embed(String text) {
        return normalize(recentTexts.embed(text).content().vector());
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
