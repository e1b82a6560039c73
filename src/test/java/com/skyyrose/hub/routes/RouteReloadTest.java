package com.skyyrose.hub.routes;

import static org.assertj.core.api.Assertions.assertThat;

import com.skyyrose.hub.support.HubIntegrationTest;
import com.skyyrose.hub.support.RunningHub;
import com.skyyrose.hub.support.TestAuth;
import com.skyyrose.hub.support.TestHttp;
import io.micrometer.core.instrument.MeterRegistry;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.util.FileSystemUtils;

/** Editing a YAML route changes behaviour live; a broken edit is rejected and the previous route keeps serving. */
class RouteReloadTest {

    @TempDir
    Path routes;

    @Test
    void editsApplyLiveAndBrokenEditsKeepThePreviousRoute() throws Exception {
        FileSystemUtils.copyRecursively(Path.of("routes"), routes);
        // without the GDPR routes, requestGdprExport is an operation no route serves: the probe takes it over
        FileSystemUtils.deleteRecursively(routes.resolve("gdpr"));
        Path file = routes.resolve("ops/reload-probe.camel.yaml");
        try (RunningHub hub = RunningHub.start("DATABASE_URL=" + HubIntegrationTest.TEST_DATABASE_URL,
                "REDIS_URL=" + HubIntegrationTest.TEST_REDIS_URL, "HUB_ROUTES_DIR=" + routes,
                "HUB_ROUTES_RELOAD=true")) {
            String[] admin = TestAuth.admin(hub.http());
            assertThat(probe(hub, admin).status()).isEqualTo(501);

            write(file, serving("v1"));
            awaitProbe(hub, admin, r -> r.status() == 200 && r.body().contains("v1"),
                    Duration.ofSeconds(20));

            write(file, serving("v2"));
            awaitProbe(hub, admin, r -> r.body().contains("v2"), Duration.ofSeconds(20));

            double rejected = rejections(hub);
            write(file, "- route:\n    id: reload-probe\n    from:\n      uri: direct:requestGdprExport\n      steps:\n"
                    + "        - setBody: [\n");
            awaitRejections(hub, rejected + 1);
            assertThat(probe(hub, admin).body()).contains("v2");

            rejected = rejections(hub);
            write(file, serving("v3").replace("- setBody:", "- to: nosuchcomponent:nowhere\n        - setBody:"));
            awaitRejections(hub, rejected + 1);
            var reply = probe(hub, admin);
            assertThat(reply.status()).isEqualTo(200);
            assertThat(reply.body()).contains("v2");

            Files.delete(file);
            awaitProbe(hub, admin, r -> r.status() == 501, Duration.ofSeconds(20));
        }
    }

    /** An operation no route of this test hub serves (501 until the probe route serves it). */
    private static TestHttp.Reply probe(RunningHub hub, String[] admin) {
        return hub.http().postJson("/api/v1/gdpr/export", "{\"email\":\"probe@example.com\"}", admin);
    }

    private static TestHttp.Reply awaitProbe(RunningHub hub, String[] admin, java.util.function.Predicate<TestHttp.Reply> ok,
            Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        TestHttp.Reply last = null;
        while (System.nanoTime() < deadline) {
            last = probe(hub, admin);
            if (ok.test(last)) {
                return last;
            }
            RunningHub.sleep(100);
        }
        throw new AssertionError("condition not met within " + timeout + "; last reply " + last.status() + " "
                + last.body());
    }

    private static String serving(String version) {
        return """
                - route:
                    id: reload-probe
                    from:
                      uri: direct:requestGdprExport
                      steps:
                        - setBody:
                            constant: '{"version":"%s"}'
                """.formatted(version);
    }

    private static void write(Path file, String content) throws IOException {
        // write beside and move, as editors do, so the watcher never sees half a file
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        Files.writeString(tmp, content);
        Files.move(tmp, file, java.nio.file.StandardCopyOption.REPLACE_EXISTING,
                java.nio.file.StandardCopyOption.ATOMIC_MOVE);
    }

    private static double rejections(RunningHub hub) {
        var counter = hub.context().getBean(MeterRegistry.class).find("hub.routes.reloads")
                .tag("outcome", "rejected").counter();
        return counter == null ? 0 : counter.count();
    }

    private static void awaitRejections(RunningHub hub, double atLeast) {
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (rejections(hub) < atLeast) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("edit was not rejected");
            }
            RunningHub.sleep(100);
        }
    }
}
