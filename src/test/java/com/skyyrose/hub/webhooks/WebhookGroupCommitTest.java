package com.skyyrose.hub.webhooks;

import static org.assertj.core.api.Assertions.assertThat;

import com.skyyrose.hub.support.HubIntegrationTest;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.dao.DataAccessException;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * Group commit of the intake against real PostgreSQL: deliveries queued while a commit is in flight share the
 * next transaction; each caller gets its own row's id only after the commit; when the shared transaction fails,
 * every caller in it fails (the intake answers 503) and none of its rows is stored.
 */
class WebhookGroupCommitTest extends HubIntegrationTest {

    @Autowired
    JdbcTemplate jdbc;

    private final ExecutorService callers = Executors.newFixedThreadPool(8);
    private WebhookStoreBatcher batcher;

    @AfterEach
    void stop() throws Exception {
        callers.shutdownNow();
        if (batcher != null) {
            batcher.destroy();
        }
    }

    /** An inbox whose first transaction waits for the test, so that the following deliveries queue up. */
    private static final class GatedInbox extends WebhookInbox {
        final CountDownLatch firstEntered = new CountDownLatch(1);
        final CountDownLatch release = new CountDownLatch(1);
        final List<Integer> batchSizes = new CopyOnWriteArrayList<>();

        GatedInbox(JdbcTemplate jdbc) {
            super(jdbc);
        }

        @Override
        public List<Long> storeAll(List<NewEvent> events) {
            batchSizes.add(events.size());
            if (batchSizes.size() == 1) {
                firstEntered.countDown();
                try {
                    release.await(20, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            return super.storeAll(events);
        }
    }

    private WebhookStoreBatcher batcher(WebhookInbox inbox) {
        WebhookProperties properties = new WebhookProperties();
        properties.setIntakeCommitters(1);
        properties.setIntakeBatchMax(64);
        properties.setIntakeTimeout(Duration.ofSeconds(30));
        batcher = new WebhookStoreBatcher(inbox, properties);
        return batcher;
    }

    private static WebhookInbox.NewEvent event(String source, String key, String headersJson) {
        byte[] body = ("{\"id\":1,\"key\":\"" + key + "\"}").getBytes(StandardCharsets.UTF_8);
        return new WebhookInbox.NewEvent("woocommerce", source, "webhook", "order.created", "order", "1", "12",
                key, null, source + "|" + key, WebhookSignatures.sha256Hex(body), headersJson, body);
    }

    private void awaitQueued(int n) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (batcher.queued() < n) {
            assertThat(System.nanoTime()).as("%d deliveries queued", n).isLessThan(deadline);
            Thread.sleep(5);
        }
    }

    private long stored(String source) {
        return jdbc.queryForObject("SELECT count(*) FROM webhook_event WHERE source = ?", Long.class, source);
    }

    @Test
    void deliveriesQueuedDuringACommitShareTheNextTransactionAndEachGetsItsOwnRow() throws Exception {
        GatedInbox inbox = new GatedInbox(jdbc);
        WebhookStoreBatcher b = batcher(inbox);
        String source = "gc-" + UUID.randomUUID();
        Future<Long> first = callers.submit(() -> b.store(event(source, "first", "{}")));
        assertThat(inbox.firstEntered.await(20, TimeUnit.SECONDS)).isTrue();
        List<String> keys = new ArrayList<>();
        List<Future<Long>> rest = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            String key = "k" + i;
            keys.add(key);
            rest.add(callers.submit(() -> b.store(event(source, key, "{\"X-WC-Webhook-ID\":\"12\"}"))));
        }
        awaitQueued(6);
        assertThat(rest).noneMatch(Future::isDone); // nobody is answered before its commit
        inbox.release.countDown();

        long firstId = first.get(20, TimeUnit.SECONDS);
        assertThat(jdbc.queryForObject("SELECT delivery_id FROM webhook_event WHERE id = ?", String.class, firstId))
                .isEqualTo("first");
        for (int i = 0; i < rest.size(); i++) {
            long id = rest.get(i).get(20, TimeUnit.SECONDS);
            assertThat(jdbc.queryForObject("SELECT delivery_id FROM webhook_event WHERE id = ?", String.class, id))
                    .as("row of delivery %s", keys.get(i)).isEqualTo(keys.get(i));
        }
        assertThat(inbox.batchSizes).containsExactly(1, 6);
        assertThat(stored(source)).isEqualTo(7);
    }

    @Test
    void aBatchWhoseCommitFailsFailsEveryDeliveryInItAndStoresNone() throws Exception {
        GatedInbox inbox = new GatedInbox(jdbc);
        WebhookStoreBatcher b = batcher(inbox);
        String source = "gc-" + UUID.randomUUID();
        Future<Long> first = callers.submit(() -> b.store(event(source, "first", "{}")));
        assertThat(inbox.firstEntered.await(20, TimeUnit.SECONDS)).isTrue();
        List<Future<Long>> batch = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            String key = "ok" + i;
            batch.add(callers.submit(() -> b.store(event(source, key, "{}"))));
        }
        // headers that are not JSON: PostgreSQL rejects the ::jsonb cast, failing the whole transaction
        batch.add(callers.submit(() -> b.store(event(source, "broken", "not json"))));
        awaitQueued(5);
        inbox.release.countDown();

        assertThat(first.get(20, TimeUnit.SECONDS)).isPositive();
        for (Future<Long> f : batch) {
            assertThat(f).failsWithin(Duration.ofSeconds(20)).withThrowableOfType(
                    java.util.concurrent.ExecutionException.class).havingCause()
                    .isInstanceOf(DataAccessException.class);
        }
        assertThat(inbox.batchSizes).containsExactly(1, 5);
        assertThat(stored(source)).as("only the first, separately committed delivery").isEqualTo(1);

        // the committer carries on after a failed batch
        assertThat(b.store(event(source, "after", "{}"))).isPositive();
        assertThat(stored(source)).isEqualTo(2);
    }
}
