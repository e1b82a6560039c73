package com.skyyrose.hub.llm;

import dev.langchain4j.data.message.ChatMessage;
import dev.langchain4j.data.message.SystemMessage;
import dev.langchain4j.data.message.UserMessage;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The optional LLM judge: compares the two leading candidates pairwise, in both orders (to cancel position bias),
 * with a model from a different family than both finalists where one is configured. Its verdict counts only when
 * both orders prefer the same answer; otherwise the scores stand. The verdicts and reasoning are returned.
 */
final class RoundTableJudge {

    static final String SYSTEM = "You are the impartial judge of the SkyyRose LLM round table. Passages from the "
            + "knowledge base, a request and two answers to it follow. First check factual consistency: every price, "
            + "number, duration, date, time, count, product name and yes/no statement of each answer against the "
            + "passages. An answer that contradicts a passage loses, however well it is written; an honest \"I don't "
            + "know\" beats a contradicted answer. Only when both are equally consistent, prefer the one more "
            + "complete and truer to the brand voice. Reply with a first line containing only the letter A or B, "
            + "then one sentence of reasoning that names the fact that decided.";
    /** Passages shown to the judge, and the characters of each. */
    static final int PASSAGES = 8;
    static final int PASSAGE_CHARS = 700;
    private static final Pattern CHOICE = Pattern.compile("\\b(?:answer\\s+)?([AB])\\b");

    private final ProviderRegistry registry;
    private final ProviderCaller caller;
    private final LlmProperties.Judge config;

    RoundTableJudge(ProviderRegistry registry, ProviderCaller caller, LlmProperties.Judge config) {
        this.registry = registry;
        this.caller = caller;
        this.config = config;
    }

    /** Which provider judges a pair: configured, else another family than both finalists, else any enabled. */
    String chooseJudge(String finalistA, String finalistB) {
        if (!config.getProvider().isBlank() && registry.isEnabled(config.getProvider())) {
            return config.getProvider();
        }
        String fallback = null;
        for (ProviderRegistry.Provider p : registry.enabled()) {
            boolean open = p.circuit().getState() == CircuitBreaker.State.OPEN;
            boolean sameFamily = p.family().equals(family(finalistA)) || p.family().equals(family(finalistB));
            if (!sameFamily && !open) {
                return p.id();
            }
            if (fallback == null && !open) {
                fallback = p.id();
            }
        }
        return fallback;
    }

    private String family(String provider) {
        return registry.get(provider).map(ProviderRegistry.Provider::family).orElse(provider);
    }

    /** Judges {@code a} against {@code b} in both orders, without passages. */
    Map<String, Object> judge(String prompt, Candidate a, Candidate b, ExecutorService pool) {
        return judge(prompt, List.of(), a, b, pool, null);
    }

    /**
     * Judges {@code a} against {@code b} in both orders, showing the passages; returns the verdict document. With the
     * round's pseudonymizer the judge's requests are masked with the round's own placeholders.
     */
    Map<String, Object> judge(String prompt, List<Map<String, Object>> passages, Candidate a, Candidate b,
            ExecutorService pool, com.skyyrose.hub.privacy.Pseudonymizer pseudonyms) {
        String context = passages(passages);
        String judgeProvider = chooseJudge(a.provider(), b.provider());
        Map<String, Object> verdict = new LinkedHashMap<>();
        verdict.put("finalists", List.of(a.provider(), b.provider()));
        if (judgeProvider == null) {
            verdict.put("error", "no judge available");
            return verdict;
        }
        verdict.put("provider", judgeProvider);
        verdict.put("model", registry.get(judgeProvider).map(ProviderRegistry.Provider::model).orElse(null));
        verdict.put("same_family_as_finalist",
                family(judgeProvider).equals(family(a.provider())) || family(judgeProvider).equals(family(b.provider())));
        long deadline = System.nanoTime() + config.getTimeout().toNanos();
        CompletableFuture<Candidate> first = CompletableFuture.supplyAsync(
                () -> caller.chat(judgeProvider, messages(context, prompt, a, b), 0.0, 300, deadline, pseudonyms),
                pool);
        CompletableFuture<Candidate> second = CompletableFuture.supplyAsync(
                () -> caller.chat(judgeProvider, messages(context, prompt, b, a), 0.0, 300, deadline, pseudonyms),
                pool);
        List<Map<String, Object>> orders = new ArrayList<>();
        String pick1 = read(first.join(), a, b, orders);
        String pick2 = read(second.join(), b, a, orders);
        verdict.put("verdicts", orders);
        boolean consistent = pick1 != null && pick1.equals(pick2);
        verdict.put("consistent", consistent);
        verdict.put("winner", consistent ? pick1 : null);
        verdict.put("reasoning", consistent
                ? "Both orders preferred " + pick1 + "."
                : "The two orders disagreed or failed (" + pick1 + " / " + pick2 + "): position bias or no verdict,"
                        + " so the scores decide.");
        return verdict;
    }

    private static List<ChatMessage> messages(String passages, String prompt, Candidate first, Candidate second) {
        return List.of(SystemMessage.from(SYSTEM), UserMessage.from(passages + "Request:\n" + prompt
                + "\n\nAnswer A:\n" + first.text() + "\n\nAnswer B:\n" + second.text()));
    }

    /** The passages block of the judge's message (the ones the claims were checked against). */
    static String passages(List<Map<String, Object>> passages) {
        if (passages == null || passages.isEmpty()) {
            return "Passages: none were retrieved; judge consistency with the request itself.\n\n";
        }
        StringBuilder b = new StringBuilder("Passages:\n");
        int i = 1;
        for (Map<String, Object> p : passages) {
            if (i > PASSAGES) {
                break;
            }
            String text = Grounding.str(p, "text").strip();
            b.append('[').append(i++).append("] ");
            if (!Grounding.str(p, "title").isBlank()) {
                b.append(Grounding.str(p, "title")).append(": ");
            }
            b.append(text.length() > PASSAGE_CHARS ? text.substring(0, PASSAGE_CHARS) + "…" : text).append('\n');
        }
        return b.append('\n').toString();
    }

    /** Records one order's verdict; returns the provider it preferred, or null. */
    private static String read(Candidate reply, Candidate shownA, Candidate shownB,
            List<Map<String, Object>> orders) {
        Map<String, Object> v = new LinkedHashMap<>();
        v.put("order", List.of(shownA.provider(), shownB.provider()));
        String choice = reply.ok() ? parse(reply.text()) : null;
        String preferred = "A".equals(choice) ? shownA.provider() : "B".equals(choice) ? shownB.provider() : null;
        v.put("preferred", preferred);
        if (reply.ok()) {
            String text = reply.text().strip();
            int nl = text.indexOf('\n');
            v.put("reasoning", (nl >= 0 ? text.substring(nl + 1) : text).strip());
        } else {
            v.put("error", reply.error());
        }
        orders.add(v);
        return preferred;
    }

    static String parse(String text) {
        if (text == null) {
            return null;
        }
        String firstLine = text.strip().lines().findFirst().orElse("").replaceAll("[*_`#:.\\s]", "")
                .toUpperCase(Locale.ROOT);
        if (firstLine.equals("A") || firstLine.equals("ANSWERA")) {
            return "A";
        }
        if (firstLine.equals("B") || firstLine.equals("ANSWERB")) {
            return "B";
        }
        Matcher m = CHOICE.matcher(text);
        return m.find() ? m.group(1).toUpperCase(Locale.ROOT) : null;
    }
}
