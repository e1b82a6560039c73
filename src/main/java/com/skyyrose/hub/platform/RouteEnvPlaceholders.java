package com.skyyrose.hub.platform;

import org.apache.camel.CamelContext;
import org.apache.camel.spi.PropertiesFunction;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.env.Environment;

/**
 * {@code {{env:NAME:default}}} in route files (e.g. a provider's key in routes/round-table/providers/) reads the
 * process environment as Camel's own function does and, where the environment has no such variable, the hub's
 * Spring settings of that name — so {@code java -jar hub.jar --MISTRAL_API_KEY=…} and the tests' settings reach route
 * files the same way as real environment variables (Render's, Docker's). Camel's function reads only the first.
 */
@Configuration(proxyBeanMethods = false)
public class RouteEnvPlaceholders {

    public RouteEnvPlaceholders(CamelContext camel, Environment environment) {
        camel.getPropertiesComponent().addPropertiesFunction(new PropertiesFunction() {
            @Override
            public String getName() {
                return "env";
            }

            @Override
            public String apply(String remainder) {
                String name = remainder;
                String fallback = null;
                int colon = remainder.indexOf(':');
                if (colon >= 0) {
                    name = remainder.substring(0, colon);
                    fallback = remainder.substring(colon + 1);
                }
                String value = System.getenv(name);
                if (value == null) {
                    value = environment.getProperty(name);
                }
                return value != null ? value : fallback;
            }
        });
    }
}
