import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.context.Context;
import io.opentelemetry.exporter.otlp.http.trace.OtlpHttpSpanExporter;
import io.opentelemetry.sdk.common.export.MemoryMode;
import io.opentelemetry.sdk.resources.Resource;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.export.BatchSpanProcessor;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * What exporting a span costs the hub, apart from everything else a delivery does (issue 24): a generator thread
 * makes webhook-delivery-shaped traces at a fixed rate (the five spans of {@link #delivery}), the SDK exports them
 * as the hub's does (a BatchSpanProcessor with Spring Boot's defaults straight to the OTLP/HTTP exporter, as
 * observability/SpanExport wires it; protobuf; the memory mode given), and the CPU
 * of every thread of this JVM is read from /proc over the measured window, split into generator (making and ending
 * spans), export (the batch processor and the HTTP sender's threads), collector and JIT compiler.
 * The sender is whichever is on the classpath (okhttp or jdk: bench/otlp-export.sh builds both).
 * Run: java -cp LIB/'*' bench/OtlpExportCost.java ENDPOINT DELIVERIES_PER_S WARMUP_S MEASURE_S MEMORY_MODE [BATCH]
 */
public class OtlpExportCost {

    public static void main(String[] args) throws Exception {
        String endpoint = args[0];
        int perSecond = Integer.parseInt(args[1]);
        int warmup = Integer.parseInt(args[2]);
        int measure = Integer.parseInt(args[3]);
        MemoryMode mode = MemoryMode.valueOf(args[4]);
        int batch = args.length > 5 ? Integer.parseInt(args[5]) : 512;
        OtlpHttpSpanExporter exporter = OtlpHttpSpanExporter.builder().setEndpoint(endpoint).setMemoryMode(mode)
                .build();
        BatchSpanProcessor processor = BatchSpanProcessor.builder(exporter).setMaxExportBatchSize(batch)
                .setMaxQueueSize(Math.max(2048, 4 * batch)).setScheduleDelay(Duration.ofSeconds(5)).build();
        SdkTracerProvider provider = SdkTracerProvider.builder().addSpanProcessor(processor)
                .setResource(Resource.getDefault().merge(Resource.create(
                        Attributes.of(AttributeKey.stringKey("service.name"), "devskyy-hub"))))
                .build();
        Tracer hub = provider.get("com.skyyrose.hub");
        Tracer camel = provider.get("org.apache.camel");

        long[] made = {0};
        Thread generator = new Thread(() -> {
            long next = System.nanoTime();
            long tick = TimeUnit.MILLISECONDS.toNanos(10);
            int perTick = Math.max(1, perSecond / 100);
            long end = next + TimeUnit.SECONDS.toNanos(warmup + measure + 2); // outlives the measured window
            while (next < end) {
                for (int i = 0; i < perTick; i++) {
                    delivery(hub, camel, made[0]++);
                }
                next += tick;
                LockSupport.parkNanos(next - System.nanoTime());
            }
        }, "span-generator");
        generator.start();
        Thread.sleep(TimeUnit.SECONDS.toMillis(warmup));
        long made0 = made[0];
        Map<String, Long> before = threadTicks();
        Thread.sleep(TimeUnit.SECONDS.toMillis(measure));
        Map<String, Long> after = threadTicks();
        long deliveries = made[0] - made0;
        generator.join();
        provider.shutdown().join(30, TimeUnit.SECONDS);

        Map<String, Long> groups = new HashMap<>();
        after.forEach((thread, ticks) -> groups.merge(group(thread), ticks - before.getOrDefault(thread, 0L), Long::sum));
        double msPerTick = 1000.0 / 100; // USER_HZ
        long spans = deliveries * 5;
        StringBuilder line = new StringBuilder(String.format("%s, %s, batch %d: %d deliveries (%d spans) in %d s;",
                System.getProperty("otlp.sender", "?"), mode, batch, deliveries, spans, measure));
        for (String g : new String[] {"generator", "export", "collector", "jit", "other"}) {
            line.append(String.format(" %s %.2f µs/span", g, groups.getOrDefault(g, 0L) * msPerTick * 1000 / spans));
        }
        System.out.println(line);
        if (System.getenv("OTLP_COST_THREADS") != null) { // which thread went where
            after.forEach((thread, ticks) -> {
                long used = ticks - before.getOrDefault(thread, 0L);
                if (used > 0) {
                    System.out.printf("  %-40s %-9s %d ticks%n", thread, group(thread), used);
                }
            });
        }
    }

    private static final AttributeKey<String> EVENT_ID = AttributeKey.stringKey("hub.webhook.event_id");

    /**
     * One webhook delivery's spans as the hub makes them (the names bench/tracing.sh's sink counts): at intake the
     * REST route (the server span: webhook requests are left out of Spring's HTTP observation), the intake route and
     * its bean step; in the worker, which continues the trace, the consumer span with the event id and the topic
     * router's route.
     */
    static void delivery(Tracer hub, Tracer camel, long n) {
        Span request = camel.spanBuilder("rest-contract").setSpanKind(SpanKind.SERVER).setNoParent().startSpan();
        Span route = camel.spanBuilder("webhook-intake-woocommerce").setParent(Context.root().with(request))
                .startSpan();
        Span step = camel.spanBuilder("bean bean[ref:webhookIntake method:receiveWooCommerce]")
                .setParent(Context.root().with(route)).startSpan();
        step.end();
        route.end();
        request.end();
        Span worker = hub.spanBuilder("webhook action.woocommerce_bench").setSpanKind(SpanKind.CONSUMER)
                .setParent(Context.root().with(request)).startSpan();
        worker.setAttribute(EVENT_ID, Long.toString(n));
        Span dispatch = camel.spanBuilder("webhook-dispatch").setParent(Context.root().with(worker)).startSpan();
        dispatch.end();
        worker.end();
    }

    /** user + system ticks of every thread of this JVM, by thread name + id. */
    static Map<String, Long> threadTicks() throws Exception {
        Map<String, Long> ticks = new HashMap<>();
        try (var tasks = Files.list(Path.of("/proc/self/task"))) {
            for (Path task : (Iterable<Path>) tasks::iterator) {
                try {
                    String stat = Files.readString(task.resolve("stat"));
                    String name = stat.substring(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
                    String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
                    ticks.put(name + "#" + task.getFileName(), Long.parseLong(f[11]) + Long.parseLong(f[12]));
                } catch (java.io.IOException gone) {
                    // the thread ended between listing and reading
                }
            }
        }
        return ticks;
    }

    static String group(String thread) {
        String name = thread.substring(0, thread.lastIndexOf('#'));
        if (name.startsWith("span-generator")) {
            return "generator";
        }
        if (name.startsWith("C1 Compiler") || name.startsWith("C2 Compiler")) {
            return "jit";
        }
        if (name.startsWith("GC ") || name.startsWith("G1 ") || name.equals("VM Thread")) {
            return "collector";
        }
        if (name.startsWith("BatchSpanProc") || name.startsWith("OkHttp") || name.startsWith("okhttp")
                || name.startsWith("Okio") || name.startsWith("HttpClient") || name.startsWith("pool-")) {
            return "export";
        }
        return "other";
    }
}
