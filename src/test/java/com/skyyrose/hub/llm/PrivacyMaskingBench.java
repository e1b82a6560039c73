package com.skyyrose.hub.llm;

import com.skyyrose.hub.privacy.PersonalDataGuard;
import com.skyyrose.hub.privacy.PrivacyProperties;
import com.skyyrose.hub.privacy.Pseudonymizer;
import com.skyyrose.hub.security.UserService;
import dev.langchain4j.data.message.ChatMessage;
import dev.langchain4j.data.message.SystemMessage;
import dev.langchain4j.data.message.UserMessage;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.camel.Exchange;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.support.DefaultExchange;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.support.StaticListableBeanFactory;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * Benchmark, not a test (its name keeps it out of the test run; {@code bench/privacy.sh} runs it): the privacy work
 * one round adds, at concurrency 1, through the code the round table runs — {@link RoundTablePrivacy#open} (known
 * records, masking of prompt, system text and four 800-character passages, the panel check), the guard's
 * {@code outbound} for three providers (each masks the rendered system prompt and the question), restoration of three
 * candidates and the summary. Two rounds: a product question without personal data, and a Support round naming a
 * customer whose looked-up order is known. Prints p50/p99 per round after a JIT warm-up. The database look-ups
 * (the hub's users, cached for a minute; shop customers by e-mail) are not part of it.
 */
class PrivacyMaskingBench {

    static final String PASSAGE = "The Black Rose hoodie is cut from 450 gsm heavyweight black cotton fleece, "
            + "garment-dyed in Oakland and finished with rose gold embroidery on the chest. It runs true to size; "
            + "size up for an oversized fit. Shipping is free within the United States on orders over $150, "
            + "standard delivery takes 3 to 7 business days and express 1 to 2 days for $25. Unworn items with "
            + "their tags can be returned within 30 days. Limited numbered drops, including every Black Rose "
            + "release, are final sale. Care: wash cold inside out, hang dry, do not tumble dry, iron on low "
            + "without touching the embroidery. Questions go to the SkyyRose care team from Monday to Friday. ";

    @Test
    void measure() {
        int warmup = Integer.getInteger("bench.warmup", 20_000);
        int rounds = Integer.getInteger("bench.rounds", 5_000);
        PersonalDataGuard guard = new PersonalDataGuard(new PrivacyProperties(),
                new StaticListableBeanFactory().getBeanProvider(UserService.class),
                new StaticListableBeanFactory().getBeanProvider(JdbcTemplate.class), new SimpleMeterRegistry());
        RoundTablePrivacy privacy = new RoundTablePrivacy(guard);
        DefaultCamelContext camel = new DefaultCamelContext();
        Map<String, Object> brand = new LlmProperties.Brand().asContext();
        List<Map<String, Object>> passages = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            // distinct passages (identical ones would be masked once and then answered from the memo)
            passages.add(Map.of("id", "c" + i, "title", "Black Rose hoodie " + i, "text", "Passage " + i + ". "
                    + PASSAGE, "score", 0.8));
        }
        Map<String, Object> order = new LinkedHashMap<>();
        order.put("id", 812);
        order.put("order_key", "wc_order_Q7x9Lm2Pa");
        order.put("billing", Map.of("first_name", "Amara", "last_name", "Okafor", "email", "amara.okafor@example.com",
                "phone", "+1 415 555 2671", "address_1", "88 Grand Ave", "city", "Oakland", "postcode", "94610"));
        RoundTableRequest plain = new RoundTableRequest("Describe the Black Rose hoodie in two lines for the shop.",
                "You write product copy for SkyyRose.", List.of(), "never", null, null, brand, passages, "bench");
        RoundTableRequest support = new RoundTableRequest("Task: Hi, this is Amara Okafor. Where is my order? Call me "
                + "on +1 415 555 2671 or write to amara.okafor@example.com. I moved to 88 Grand Ave.\nParameters: "
                + "{\"order_id\":812}\nLooked up: {\"id\":812,\"order_key\":\"wc_order_Q7x9Lm2Pa\",\"status\":"
                + "\"processing\",\"billing\":{\"first_name\":\"Amara\",\"last_name\":\"Okafor\",\"email\":"
                + "\"amara.okafor@example.com\",\"phone\":\"+1 415 555 2671\",\"address_1\":\"88 Grand Ave\"}}",
                "You are the SkyyRose Support agent. Reply with one JSON object only.", List.of(), "never", null, null,
                brand, passages, "bench");
        String answer = "{\"answer\":\"Hi <PERSON_1>, order <ORDER_KEY_1> ships to <ADDRESS_1>; tracking goes to "
                + "<EMAIL_1>.\",\"actions\":[]}";
        for (Object[] c : new Object[][] {{"plain question", plain, null}, {"support, customer named", support, order}}) {
            RoundTableRequest request = (RoundTableRequest) c[1];
            for (int i = 0; i < warmup; i++) {
                round(privacy, guard, camel, request, c[2], answer);
            }
            long[] nanos = new long[rounds];
            long[] cpu = new long[rounds];
            for (int i = 0; i < rounds; i++) {
                long cpuStart = THREADS.getCurrentThreadCpuTime();
                long start = System.nanoTime();
                round(privacy, guard, camel, request, c[2], answer);
                nanos[i] = System.nanoTime() - start;
                cpu[i] = THREADS.getCurrentThreadCpuTime() - cpuStart;
            }
            Arrays.sort(nanos);
            Arrays.sort(cpu);
            // wall time includes waiting for a core on a shared machine; thread CPU time is the work itself
            System.out.printf("PRIVACY-BENCH %-26s rounds %d  wall p50 %.3f ms p99 %.3f ms  |  CPU p50 %.3f ms "
                    + "p99 %.3f ms  (load %s)%n", c[0], rounds, nanos[rounds / 2] / 1e6, nanos[rounds * 99 / 100] / 1e6,
                    cpu[rounds / 2] / 1e6, cpu[rounds * 99 / 100] / 1e6, load());
        }
    }

    static int sink;
    static final java.lang.management.ThreadMXBean THREADS = java.lang.management.ManagementFactory.getThreadMXBean();

    private static void round(RoundTablePrivacy privacy, PersonalDataGuard guard, DefaultCamelContext camel,
            RoundTableRequest request, Object record, String answer) {
        Exchange exchange = new DefaultExchange(camel);
        PersonalDataGuard.remember(exchange, record);
        List<String> panel = List.of("openai", "anthropic", "gemini");
        privacy.open(exchange, request, panel);
        Pseudonymizer session = RoundTablePrivacy.session(exchange);
        List<Candidate> candidates = new ArrayList<>();
        for (String provider : panel) {
            // what ProviderCaller.answer builds and sends through the guard
            List<ChatMessage> messages = List.of(SystemMessage.from(Grounding.systemPrompt(request)),
                    UserMessage.from(request.prompt()));
            sink += guard.outbound(provider, messages, session).size();
            candidates.add(new Candidate(provider, "m", answer, null, 300, new Candidate.Tokens(1, 1), 0, null,
                    Map.of(), 0.5));
        }
        sink += RoundTablePrivacy.restore(candidates, session).size();
        sink += privacy.summary(panel, session).size();
    }

    private static String load() {
        try {
            return java.nio.file.Files.readString(java.nio.file.Path.of("/proc/loadavg")).split(" ")[0];
        } catch (Exception e) {
            return "?";
        }
    }
}
