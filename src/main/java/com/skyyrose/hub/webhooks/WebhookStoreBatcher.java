package com.skyyrose.hub.webhooks;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.dao.DataAccessException;
import org.springframework.dao.DataAccessResourceFailureException;
import org.springframework.dao.QueryTimeoutException;
import org.springframework.stereotype.Component;

/**
 * Group commit for the webhook intake: concurrent deliveries are inserted together, in one transaction, by a
 * few committer threads, and each delivery's caller returns only once the transaction holding its row has
 * committed. One commit (one WAL flush) then covers many events instead of one, and the intake needs only as
 * many pooled connections as there are committers.
 *
 * <p>No waiting for a batch to fill: a committer takes whatever is queued (up to {@code intake-batch-max}) the
 * moment it is free, so a lone delivery is committed at once and batches grow only under load, while the
 * previous commit is in flight. The queue lives only in memory for as long as the callers are blocked on it:
 * nothing in it has been acknowledged, so a crash loses no acknowledged event. When a batch's transaction
 * fails, every caller in it gets the failure (the intake answers 503) and none of its rows is stored.
 */
@Component
public class WebhookStoreBatcher implements DisposableBean {

    private static final Logger LOG = LoggerFactory.getLogger(WebhookStoreBatcher.class);

    private final WebhookInbox inbox;
    private final int batchMax;
    private final long waitMillis;
    private final LinkedBlockingQueue<Pending> queue = new LinkedBlockingQueue<>();
    private final List<Thread> committers = new ArrayList<>();
    private volatile boolean running = true;

    private record Pending(WebhookInbox.NewEvent event, CompletableFuture<Long> id) {
    }

    public WebhookStoreBatcher(WebhookInbox inbox, WebhookProperties properties) {
        this.inbox = inbox;
        this.batchMax = Math.max(1, properties.getIntakeBatchMax());
        this.waitMillis = Math.max(1, properties.getIntakeTimeout().toMillis());
        int threads = properties.getIntakeCommitters();
        for (int i = 1; i <= threads && batchMax > 1; i++) {
            Thread t = new Thread(this::commitLoop, "webhook-commit-" + i);
            t.setDaemon(true);
            t.start();
            committers.add(t);
        }
    }

    /**
     * Stores the event; returns its id once it is committed. Throws {@link DataAccessException} when it is not
     * (database down, batch failed, or not committed within the intake timeout — then it may still commit, as
     * a delivery whose 503'd sender sends it again would: the dedupe key makes the second one a duplicate).
     */
    public long store(WebhookInbox.NewEvent event) {
        if (committers.isEmpty()) {
            return inbox.store(event); // group commit off: one transaction per delivery
        }
        Pending pending = new Pending(event, new CompletableFuture<>());
        if (!running) {
            throw new DataAccessResourceFailureException("The webhook intake is shutting down.");
        }
        queue.add(pending);
        try {
            return pending.id().get(waitMillis, TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof DataAccessException dae) {
                throw dae;
            }
            throw new DataAccessResourceFailureException("The webhook event could not be stored.", e.getCause());
        } catch (TimeoutException e) {
            throw new QueryTimeoutException("The webhook event was not committed within " + waitMillis + " ms.");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new DataAccessResourceFailureException("Interrupted while storing the webhook event.", e);
        }
    }

    /** Deliveries waiting for a committer (for tests and diagnostics). */
    int queued() {
        return queue.size();
    }

    private void commitLoop() {
        List<Pending> batch = new ArrayList<>(batchMax);
        while (running || !queue.isEmpty()) {
            try {
                Pending first = queue.poll(200, TimeUnit.MILLISECONDS);
                if (first == null) {
                    continue;
                }
                batch.add(first);
                queue.drainTo(batch, batchMax - 1);
                commit(batch);
            } catch (InterruptedException e) {
                if (!running) {
                    break;
                }
            } catch (Throwable t) {
                LOG.error("Webhook commit loop error", t);
                batch.forEach(p -> p.id().completeExceptionally(t));
            } finally {
                batch.clear();
            }
        }
    }

    private void commit(List<Pending> batch) {
        List<WebhookInbox.NewEvent> events = new ArrayList<>(batch.size());
        batch.forEach(p -> events.add(p.event()));
        List<Long> ids;
        try {
            ids = inbox.storeAll(events);
        } catch (RuntimeException e) {
            batch.forEach(p -> p.id().completeExceptionally(e));
            return;
        }
        for (int i = 0; i < batch.size(); i++) {
            batch.get(i).id().complete(ids.get(i));
        }
    }

    @Override
    public void destroy() throws InterruptedException {
        running = false;
        for (Thread t : committers) {
            t.join(5000);
        }
        Pending left;
        while ((left = queue.poll()) != null) {
            left.id().completeExceptionally(new DataAccessResourceFailureException("The webhook intake stopped."));
        }
    }
}
