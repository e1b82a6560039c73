package com.skyyrose.hub.routes;

import io.micrometer.core.instrument.MeterRegistry;
import org.apache.camel.CamelContext;
import org.apache.camel.spring.boot.CamelContextConfiguration;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * Installs {@link SafeRouteReloadStrategy} on the routes folder when reload is on ({@code HUB_ROUTES_RELOAD},
 * default: on in the embedded developer mode). Camel's own reloader ({@code camel.main.routes-reload-enabled})
 * stays off.
 */
@Configuration(proxyBeanMethods = false)
public class RouteReloadConfiguration {

    /** Fails start-up with a plain message when the routes folder is missing (Camel would say only "NoSuchFile"). */
    @Bean
    java.nio.file.Path routesFolder(@Value("${hub.routes.dir}") String directory) {
        java.nio.file.Path folder = java.nio.file.Path.of(directory).toAbsolutePath().normalize();
        if (!java.nio.file.Files.isDirectory(folder)) {
            throw new IllegalStateException("The routes folder " + folder + " does not exist. Run the hub from the "
                    + "project folder or set HUB_ROUTES_DIR to the folder holding the YAML routes.");
        }
        return folder;
    }

    @Bean
    CamelContextConfiguration routeReloadInstaller(@Value("${hub.routes.reload}") boolean reload,
            @Value("${hub.routes.dir}") String directory, MeterRegistry meters) {
        return new CamelContextConfiguration() {
            @Override
            public void beforeApplicationStart(CamelContext camelContext) {
                if (reload) {
                    try {
                        camelContext.addService(new SafeRouteReloadStrategy(directory, meters));
                    } catch (Exception e) {
                        throw new IllegalStateException("Cannot watch routes folder " + directory, e);
                    }
                }
            }

            @Override
            public void afterApplicationStart(CamelContext camelContext) {
                // nothing to do once started
            }
        };
    }
}
