package com.skyyrose.hub.observability;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.skyyrose.hub.api.Problem;
import com.skyyrose.hub.api.ProblemException;
import com.skyyrose.hub.api.ProblemType;
import com.skyyrose.hub.security.AuditLog;
import com.skyyrose.hub.security.IdentityGuard;
import com.skyyrose.hub.security.Principal;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.camel.Exchange;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.dao.DataAccessException;
import org.springframework.data.redis.core.StringRedisTemplate;
import org.springframework.stereotype.Component;

/**
 * {@code GET|PUT /api/v1/ops/tracing}: whether tracing is on and spans are being recorded, and pausing or resuming
 * the recording on every instance. The change is stored in Redis before it is announced, so an instance that starts
 * or misses the announcement while Redis reconnects still reads it ({@link TracingSwitch}).
 */
@Component("tracingControl")
public class TracingControl {

    private final ObjectProvider<SpanRecording> recording;
    private final StringRedisTemplate redis;
    private final AuditLog audit;
    private final ObjectMapper json;
    private final double sampling;

    public TracingControl(ObjectProvider<SpanRecording> recording, StringRedisTemplate redis, AuditLog audit,
            ObjectMapper json, @Value("${management.tracing.sampling.probability:1.0}") double sampling) {
        this.recording = recording;
        this.redis = redis;
        this.audit = audit;
        this.json = json;
        this.sampling = sampling;
    }

    public Map<String, Object> state() {
        SpanRecording switched = recording.getIfAvailable();
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("enabled", switched != null);
        out.put("recording", switched != null && switched.isOn());
        out.put("sampling_probability", switched == null ? 0.0 : sampling);
        out.put("changed_at", switched == null || switched.changedAt() == null ? null
                : switched.changedAt().toString());
        return out;
    }

    public Map<String, Object> change(Exchange exchange) {
        boolean on = recordingIn(exchange.getMessage().getBody(byte[].class));
        SpanRecording switched = recording.getIfAvailable();
        if (switched == null) {
            throw new ProblemException(Problem.of(ProblemType.CONFLICT, 409,
                    "Tracing is off on this hub: set OTEL_EXPORTER_OTLP_ENDPOINT to turn it on."));
        }
        String value = on ? "on" : "off";
        try {
            redis.opsForValue().set(TracingSwitch.KEY, value);
            redis.convertAndSend(TracingSwitch.CHANNEL, value);
        } catch (DataAccessException e) {
            throw new ProblemException(Problem.of(ProblemType.UNAVAILABLE, 503,
                    "The change cannot reach the other instances right now (Redis); nothing was changed.")
                    .withHeader("Retry-After", "5"));
        }
        switched.set(on, "changed through the API"); // here at once; the others as they hear it
        exchange.setProperty(IdentityGuard.AUDITED, true);
        audit.record(exchange, Principal.current(exchange).orElse(null), "tracing.recording", "tracing", "success",
                200, value);
        return state();
    }

    /** The body the contract already validated ({@code {"recording": true|false}}, nothing else). */
    private boolean recordingIn(byte[] body) {
        try {
            return json.readTree(body).get("recording").booleanValue();
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
