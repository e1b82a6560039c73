package com.skyyrose.hub.console;

import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.config.MeterFilter;
import io.micrometer.core.instrument.distribution.DistributionStatisticConfig;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** The route timer keeps a client-side p99 (over Micrometer's sliding window), shown on the console's routes page. */
@Configuration(proxyBeanMethods = false)
public class ConsoleMetricsConfiguration {

    @Bean
    MeterFilter routeTimerP99() {
        return new MeterFilter() {
            @Override
            public DistributionStatisticConfig configure(Meter.Id id, DistributionStatisticConfig config) {
                if (id.getType() == Meter.Type.TIMER && RouteInspector.ROUTE_TIMER.equals(id.getName())) {
                    return DistributionStatisticConfig.builder().percentiles(0.99).build().merge(config);
                }
                return config;
            }
        };
    }
}
