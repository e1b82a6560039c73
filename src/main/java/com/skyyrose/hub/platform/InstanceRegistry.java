package com.skyyrose.hub.platform;

import java.lang.management.ManagementFactory;
import java.util.UUID;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;

/**
 * Records this hub instance in {@code hub_instance} at start-up and on each heartbeat
 * ({@code routes/ops/instance-heartbeat.camel.yaml}), so operators can see which instances share the database.
 */
@Component("instanceRegistry")
public class InstanceRegistry {

    private final JdbcTemplate jdbc;
    private final String instanceId;
    private final String version;

    public InstanceRegistry(JdbcTemplate jdbc) {
        this.jdbc = jdbc;
        this.instanceId = ManagementFactory.getRuntimeMXBean().getName() + "-" + UUID.randomUUID().toString()
                .substring(0, 8);
        String v = InstanceRegistry.class.getPackage().getImplementationVersion();
        this.version = v != null ? v : "dev";
    }

    public String instanceId() {
        return instanceId;
    }

    /** Inserts or refreshes this instance's row; returns the instance id. */
    public String heartbeat() {
        jdbc.update("""
                INSERT INTO hub_instance (instance_id, version) VALUES (?, ?)
                ON CONFLICT (instance_id) DO UPDATE SET last_seen_at = now()
                """, instanceId, version);
        return instanceId;
    }
}
