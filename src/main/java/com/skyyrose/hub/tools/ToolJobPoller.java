package com.skyyrose.hub.tools;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.skyyrose.hub.api.ProblemException;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.convert.DurationStyle;
import org.springframework.stereotype.Component;

/**
 * One tick of the job poller (route {@code tool-job-poller}): claim due jobs, ask each vendor, record the outcome,
 * and schedule the next poll with exponential backoff and jitter. A vendor that cannot be asked (outage, open
 * circuit) only delays the job; a job older than {@code hub.tools.jobs.max-age} fails as timed out.
 */
@Component("toolJobPoller")
public class ToolJobPoller {

    private static final Logger LOG = LoggerFactory.getLogger(ToolJobPoller.class);

    private final ToolJobs jobs;
    private final Map<String, JobVendor> vendors;
    private final MeterRegistry meters;
    private final ObjectMapper json;
    private final String owner = "poller-" + UUID.randomUUID();
    private final int batch;
    private final Duration lease;
    private final Duration initial;
    private final Duration max;
    private final Duration maxAge;

    public ToolJobPoller(ToolJobs jobs, List<JobVendor> vendors, MeterRegistry meters, ObjectMapper json,
            @Value("${hub.tools.jobs.batch-size:10}") int batch,
            @Value("${hub.tools.jobs.lease:60s}") String lease,
            @Value("${hub.tools.jobs.backoff-initial:2s}") String initial,
            @Value("${hub.tools.jobs.backoff-max:60s}") String max,
            @Value("${hub.tools.jobs.max-age:2h}") String maxAge) {
        this.jobs = jobs;
        this.vendors = vendors.stream().collect(Collectors.toMap(JobVendor::vendor, Function.identity()));
        this.meters = meters;
        this.json = json;
        this.batch = batch;
        this.lease = DurationStyle.detectAndParse(lease);
        this.initial = DurationStyle.detectAndParse(initial);
        this.max = DurationStyle.detectAndParse(max);
        this.maxAge = DurationStyle.detectAndParse(maxAge);
    }

    /** Returns how many jobs this tick polled. */
    public int pollDue() {
        List<String> able = vendors.values().stream().filter(JobVendor::configured).map(JobVendor::vendor).sorted().toList();
        List<ToolJobs.Claimed> claimed = jobs.claimDue(owner, batch, lease, able);
        for (ToolJobs.Claimed job : claimed) {
            poll(job);
        }
        jobs.refreshCounts();
        return claimed.size();
    }

    private void poll(ToolJobs.Claimed job) {
        JobVendor vendor = vendors.get(job.vendor());
        try {
            JobVendor.Outcome outcome = vendor.poll(job);
            boolean expired = !outcome.terminal() && job.createdAt().plus(maxAge).isBefore(Instant.now());
            if (expired) {
                jobs.record(job.id(), owner, "failed", outcome.vendorStatus(), outcome.progress(), null,
                        json.createObjectNode().put("message", "The vendor did not finish within " + maxAge + "."),
                        null);
                finished(job, "failed");
            } else {
                jobs.record(job.id(), owner, outcome.status(), outcome.vendorStatus(), outcome.progress(),
                        outcome.result(), outcome.error(), outcome.terminal() ? null : backoff(job.polls()));
                if (outcome.terminal()) {
                    finished(job, outcome.status());
                }
            }
        } catch (ProblemException e) {
            if (e.problem().status() == 404) {
                // the vendor no longer knows the task: nothing will ever change, so the job ends here
                jobs.record(job.id(), owner, "failed", null, null, null, json.createObjectNode()
                        .put("message", "The vendor does not know task " + job.vendorTaskId() + ": " + e.getMessage()), null);
                finished(job, "failed");
                return;
            }
            LOG.warn("Polling {} job {} (task {}) failed, retrying later: {}", job.vendor(), job.id(), job.vendorTaskId(),
                    e.getMessage());
            meters.counter("hub.tools.jobs.poll_errors", "vendor", job.vendor()).increment();
            jobs.retryLater(job.id(), owner, backoff(job.polls()));
        } catch (IllegalStateException e) {
            LOG.warn("Polling {} job {} (task {}) failed, retrying later: {}", job.vendor(), job.id(), job.vendorTaskId(),
                    e.getMessage());
            meters.counter("hub.tools.jobs.poll_errors", "vendor", job.vendor()).increment();
            jobs.retryLater(job.id(), owner, backoff(job.polls()));
        } catch (RuntimeException e) {
            LOG.error("Polling {} job {} failed unexpectedly", job.vendor(), job.id(), e);
            jobs.retryLater(job.id(), owner, backoff(job.polls()));
        }
    }

    private void finished(ToolJobs.Claimed job, String status) {
        meters.counter("hub.tools.jobs.finished", "kind", job.kind(), "status", status).increment();
    }

    /** initial × 2^(polls−1), capped, with ±20 % jitter so jobs created together spread out. */
    Duration backoff(int polls) {
        long base = Math.min(max.toMillis(), initial.toMillis() * (1L << Math.min(Math.max(polls - 1, 0), 20)));
        long jitter = (long) (base * 0.2);
        return Duration.ofMillis(Math.max(1, base + ThreadLocalRandom.current().nextLong(-jitter, jitter + 1)));
    }
}
