package com.skyyrose.hub.observability;

import io.micrometer.tracing.exporter.SpanExportingPredicate;
import io.micrometer.tracing.exporter.SpanFilter;
import io.micrometer.tracing.exporter.SpanReporter;
import io.micrometer.tracing.otel.bridge.CompositeSpanExporter;
import io.opentelemetry.api.metrics.MeterProvider;
import io.opentelemetry.sdk.trace.export.BatchSpanProcessor;
import io.opentelemetry.sdk.trace.export.BatchSpanProcessorBuilder;
import io.opentelemetry.sdk.trace.export.SpanExporter;
import java.util.List;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.actuate.autoconfigure.tracing.SpanExporters;
import org.springframework.boot.actuate.autoconfigure.tracing.TracingProperties;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * The batch processor that exports finished spans, in place of Spring Boot's. Spring Boot puts Micrometer's
 * {@link CompositeSpanExporter} between the processor and the exporters, and that copies every span into a Micrometer
 * span and back even when there is nothing to filter; the copy builds a new {@code Resource} on each call, so the OTLP
 * exporter could not group spans by resource and sent the resource and scope again with every span (283 bytes a span
 * instead of ~100; bench/tracing.sh found the export at 4–5% of a webhook delivery's CPU). Here the exporters get the
 * SDK's own spans; with a Micrometer span filter, predicate or reporter defined, Micrometer's exporter is used as
 * before. Batching is Spring Boot's ({@code management.tracing.opentelemetry.export.*}: 512 a batch, a queue of
 * 2048, every 5 s).
 */
@Configuration(proxyBeanMethods = false)
@ConditionalOnProperty(name = "management.tracing.enabled", havingValue = "true")
public class SpanExport {

    @Bean
    BatchSpanProcessor otelSpanProcessor(TracingProperties properties, SpanExporters exporters,
            ObjectProvider<SpanExportingPredicate> predicates,
            ObjectProvider<SpanReporter> reporters, ObjectProvider<SpanFilter> filters,
            ObjectProvider<MeterProvider> meterProvider) {
        List<SpanExportingPredicate> predicateList = predicates.orderedStream().toList();
        List<SpanReporter> reporterList = reporters.orderedStream().toList();
        List<SpanFilter> filterList = filters.orderedStream().toList();
        SpanExporter exporter = predicateList.isEmpty() && reporterList.isEmpty() && filterList.isEmpty()
                ? SpanExporter.composite(exporters.list())
                : new CompositeSpanExporter(exporters.list(), predicateList, reporterList, filterList);
        TracingProperties.OpenTelemetry.Export export = properties.getOpentelemetry().getExport();
        BatchSpanProcessorBuilder builder = BatchSpanProcessor.builder(exporter)
                .setExportUnsampledSpans(export.isIncludeUnsampled()).setExporterTimeout(export.getTimeout())
                .setMaxExportBatchSize(export.getMaxBatchSize()).setMaxQueueSize(export.getMaxQueueSize())
                .setScheduleDelay(export.getScheduleDelay());
        meterProvider.ifAvailable(builder::setMeterProvider);
        return builder.build();
    }
}
