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

    /** Path, YAML, Camel YAML DSL schema and isolated route creation: one validator for the API (and the build). */
    @Bean
    RouteFileValidator routeFileValidator(org.springframework.context.ApplicationContext spring, CamelContext camel,
            @org.springframework.beans.factory.annotation.Qualifier("routesFolder") java.nio.file.Path folder) {
        return RouteFileValidator.withCreationCheck(new IsolatedRouteCreation(spring, camel, folder));
    }

    /** Route file revisions from PostgreSQL, applied on this instance (started once Camel runs, see below). */
    @Bean
    RouteRevisions routeRevisions(RouteFileStore store, CamelContext camel,
            @org.springframework.beans.factory.annotation.Qualifier("routesFolder") java.nio.file.Path folder,
            com.skyyrose.hub.platform.InstanceRegistry instances, com.skyyrose.hub.platform.DatabaseUrl db,
            @Value("${hub.routes.revisions.check-interval:1s}") java.time.Duration checkInterval, MeterRegistry meters) {
        return new RouteRevisions(store, camel, folder, instances, db, checkInterval, meters);
    }

    @Bean
    RouteFilesApi routeFilesApi(RouteRevisions revisions, RouteFileStore store, RouteFileValidator validator,
            com.skyyrose.hub.security.AuditLog audit, com.fasterxml.jackson.databind.ObjectMapper json) {
        return new RouteFilesApi(revisions, store, validator, audit, json);
    }

    /** Applies the stored revisions once every shipped route runs, then listens for changes; stops with Camel. */
    @Bean
    CamelContextConfiguration routeRevisionsStarter(RouteRevisions revisions,
            @Value("${hub.routes.revisions.enabled:true}") boolean enabled) {
        return new CamelContextConfiguration() {
            @Override
            public void beforeApplicationStart(CamelContext camelContext) {
                // routes are not there yet
            }

            @Override
            public void afterApplicationStart(CamelContext camelContext) {
                if (enabled) {
                    revisions.start();
                }
            }
        };
    }

    @Bean
    org.springframework.context.SmartLifecycle routeRevisionsStopper(RouteRevisions revisions) {
        return new org.springframework.context.SmartLifecycle() {
            private volatile boolean running = true;

            @Override
            public void start() {
                running = true;
            }

            @Override
            public void stop() {
                running = false;
                revisions.stop();
            }

            @Override
            public boolean isRunning() {
                return running;
            }
        };
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
