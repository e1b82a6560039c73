package com.skyyrose.hub.knowledge;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * Embedding throughput by model and thread layout (run by bench/knowledge/embed.sh, not by the test suite):
 * int8 vs float32 all-MiniLM-L6-v2, embedding threads x ONNX Runtime threads per run, rounds interleaved so a
 * changing machine load hits every layout alike; plus how close the int8 vectors are to the float32 ones.
 */
public final class EmbeddingBench {

    public static void main(String[] args) throws Exception {
        int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 3;
        int perRound = args.length > 1 ? Integer.parseInt(args[1]) : 32;
        List<String> sentences = new ArrayList<>();
        TextChunker splitter = new TextChunker(800, 0);
        var resolver = new org.springframework.core.io.support.PathMatchingResourcePatternResolver();
        for (var r : resolver.getResources("classpath*:knowledge/seed/*.md")) {
            String md = new String(r.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
            sentences.addAll(splitter.sentences(DocumentText.markdown(md.replaceFirst("(?s)^---.*?\\n---\\n", ""))));
        }
        Random random = new Random(1);
        TextChunker chunker = new TextChunker(800, 150);
        List<String> chunks = new ArrayList<>();
        while (chunks.size() < perRound) {
            StringBuilder text = new StringBuilder();
            for (int i = 0; i < 60; i++) {
                text.append(sentences.get(random.nextInt(sentences.size()))).append(' ');
            }
            chunks.addAll(chunker.chunk(text.toString()));
        }
        List<String> batch = chunks.subList(0, perRound);
        int[][] layouts = {{2, 1}, {2, 1}, {2, 0}, {1, 2}};
        String[] models = {Embedder.INT8, Embedder.FLOAT32, Embedder.FLOAT32, Embedder.INT8};
        Embedder[] embedders = new Embedder[layouts.length];
        for (int i = 0; i < layouts.length; i++) {
            embedders[i] = new Embedder(layouts[i][0], layouts[i][1], models[i]);
            embedders[i].embedAll(batch.subList(0, 4)); // warm up
        }
        double[] seconds = new double[layouts.length];
        for (int r = 0; r < rounds; r++) {
            for (int i = 0; i < layouts.length; i++) {
                long t = System.nanoTime();
                embedders[i].embedAll(batch);
                seconds[i] += (System.nanoTime() - t) / 1e9;
            }
        }
        System.out.printf("%d chunks of ~800 chars x %d rounds; load average %s%n", perRound, rounds,
                Files.readString(Path.of("/proc/loadavg")).strip());
        for (int i = 0; i < layouts.length; i++) {
            System.out.printf("%s, embedding threads %d, ONNX threads %s: %.1f chunks/s%n", models[i], layouts[i][0],
                    layouts[i][1] == 0 ? "default (per core)" : layouts[i][1], perRound * rounds / seconds[i]);
        }
        List<float[]> int8 = embedders[0].embedAll(batch);
        List<float[]> float32 = embedders[1].embedAll(batch);
        double min = 1;
        double sum = 0;
        for (int c = 0; c < batch.size(); c++) {
            double dot = 0;
            for (int d = 0; d < Embedder.DIMENSIONS; d++) {
                dot += int8.get(c)[d] * float32.get(c)[d];
            }
            min = Math.min(min, dot);
            sum += dot;
        }
        System.out.printf("cosine(int8, float32) over the chunks: mean %.4f, min %.4f%n", sum / batch.size(), min);
        for (Embedder e : embedders) {
            e.destroy();
        }
    }
}
