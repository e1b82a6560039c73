package com.skyyrose.hub.routes;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.skyyrose.hub.support.HubIntegrationTest;
import com.skyyrose.hub.support.RunningHub;
import com.skyyrose.hub.support.TestAuth;
import com.skyyrose.hub.support.TestHttp;
import java.io.ByteArrayInputStream;
import java.net.URLEncoder;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.util.FileSystemUtils;

/**
 * Route files as revisions in PostgreSQL, through the API, on two hub instances sharing one database (as on Render):
 * a change made on A serves on B; broken edits are refused with their line; stale or missing If-Match; restore;
 * delete (501); the audit log; export; an instance that cannot create a stored revision keeps its routes and says
 * so; and a revision superseded when a new release ships a different file.
 */
@ExtendWith(OutputCaptureExtension.class)
class RouteFilesApiTest {

    private static final String PROBE = "ops/probe.camel.yaml";

    @TempDir
    Path routes;

    /** Serves requestGdprExport (unserved in these hubs: their routes folder has no gdpr/) with a marker. */
    private static String serving(String marker) {
        return "- route:\n    id: route-files-probe\n    from:\n      uri: direct:requestGdprExport\n      steps:\n"
                + "        - setHeader:\n            name: Content-Type\n            constant: application/json\n"
                + "        - setBody:\n            constant: '{\"probe\":\"" + marker + "\"}'\n";
    }

    private RunningHub hub(String database) {
        return RunningHub.start("DATABASE_URL=" + database, "REDIS_URL=" + HubIntegrationTest.TEST_REDIS_URL,
                "HUB_ROUTES_DIR=" + routes, "HUB_ROUTES_RELOAD=false", "HUB_KNOWLEDGE_SEED=false",
                "HUB_WEBHOOKS_WORKER_ENABLED=false");
    }

    private void shippedRoutesWithoutGdpr() throws Exception {
        FileSystemUtils.copyRecursively(Path.of("routes"), routes);
        FileSystemUtils.deleteRecursively(routes.resolve("gdpr"));
    }

    @Test
    void aChangeOnOneInstanceServesOnTheOtherWithValidationPreconditionsRestoreDeleteAndAudit() throws Exception {
        shippedRoutesWithoutGdpr();
        String database = HubIntegrationTest.freshDatabase("routefiles");
        try (RunningHub a = hub(database); RunningHub b = hub(database)) {
            String[] adminA = TestAuth.admin(a.http());
            String[] adminB = TestAuth.admin(b.http());
            assertThat(probe(b, adminB).status()).isEqualTo(501);

            // a new file, made on A, serves on B
            TestHttp.Reply created = put(a, PROBE, serving("v1"), "first probe", null, adminA);
            assertThat(created.status()).as(created.body()).isEqualTo(200);
            assertThat(created.json().get("revision").asInt()).isEqualTo(1);
            assertThat(created.json().get("routes").toString()).contains("route-files-probe");
            long madeAt = System.nanoTime();
            awaitProbe(b, adminB, r -> r.status() == 200 && r.body().contains("v1"));
            long tookMs = (System.nanoTime() - madeAt) / 1_000_000;
            assertThat(tookMs).as("B serves A's change within 2 s (+ polling)").isLessThan(2_500);
            assertThat(probe(a, adminA).body()).contains("v1");
            // the console's route source shows the revision that runs, not the shipped folder
            TestHttp.Reply source = b.http().get("/api/v1/ops/routes/route-files-probe/source", adminB);
            assertThat(source.status()).as(source.body()).isEqualTo(200);
            assertThat(source.json().get("revision").asInt()).isEqualTo(1);
            assertThat(source.json().get("yaml").asText()).isEqualTo(serving("v1"));

            // a tool added as two files (route + descriptor) through the API is listed on B
            String descriptor = "- name: probe.echo.run\n  description: Echo for the route files test\n"
                    + "  category: ops\n  severity: read_only\n  permission: tools:read\n"
                    + "  parameters: {type: object}\n";
            String toolRoute = "- route:\n    id: tool-probe-echo-run\n    from:\n      uri: direct:tool-probe.echo.run\n"
                    + "      steps:\n        - setBody:\n            constant: echo\n";
            assertThat(put(a, "tools/probe.tools.yml", descriptor, "probe tool", null, adminA).status()).isEqualTo(200);
            assertThat(put(a, "tools/probe.camel.yaml", toolRoute, "probe tool", null, adminA).status())
                    .isEqualTo(200);
            awaitJson(b, "/api/v1/tools", adminB, tools -> tools.toString().contains("\"probe.echo.run\""));

            // each instance reports the revision it runs
            JsonNode listed = awaitJson(a, "/api/v1/route-files", adminA, list -> {
                JsonNode item = item(list, PROBE);
                return item != null && item.get("instances").size() == 2 && allApplied(item, 1);
            });
            assertThat(item(listed, PROBE).get("origin").asText()).isEqualTo("revision");
            assertThat(item(listed, "agents/support.camel.yaml").get("origin").asText()).isEqualTo("shipped");

            // the content with its ETag, read on B
            TestHttp.Reply read = b.http().get("/api/v1/route-files/content?path=" + enc(PROBE), adminB);
            assertThat(read.status()).as(read.body()).isEqualTo(200);
            String etag1 = read.header("ETag").orElseThrow();
            assertThat(read.json().get("content").asText()).isEqualTo(serving("v1"));

            // an existing file needs If-Match: missing 428, then v2 with the right one
            TestHttp.Reply noMatch = put(b, PROBE, serving("v2"), "no if-match", null, adminB);
            assertThat(noMatch.status()).as(noMatch.body()).isEqualTo(428);
            assertThat(noMatch.contentType()).startsWith("application/problem+json");
            TestHttp.Reply v2 = put(b, PROBE, serving("v2"), "second", etag1, adminB);
            assertThat(v2.status()).as(v2.body()).isEqualTo(200);
            awaitProbe(a, adminA, r -> r.body().contains("v2"));
            // an editor who read v1 is refused: stale If-Match
            TestHttp.Reply stale = put(a, PROBE, serving("v3"), "stale", etag1, adminA);
            assertThat(stale.status()).as(stale.body()).isEqualTo(412);
            String etag2 = v2.header("ETag").orElseThrow();

            // broken edits are refused with their line; nothing is stored, v2 keeps serving
            String unknownStep = serving("bad").replace("        - setBody:",
                    "        - frobnicate:\n            foo: 1\n        - setBody:");
            TestHttp.Reply badStep = put(a, PROBE, unknownStep, "broken", etag2, adminA);
            assertThat(badStep.status()).as(badStep.body()).isEqualTo(422);
            assertThat(badStep.contentType()).startsWith("application/problem+json");
            assertThat(firstError(badStep).get("line").asInt()).as(badStep.body()).isEqualTo(9);
            assertThat(firstError(badStep).get("message").asText()).as(badStep.body()).contains("frobnicate");

            String unknownComponent = serving("bad").replace("        - setBody:",
                    "        - to: nosuchcomponent:nowhere\n        - setBody:");
            TestHttp.Reply badComponent = put(a, PROBE, unknownComponent, "broken", etag2, adminA);
            assertThat(badComponent.status()).as(badComponent.body()).isEqualTo(422);
            assertThat(firstError(badComponent).get("line").asInt()).as(badComponent.body()).isEqualTo(9);
            assertThat(firstError(badComponent).get("message").asText()).as(badComponent.body()).contains("nosuchcomponent");

            String missingBean = serving("bad").replace("        - setBody:",
                    "        - bean:\n            ref: noSuchBeanAnywhere\n        - setBody:");
            TestHttp.Reply badBean = post(a, "/api/v1/route-files/validate", json("path", PROBE, "content",
                    missingBean), adminA);
            assertThat(badBean.status()).as(badBean.body()).isEqualTo(422);
            assertThat(firstError(badBean).get("line").asInt()).as(badBean.body()).isEqualTo(10);

            String duplicateId = serving("dup").replace("id: route-files-probe", "id: rag-retrieve");
            TestHttp.Reply dup = post(a, "/api/v1/route-files/validate", json("path", PROBE, "content",
                    duplicateId), adminA);
            assertThat(dup.status()).as(dup.body()).isEqualTo(422);
            assertThat(firstError(dup).get("line").asInt()).as(dup.body()).isEqualTo(2);
            assertThat(firstError(dup).get("message").asText()).as(dup.body()).contains("knowledge/knowledge.camel.yaml");

            TestHttp.Reply badYaml = put(a, PROBE, "- route:\n    id: x\n    from: [\n", "broken", etag2, adminA);
            assertThat(badYaml.status()).isEqualTo(422);
            assertThat(firstError(badYaml).get("message").asText()).as(badYaml.body()).startsWith("YAML:");

            TestHttp.Reply ok = post(a, "/api/v1/route-files/validate", json("path", PROBE, "content",
                    serving("v9")), adminA);
            assertThat(ok.status()).as(ok.body()).isEqualTo(200);
            assertThat(ok.json().get("routes").get(0).asText()).isEqualTo("route-files-probe");
            assertThat(probe(b, adminB).body()).contains("v2");

            // paths outside the routes folder or of other kinds are refused
            assertThat(put(a, "../pom.camel.yaml", serving("x"), "", null, adminA).status()).isEqualTo(400);
            assertThat(put(a, "ops/run.sh", serving("x"), "", null, adminA).status()).isEqualTo(400);

            // history and restore of revision 1 (a new revision 3), served on B
            TestHttp.Reply history = a.http().get("/api/v1/route-files/revisions?path=" + enc(PROBE), adminA);
            assertThat(history.status()).as(history.body()).isEqualTo(200);
            assertThat(history.json().get("items")).hasSize(2);
            assertThat(history.json().get("items").get(0).get("message").asText()).isEqualTo("second");
            TestHttp.Reply restoreStale = restore(a, PROBE, 1, etag1, adminA);
            assertThat(restoreStale.status()).isEqualTo(412);
            TestHttp.Reply restored = restore(a, PROBE, 1, etag2, adminA);
            assertThat(restored.status()).as(restored.body()).isEqualTo(200);
            assertThat(restored.json().get("revision").asInt()).isEqualTo(3);
            awaitProbe(b, adminB, r -> r.body().contains("v1"));

            // export: a ZIP of the current files
            TestHttp.Reply zip = exportZip(a, adminA);
            assertThat(zip.status()).isEqualTo(200);

            // delete: the routes stop everywhere and the operation they served answers 501
            String etag3 = restored.header("ETag").orElseThrow();
            TestHttp.Reply deleted = send(b, "DELETE", "/api/v1/route-files/content?path=" + enc(PROBE), null,
                    etag3, adminB);
            assertThat(deleted.status()).as(deleted.body()).isEqualTo(204);
            awaitProbe(a, adminA, r -> r.status() == 501);
            awaitProbe(b, adminB, r -> r.status() == 501);
            assertThat(b.http().get("/api/v1/route-files/content?path=" + enc(PROBE), adminB).status())
                    .isEqualTo(404);

            // every change is in the audit log, naming the file
            JsonNode audit = a.http().get("/api/v1/audit?limit=100", adminA).json();
            List<String> actions = new ArrayList<>();
            audit.path("items").forEach(e -> {
                if (e.path("target").asText().equals("route-file:" + PROBE)) {
                    actions.add(e.path("action").asText());
                }
            });
            assertThat(actions).contains("route-file.update", "route-file.restore", "route-file.delete");

            // a role that may only read routes cannot change them
            String[] inspector = TestAuth.withPermissions(a.http(), "routes:inspect");
            assertThat(put(a, PROBE, serving("x"), "", null, inspector).status()).isEqualTo(403);
            assertThat(a.http().get("/api/v1/route-files", inspector).status()).isEqualTo(200);
        }
    }

    @Test
    void anInstanceThatCannotCreateTheRoutesKeepsThePreviousOnesAndReportsTheError() throws Exception {
        shippedRoutesWithoutGdpr();
        String database = HubIntegrationTest.freshDatabase("routefiles_fail");
        try (RunningHub a = hub(database)) {
            String[] admin = TestAuth.admin(a.http());
            assertThat(put(a, PROBE, serving("good"), "good", null, admin).status()).isEqualTo(200);
            awaitProbe(a, admin, r -> r.body().contains("good"));
            // a revision this instance cannot create (as if stored by an instance of a release with that bean)
            JdbcTemplate jdbc = a.context().getBean(JdbcTemplate.class);
            // no NOTIFY this time: only the periodic check can find the change (a missed notification)
            jdbc.execute("ALTER TABLE route_file DISABLE TRIGGER route_file_changed");
            jdbc.update("INSERT INTO route_file_revision (path, revision, content, content_sha256, created_by, message)"
                    + " VALUES (?, 2, ?, 'x', 'test', 'needs a bean this release lacks')", PROBE,
                    serving("broken").replace("        - setBody:", "        - bean:\n            ref: beanOfANewerRelease"
                            + "\n        - setBody:"));
            jdbc.update("UPDATE route_file SET current_revision = 2 WHERE path = ?", PROBE);
            JsonNode listed = awaitJson(a, "/api/v1/route-files", admin, list -> {
                JsonNode item = item(list, PROBE);
                return item != null && item.get("instances").size() == 1
                        && "failed".equals(item.get("instances").get(0).get("status").asText());
            });
            JsonNode instance = item(listed, PROBE).get("instances").get(0);
            assertThat(instance.get("revision").asInt()).as("still runs revision 1").isEqualTo(1);
            assertThat(instance.get("error").asText()).contains("beanOfANewerRelease");
            assertThat(probe(a, admin).body()).contains("good");
            jdbc.execute("ALTER TABLE route_file ENABLE TRIGGER route_file_changed");
        }
    }

    @Test
    void aRevisionIsSupersededWhenANewReleaseShipsADifferentFile(CapturedOutput output) throws Exception {
        shippedRoutesWithoutGdpr();
        Path shippedProbe = routes.resolve(PROBE);
        Files.writeString(shippedProbe, serving("shipped-1"));
        String database = HubIntegrationTest.freshDatabase("routefiles_release");
        try (RunningHub first = hub(database)) {
            String[] admin = TestAuth.admin(first.http());
            assertThat(probe(first, admin).body()).contains("shipped-1");
            String etag = first.http().get("/api/v1/route-files/content?path=" + enc(PROBE), admin)
                    .header("ETag").orElseThrow();
            assertThat(put(first, PROBE, serving("edited"), "edit on release 1", etag, admin).status())
                    .isEqualTo(200);
            awaitProbe(first, admin, r -> r.body().contains("edited"));
        }
        // the same release restarts: the revision runs, and the start-up log names the file
        try (RunningHub again = hub(database)) {
            String[] admin = TestAuth.admin(again.http());
            assertThat(probe(again, admin).body()).contains("edited");
            assertThat(output.getOut()).contains("Route files running a revision from the database instead of the "
                    + "shipped file: [" + PROBE + " (revision 1)]");
        }
        // a new release ships a different file: it wins, and the revision is marked superseded (not merged)
        Files.writeString(shippedProbe, serving("shipped-2"));
        try (RunningHub release2 = hub(database)) {
            String[] admin = TestAuth.admin(release2.http());
            assertThat(probe(release2, admin).body()).contains("shipped-2");
            JsonNode item = item(release2.http().get("/api/v1/route-files", admin).json(), PROBE);
            assertThat(item.get("origin").asText()).isEqualTo("shipped");
            assertThat(item.get("revision").asInt()).isEqualTo(0);
            assertThat(item.get("superseded_revision").asInt()).isEqualTo(1);
            assertThat(instance(item, listedBy(release2, admin)).get("status").asText()).isEqualTo("superseded");
            assertThat(output.getOut()).contains("Route file revisions superseded by the shipped files of this release");
            JsonNode history = release2.http().get("/api/v1/route-files/revisions?path=" + enc(PROBE), admin).json();
            assertThat(history.get("items").get(0).get("superseded").asBoolean()).isTrue();
            assertThat(history.get("superseded").get("by_shipped_sha256").asText())
                    .isEqualTo(RouteFileStore.sha256(serving("shipped-2")));
            // an edit made on the new baseline runs again
            String etag = release2.http().get("/api/v1/route-files/content?path=" + enc(PROBE), admin)
                    .header("ETag").orElseThrow();
            assertThat(put(release2, PROBE, serving("edited-2"), "edit on release 2", etag, admin).status())
                    .isEqualTo(200);
            awaitProbe(release2, admin, r -> r.body().contains("edited-2"));
        }
    }

    // ---- helpers ----

    private static TestHttp.Reply probe(RunningHub hub, String[] admin) {
        return hub.http().postJson("/api/v1/gdpr/export", "{\"email\":\"probe@example.com\"}", admin);
    }

    private static void awaitProbe(RunningHub hub, String[] admin, Predicate<TestHttp.Reply> ok) {
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        TestHttp.Reply last = null;
        while (System.nanoTime() < deadline) {
            last = probe(hub, admin);
            if (ok.test(last)) {
                return;
            }
            RunningHub.sleep(50);
        }
        throw new AssertionError("probe condition not met; last " + last.status() + " " + last.body());
    }

    private static JsonNode awaitJson(RunningHub hub, String path, String[] who, Predicate<JsonNode> ok) {
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        JsonNode last = null;
        while (System.nanoTime() < deadline) {
            TestHttp.Reply r = hub.http().get(path, who);
            assertThat(r.status()).as(r.body()).isEqualTo(200);
            last = r.json();
            if (ok.test(last)) {
                return last;
            }
            RunningHub.sleep(100);
        }
        throw new AssertionError(path + " condition not met; last " + last);
    }

    private static JsonNode item(JsonNode list, String path) {
        for (JsonNode item : list.get("items")) {
            if (item.get("path").asText().equals(path)) {
                return item;
            }
        }
        return null;
    }

    private static String listedBy(RunningHub hub, String[] who) {
        return hub.http().get("/api/v1/route-files", who).json().get("instance").asText();
    }

    /** This instance's entry (instances stopped less than 90 s ago are still listed). */
    private static JsonNode instance(JsonNode item, String instanceId) {
        for (JsonNode i : item.get("instances")) {
            if (i.get("instance").asText().equals(instanceId)) {
                return i;
            }
        }
        throw new AssertionError("instance " + instanceId + " not in " + item);
    }

    private static boolean allApplied(JsonNode item, int revision) {
        for (JsonNode i : item.get("instances")) {
            if (!"applied".equals(i.get("status").asText()) || i.get("revision").asInt() != revision) {
                return false;
            }
        }
        return true;
    }

    private static JsonNode firstError(TestHttp.Reply reply) {
        return reply.json().get("errors").get(0);
    }

    private static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }

    private static String json(String... pairs) {
        ObjectNode node = TestHttp.json().createObjectNode();
        for (int i = 0; i + 1 < pairs.length; i += 2) {
            node.put(pairs[i], pairs[i + 1]);
        }
        return node.toString();
    }

    private static TestHttp.Reply put(RunningHub hub, String path, String content, String message, String ifMatch,
            String[] who) {
        return send(hub, "PUT", "/api/v1/route-files/content?path=" + enc(path), json("content", content, "message",
                message), ifMatch, who);
    }

    private static TestHttp.Reply restore(RunningHub hub, String path, int revision, String ifMatch, String[] who) {
        return send(hub, "POST", "/api/v1/route-files/restore?path=" + enc(path) + "&revision=" + revision, null,
                ifMatch, who);
    }

    private static TestHttp.Reply post(RunningHub hub, String path, String body, String[] who) {
        return hub.http().postJson(path, body, who);
    }

    private static TestHttp.Reply send(RunningHub hub, String method, String path, String body, String ifMatch,
            String[] who) {
        HttpRequest.Builder b = hub.http().request(path).method(method, body == null
                ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        if (body != null) {
            b.header("Content-Type", "application/json");
        }
        if (ifMatch != null) {
            b.header("If-Match", ifMatch);
        }
        for (int i = 0; i + 1 < who.length; i += 2) {
            b.header(who[i], who[i + 1]);
        }
        return hub.http().send(b.build());
    }

    private static TestHttp.Reply exportZip(RunningHub hub, String[] who) throws Exception {
        HttpRequest.Builder b = hub.http().request("/api/v1/route-files/export").GET();
        for (int i = 0; i + 1 < who.length; i += 2) {
            b.header(who[i], who[i + 1]);
        }
        var response = java.net.http.HttpClient.newHttpClient().send(b.build(),
                java.net.http.HttpResponse.BodyHandlers.ofByteArray());
        assertThat(response.headers().firstValue("Content-Type").orElse("")).startsWith("application/zip");
        List<String> names = new ArrayList<>();
        String probeContent = null;
        try (ZipInputStream zip = new ZipInputStream(new ByteArrayInputStream(response.body()))) {
            for (ZipEntry e = zip.getNextEntry(); e != null; e = zip.getNextEntry()) {
                names.add(e.getName());
                if (e.getName().equals("routes/" + PROBE)) {
                    probeContent = new String(zip.readAllBytes(), StandardCharsets.UTF_8);
                }
            }
        }
        assertThat(names).contains("routes/agents/support.camel.yaml", "routes/tools/woocommerce.tools.yml",
                "routes/" + PROBE);
        assertThat(probeContent).isEqualTo(serving("v1"));
        return new TestHttp.Reply(response.statusCode(), response.headers(), "");
    }
}
