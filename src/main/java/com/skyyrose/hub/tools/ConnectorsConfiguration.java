package com.skyyrose.hub.tools;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import org.springframework.boot.convert.DurationStyle;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.env.Environment;

/** One {@link VendorHttp} per connector, configured from {@code hub.tools.<connector>.*} and {@code hub.tools.http.*}. */
@Configuration(proxyBeanMethods = false)
public class ConnectorsConfiguration {

    @Bean(destroyMethod = "close")
    VendorHttp wooCommerceHttp(Environment env, MeterRegistry meters, ObjectMapper json) {
        return http("woocommerce", env, meters, json);
    }

    @Bean(destroyMethod = "close")
    VendorHttp wordPressHttp(Environment env, MeterRegistry meters, ObjectMapper json) {
        return http("wordpress", env, meters, json);
    }

    @Bean(destroyMethod = "close")
    VendorHttp tripoHttp(Environment env, MeterRegistry meters, ObjectMapper json) {
        return http("tripo3d", env, meters, json);
    }

    @Bean(destroyMethod = "close")
    VendorHttp fashnHttp(Environment env, MeterRegistry meters, ObjectMapper json) {
        return http("fashn", env, meters, json);
    }

    static VendorHttp http(String connector, Environment env, MeterRegistry meters, ObjectMapper json) {
        String p = "hub.tools." + connector + ".";
        String h = "hub.tools.http.";
        return new VendorHttp(new VendorHttp.Settings(connector,
                env.getProperty(p + "url", ""),
                duration(env, p + "connect-timeout", "5s"),
                duration(env, p + "read-timeout", "30s"),
                env.getProperty(p + "max-retries", Integer.class, 3),
                env.getProperty(h + "max-response-bytes", Long.class, 10_485_760L),
                duration(env, h + "retry-base", "200ms"),
                duration(env, h + "retry-max-wait", "10s"),
                env.getProperty(h + "breaker-min-calls", Integer.class, 5),
                env.getProperty(h + "breaker-failure-rate", Float.class, 50f),
                duration(env, h + "breaker-open-for", "30s")), meters, json);
    }

    private static Duration duration(Environment env, String key, String fallback) {
        return DurationStyle.detectAndParse(env.getProperty(key, fallback));
    }
}
