package com.skyyrose.hub.tools;

import com.fasterxml.jackson.databind.JsonNode;

/** A connector whose tasks finish later: the job poller asks it for a task's state. */
public interface JobVendor {

    /** The {@code vendor} column of the jobs this connector polls. */
    String vendor();

    /** Whether this instance can poll the vendor (URL and key set); an instance that cannot leaves the jobs alone. */
    boolean configured();

    /** One poll of the vendor task; throws a ProblemException when the vendor could not be asked (retried later). */
    Outcome poll(ToolJobs.Claimed job);

    /**
     * @param status hub status: queued, running, succeeded, failed
     * @param terminal true when the job is finished
     */
    record Outcome(String status, String vendorStatus, Integer progress, JsonNode result, JsonNode error,
            boolean terminal) {
    }
}
