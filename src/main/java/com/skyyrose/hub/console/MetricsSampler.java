package com.skyyrose.hub.console;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import org.apache.camel.Exchange;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.stereotype.Component;

/**
 * The console's charts: snapshots of this instance's own Micrometer meters (per route, per LLM provider, HTTP
 * server) taken every {@code hub.console.metrics-interval-ms} by the {@code console-metrics-sampler} route, kept in a
 * ring buffer covering the last hour, and turned into per-interval series (requests, failures, mean latency).
 */
@Component("metricsSampler")
public class MetricsSampler {

    static final Duration WINDOW = Duration.ofHours(1);
    private static final String PROVIDER_TIMER = "gen_ai.client.operation.duration";
    private static final String HTTP_TIMER = "http.server.requests";

    /** Cumulative figures of one series at one instant. */
    record Totals(double requests, double failures, double timeMs, double timed) {
        Totals plus(Totals o) {
            return new Totals(requests + o.requests, failures + o.failures, timeMs + o.timeMs, timed + o.timed);
        }
    }

    record Snapshot(Instant at, Map<String, Totals> routes, Map<String, Totals> providers, Totals http) {
    }

    private final MeterRegistry meters;
    private final Duration interval;
    private final int capacity;
    private final ArrayDeque<Snapshot> ring = new ArrayDeque<>();

    public MetricsSampler(MeterRegistry meters, @Value("${hub.console.metrics-interval-ms:15000}") long intervalMillis) {
        this.meters = meters;
        this.interval = Duration.ofMillis(Math.max(100, intervalMillis));
        this.capacity = (int) (WINDOW.toMillis() / Math.max(1, interval.toMillis())) + 1;
    }

    /** Called by the sampler route. */
    public void sample() {
        Snapshot s = new Snapshot(Instant.now(), routes(), providers(), http());
        synchronized (ring) {
            ring.addLast(s);
            while (ring.size() > capacity) {
                ring.removeFirst();
            }
        }
    }

    /** GET /api/v1/ops/metrics/series */
    public Map<String, Object> series(Exchange exchange) {
        List<Snapshot> snaps;
        synchronized (ring) {
            snaps = new ArrayList<>(ring);
        }
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("step_seconds", interval.toMillis() / 1000.0);
        body.put("window_seconds", WINDOW.toSeconds());
        List<String> times = new ArrayList<>();
        for (int i = 1; i < snaps.size(); i++) {
            times.add(snaps.get(i).at().toString());
        }
        body.put("timestamps", times);
        body.put("routes", seriesOf(snaps, true));
        body.put("providers", seriesOf(snaps, false));
        body.put("http", deltas(snaps, Snapshot::http));
        return body;
    }

    private List<Map<String, Object>> seriesOf(List<Snapshot> snaps, boolean routes) {
        Set<String> keys = new TreeSet<>();
        snaps.forEach(s -> keys.addAll(routes ? s.routes().keySet() : s.providers().keySet()));
        List<Map<String, Object>> out = new ArrayList<>();
        for (String key : keys) {
            Map<String, Object> one = deltas(snaps, s -> (routes ? s.routes() : s.providers()).get(key));
            if ((double) one.get("total_requests") > 0) { // only what saw traffic in the window
                Map<String, Object> named = new LinkedHashMap<>();
                named.put("id", key);
                named.putAll(one);
                out.add(named);
            }
        }
        return out;
    }

    private static Map<String, Object> deltas(List<Snapshot> snaps, java.util.function.Function<Snapshot, Totals> pick) {
        List<Double> requests = new ArrayList<>();
        List<Double> failures = new ArrayList<>();
        List<Double> mean = new ArrayList<>();
        double total = 0;
        for (int i = 1; i < snaps.size(); i++) {
            Totals before = orZero(pick.apply(snaps.get(i - 1)));
            Totals now = orZero(pick.apply(snaps.get(i)));
            // a meter can restart from zero (route removed and added again by a reload): count from zero then
            double r = Math.max(0, now.requests() < before.requests() ? now.requests() : now.requests() - before.requests());
            double f = Math.max(0, now.failures() < before.failures() ? now.failures() : now.failures() - before.failures());
            double timed = now.timed() - before.timed();
            double time = now.timeMs() - before.timeMs();
            requests.add(r);
            failures.add(f);
            mean.add(timed > 0 && time >= 0 ? RouteInspector.round(time / timed) : null);
            total += r;
        }
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("requests", requests);
        m.put("failures", failures);
        m.put("mean_ms", mean);
        m.put("total_requests", total);
        return m;
    }

    private static Totals orZero(Totals t) {
        return t == null ? new Totals(0, 0, 0, 0) : t;
    }

    private Map<String, Totals> routes() {
        Map<String, Totals> out = new HashMap<>();
        for (Counter c : meters.find(RouteInspector.EXCHANGES).tag("eventType", "route").counters()) {
            String id = c.getId().getTag("routeId");
            if (id != null && !id.isEmpty()) {
                out.merge(id, new Totals(c.count(), 0, 0, 0), Totals::plus);
            }
        }
        for (Counter c : meters.find(RouteInspector.FAILED).tag("eventType", "route").counters()) {
            String id = c.getId().getTag("routeId");
            if (id != null && out.containsKey(id)) {
                out.merge(id, new Totals(0, c.count(), 0, 0), Totals::plus);
            }
        }
        for (Timer t : meters.find(RouteInspector.ROUTE_TIMER).timers()) {
            String id = t.getId().getTag("routeId");
            if (id != null && out.containsKey(id)) {
                out.merge(id, new Totals(0, 0, t.totalTime(TimeUnit.MILLISECONDS), t.count()), Totals::plus);
            }
        }
        return out;
    }

    private Map<String, Totals> providers() {
        Map<String, Totals> out = new HashMap<>();
        for (Timer t : meters.find(PROVIDER_TIMER).timers()) {
            String provider = t.getId().getTag("provider");
            if (provider == null) {
                continue;
            }
            boolean failed = !"success".equals(t.getId().getTag("outcome"));
            out.merge(provider, new Totals(t.count(), failed ? t.count() : 0, t.totalTime(TimeUnit.MILLISECONDS),
                    t.count()), Totals::plus);
        }
        return out;
    }

    private Totals http() {
        Totals total = new Totals(0, 0, 0, 0);
        for (Timer t : meters.find(HTTP_TIMER).timers()) {
            String status = t.getId().getTag("status");
            boolean failed = status != null && status.startsWith("5");
            total = total.plus(new Totals(t.count(), failed ? t.count() : 0, t.totalTime(TimeUnit.MILLISECONDS),
                    t.count()));
        }
        return total;
    }
}
