package com.skyyrose.hub.routes;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import com.skyyrose.hub.support.HubIntegrationTest;
import com.skyyrose.hub.support.RunningHub;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.util.FileSystemUtils;

/** A broken YAML route at start-up stops the hub with an error naming the file and the problem. */
class BrokenRouteAtStartupTest {

    @TempDir
    Path routes;

    @Test
    void brokenYamlStopsStartupNamingTheFile() throws Exception {
        FileSystemUtils.copyRecursively(Path.of("routes"), routes);
        Files.writeString(routes.resolve("ops/broken.camel.yaml"),
                "- route:\n    id: broken\n    from:\n      uri: direct:broken\n      steps:\n        - setBody: [\n");
        Throwable failure = catchThrowable(() -> RunningHub.start(
                "DATABASE_URL=" + HubIntegrationTest.TEST_DATABASE_URL,
                "REDIS_URL=" + HubIntegrationTest.TEST_REDIS_URL, "HUB_ROUTES_DIR=" + routes,
                "HUB_ROUTES_RELOAD=false").close());
        assertThat(failure).isNotNull();
        String messages = chain(failure);
        assertThat(messages).contains("broken.camel.yaml").containsIgnoringCase("line 7");
    }

    private static String chain(Throwable t) {
        StringBuilder all = new StringBuilder();
        for (Throwable c = t; c != null && c != c.getCause(); c = c.getCause()) {
            all.append(c.getMessage()).append('\n');
        }
        return all.toString();
    }
}
