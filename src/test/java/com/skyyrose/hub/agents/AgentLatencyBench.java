package com.skyyrose.hub.agents;

import static org.assertj.core.api.Assertions.assertThat;

import com.skyyrose.hub.fakes.LlmVendorFake;
import com.skyyrose.hub.fakes.WooCommerceFake;
import com.skyyrose.hub.support.HubIntegrationTest;
import com.skyyrose.hub.support.RateLimitBuckets;
import com.skyyrose.hub.support.TestAuth;
import com.skyyrose.hub.support.TestHttp;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.data.redis.core.StringRedisTemplate;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * Benchmark, not a test (its name keeps it out of the test run; {@code bench/agents.sh} runs it): end-to-end run
 * latency with 300 ms provider fakes and one read-only tool action, at concurrency 1 and 8; prints p50/p99 and the
 * hub's share (latency minus the 300 ms the providers take).
 */
class AgentLatencyBench extends HubIntegrationTest {

    @RegisterExtension
    static final AgentTestFakes FAKES = new AgentTestFakes();
    static final List<LlmVendorFake> PANEL = FAKES.panel;
    static final WooCommerceFake STORE = FAKES.store;

    @DynamicPropertySource
    static void fakes(DynamicPropertyRegistry registry) {
        FAKES.register(registry);
    }

    @Autowired
    StringRedisTemplate redis;

    @Test
    void runLatencyAtConcurrencyOneAndEight() throws Exception {
        for (int i = 0; i < 5; i++) {
            STORE.addProduct("Hoodie " + i, "185.00");
        }
        // the 300 ms provider answer plans one read-only tool call; the product id comes from the task
        String[] admin = TestAuth.admin(http());
        PANEL.forEach(f -> f.answersAfter(300, "{\"answer\":\"Five products.\",\"actions\":[{\"tool\":"
                + "\"woocommerce.products.list\",\"arguments\":{\"per_page\":5}}]}"));
        // warm-up, not measured: 600 runs at concurrency 8 so the JIT has compiled the hot paths (measure() refills
        // the tool's rate-limit bucket before each batch)
        for (int batch = 0; batch < 15; batch++) {
            measure(admin, 40, 8);
        }
        List<Long> one = measure(admin, 20, 1);
        List<Long> eight = measure(admin, 40, 8);
        report("concurrency 1", one);
        report("concurrency 8", eight);
    }

    private List<Long> measure(String[] admin, int runs, int concurrency) throws Exception {
        RateLimitBuckets.clear(redis, "tool:");
        ExecutorService pool = Executors.newFixedThreadPool(concurrency);
        try {
            List<Future<Long>> futures = new ArrayList<>();
            for (int i = 0; i < runs; i++) {
                futures.add(pool.submit(() -> {
                    long start = System.nanoTime();
                    TestHttp.Reply r = http().postJson("/api/v1/agents/marketing/runs",
                            "{\"task\":\"Which products should the campaign feature?\"}", admin);
                    long ms = (System.nanoTime() - start) / 1_000_000;
                    assertThat(r.status()).as(r.body()).isEqualTo(200);
                    assertThat(r.json().get("actions").get(0).get("status").asText()).isEqualTo("succeeded");
                    return ms;
                }));
            }
            List<Long> out = new ArrayList<>();
            for (Future<Long> f : futures) {
                out.add(f.get());
            }
            return out;
        } finally {
            pool.shutdown();
        }
    }

    private static long percentile(List<Long> values, int p) {
        List<Long> sorted = new ArrayList<>(values);
        Collections.sort(sorted);
        int index = (int) Math.ceil(p / 100.0 * sorted.size()) - 1;
        return sorted.get(Math.max(0, Math.min(sorted.size() - 1, index)));
    }

    private static void report(String label, List<Long> values) {
        long p50 = percentile(values, 50);
        long p99 = percentile(values, 99);
        System.out.printf("AGENT-LATENCY %s: n=%d p50=%d ms p99=%d ms; hub share (minus 300 ms providers) p50=%d ms "
                + "p99=%d ms%n", label, values.size(), p50, p99, p50 - 300, p99 - 300);
    }
}
