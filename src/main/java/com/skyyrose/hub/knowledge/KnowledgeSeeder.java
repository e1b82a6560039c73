package com.skyyrose.hub.knowledge;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.context.event.ApplicationReadyEvent;
import org.springframework.context.event.EventListener;
import org.springframework.core.io.Resource;
import org.springframework.core.io.support.PathMatchingResourcePatternResolver;
import org.springframework.stereotype.Component;

/**
 * Loads the brand's own knowledge (classpath {@code knowledge/seed/*.md}, front matter: title, tags, collection)
 * into the knowledge base after start-up, in the background. Each file is a document with source id
 * {@code seed:<file name>}; unchanged files are skipped, so every instance can run it (per-source advisory locks
 * keep concurrent instances from doing the work twice).
 */
@Component
public class KnowledgeSeeder {

    private static final Logger LOG = LoggerFactory.getLogger(KnowledgeSeeder.class);

    private final KnowledgeStore store;
    private final boolean enabled;
    private volatile boolean done;

    public KnowledgeSeeder(KnowledgeStore store, @Value("${hub.knowledge.seed}") boolean enabled) {
        this.store = store;
        this.enabled = enabled;
    }

    @EventListener(ApplicationReadyEvent.class)
    public void onReady() {
        if (!enabled) {
            return;
        }
        Thread t = new Thread(() -> {
            try {
                seed();
            } catch (RuntimeException e) {
                LOG.warn("seeding the knowledge base failed (it is retried at the next start): {}", e.toString());
            }
        }, "hub-knowledge-seed");
        t.setDaemon(true);
        t.start();
    }

    public boolean isDone() {
        return done;
    }

    /** Ingests every seed document that is new or changed; returns the number of seed documents. */
    public synchronized int seed() {
        List<Resource> files = new ArrayList<>();
        try {
            files.addAll(Arrays.asList(new PathMatchingResourcePatternResolver()
                    .getResources("classpath*:knowledge/seed/*.md")));
        } catch (IOException e) {
            throw new IllegalStateException("cannot list seed documents", e);
        }
        int changed = 0;
        for (Resource file : files) {
            String name = file.getFilename() == null ? "seed" : file.getFilename().replaceFirst("\\.md$", "");
            String raw;
            try (InputStream in = file.getInputStream()) {
                raw = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            } catch (IOException e) {
                throw new IllegalStateException("cannot read seed document " + name, e);
            }
            Seed seed = parse(name, raw);
            var result = store.ingest(new KnowledgeStore.NewDocument("seed:" + name, seed.title, "text/markdown",
                    seed.body, seed.tags, seed.collection), "system");
            if (!Boolean.TRUE.equals(result.get("unchanged"))) {
                changed++;
            }
        }
        LOG.info("knowledge base seed: {} documents, {} new or changed", files.size(), changed);
        done = true;
        return files.size();
    }

    private record Seed(String title, List<String> tags, String collection, String body) {
    }

    static Seed parse(String name, String raw) {
        String title = name;
        List<String> tags = new ArrayList<>();
        String collection = null;
        String body = raw;
        if (raw.startsWith("---")) {
            int end = raw.indexOf("\n---", 3);
            if (end > 0) {
                for (String line : raw.substring(3, end).split("\\r?\\n")) {
                    int colon = line.indexOf(':');
                    if (colon < 0) {
                        continue;
                    }
                    String key = line.substring(0, colon).strip();
                    String value = line.substring(colon + 1).strip();
                    switch (key) {
                        case "title" -> title = value;
                        case "tags" -> Arrays.stream(value.split(",")).map(String::strip)
                                .filter(s -> !s.isEmpty()).forEach(tags::add);
                        case "collection" -> collection = value.isEmpty() ? null : value;
                        default -> { }
                    }
                }
                body = raw.substring(raw.indexOf('\n', end + 1) + 1);
            }
        }
        return new Seed(title, tags, collection, body);
    }
}
