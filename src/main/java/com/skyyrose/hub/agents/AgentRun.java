package com.skyyrose.hub.agents;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * One run's working state, carried on the exchange as property {@value #PROPERTY} through the agent's chain
 * (split branches share the same object): the request, the settings the chain set, the trace and the actions.
 */
public final class AgentRun {

    public static final String PROPERTY = "hub.agent.run";

    public final UUID id;
    public final String agentId;
    public final String principalId;
    public final String task;
    public final Map<String, Object> parameters;
    public final boolean useRoundTable;
    public final long startedNanos = System.nanoTime();
    /** Steps of the chain in order: {step, endpoint, started_at, duration_ms, outcome, error?}. */
    public final List<Map<String, Object>> trace = Collections.synchronizedList(new ArrayList<>());
    /** {index, tool, arguments, source, severity, status, reason?, result?, error?}. */
    public final List<Map<String, Object>> actions = Collections.synchronizedList(new ArrayList<>());
    public volatile String answer;
    public volatile Map<String, Object> escalation;
    public volatile UUID roundTableId;
    public volatile double costUsd;
    public volatile String prompt;
    public volatile String system;
    public volatile AgentCatalog.Agent agent;

    public AgentRun(UUID id, String agentId, String principalId, String task, Map<String, Object> parameters,
            boolean useRoundTable) {
        this.id = id;
        this.agentId = agentId;
        this.principalId = principalId;
        this.task = task;
        this.parameters = parameters == null ? Map.of() : parameters;
        this.useRoundTable = useRoundTable;
    }

    public boolean isUseRoundTable() {
        return useRoundTable;
    }

    public List<Map<String, Object>> getActions() {
        return actions;
    }

    public Map<String, Object> getParameters() {
        return parameters;
    }

    public String getTask() {
        return task;
    }

    public Map<String, Object> getEscalation() {
        return escalation;
    }

    public static Map<String, Object> action(int index, String tool, Object arguments, String source) {
        Map<String, Object> a = new LinkedHashMap<>();
        a.put("index", index);
        a.put("tool", tool);
        a.put("arguments", arguments);
        a.put("source", source);
        return a;
    }
}
