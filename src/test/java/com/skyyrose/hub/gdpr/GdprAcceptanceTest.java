package com.skyyrose.hub.gdpr;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.skyyrose.hub.fakes.FashnFake;
import com.skyyrose.hub.fakes.OpenAiFake;
import com.skyyrose.hub.support.HubIntegrationTest;
import com.skyyrose.hub.support.RunningHub;
import com.skyyrose.hub.support.TestAuth;
import com.skyyrose.hub.support.TestHttp;
import com.skyyrose.hub.webhooks.WooCommerceSender;
import java.io.ByteArrayInputStream;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Predicate;
import java.util.regex.Pattern;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.data.redis.connection.DataType;
import org.springframework.data.redis.core.Cursor;
import org.springframework.data.redis.core.ScanOptions;
import org.springframework.data.redis.core.StringRedisTemplate;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.test.context.TestPropertySource;

/**
 * GDPR end to end over HTTP against real PostgreSQL and Redis: one person seeded through every feature (account,
 * sessions, round table, agent runs, signed WooCommerce webhooks, a FASHN try-on, audit entries), exported (JSON
 * and ZIP hold every seeded record, decrypted, and no secret), then erased — after which neither the e-mail nor the
 * name is anywhere in any column of any table or any Redis key of the hub, while the order and audit records
 * that must be kept are there, anonymised. Plus BOLA, link expiry, restart of jobs, retention and bad input.
 */
@TestPropertySource(properties = {
        "WOOCOMMERCE_WEBHOOK_SECRET=gdpr-webhook-secret",
        "HUB_WEBHOOKS_POLL_INTERVAL=50ms",
        "HUB_WEBHOOKS_RECONCILE_ENABLED=false",
        "HUB_LLM_JUDGE=never",
        "HUB_LLM_DEADLINE_MS=5000",
        "HUB_TOOL_JOBS_POLL_INTERVAL=100",
        "HUB_TOOL_JOBS_BACKOFF_INITIAL=100ms",
        "HUB_TOOL_JOBS_BACKOFF_MAX=300ms",
        "HUB_GDPR_WORKER_INTERVAL=200",
        "HUB_GDPR_EXPORT_LEASE=30s",
        "HUB_RETENTION_AUDIT_DAYS=300"
})
@DirtiesContext
class GdprAcceptanceTest extends HubIntegrationTest {

    static final OpenAiFake OPENAI = new OpenAiFake();
    static final FashnFake FASHN = new FashnFake();

    @DynamicPropertySource
    static void fakes(DynamicPropertyRegistry registry) {
        OPENAI.env().forEach((k, v) -> registry.add(k, () -> v));
        registry.add("FASHN_BASE_URL", FASHN::baseUrl);
        registry.add("FASHN_API_KEY", () -> FashnFake.API_KEY);
    }

    @AfterAll
    static void stop() {
        OPENAI.close();
        FASHN.close();
    }

    @Autowired
    JdbcTemplate jdbc;
    @Autowired
    StringRedisTemplate redis;
    @Autowired
    GdprRetention retention;

    /** A person unique to this run (a failed earlier run must not satisfy or break the searches). */
    record Person(String email, String first, String last, String address, String phone, String password) {
        String name() {
            return first + " " + last;
        }

        static Person fresh() {
            String tag = Long.toString(ThreadLocalRandom.current().nextLong(36L * 36 * 36 * 36 * 36), 36);
            return new Person("zelda." + tag + "@example.org", "Zelda", "Quintanilla" + tag,
                    "77 Lakeshore " + tag + " Ave", "+1 510 " + ThreadLocalRandom.current().nextInt(1_000_000, 10_000_000),
                    "zelda-password-" + tag);
        }
    }

    // ---- the big one: seed, export, erase, search everything

    @Test
    void exportHoldsEverySeededRecordAndErasureLeavesNoTraceButTheAnonymisedRecordsTheLawKeeps() throws Exception {
        Person zelda = Person.fresh();
        String[] admin = TestAuth.admin(http());
        OPENAI.answers("{\"answer\":\"Dear " + zelda.name() + ", your order is on its way.\",\"actions\":[]}");

        // account and two sessions; one failed sign-in (an account-keyed rate-limit bucket)
        String userId = createUser(zelda, "operator");
        String[] token = TestAuth.bearer(TestAuth.login(http(), zelda.email(), zelda.password())
                .get("access_token").asText());
        TestAuth.login(http(), zelda.email(), zelda.password());
        assertThat(http().postJson("/api/v1/auth/token", "{\"grant_type\":\"password\",\"username\":\""
                + zelda.email() + "\",\"password\":\"wrong-password-000\"}").status()).isEqualTo(401);

        // round table and agent runs of hers, naming her; an admin's run about her (it stays, redacted)
        TestHttp.Reply round = http().postJson("/api/v1/round-table/query", "{\"prompt\":\"Write a thank-you note "
                + "to " + zelda.name() + " <" + zelda.email() + "> for her first order.\"}", token);
        assertThat(round.status()).as(round.body()).isEqualTo(200);
        String roundId = round.json().get("id").asText();
        TestHttp.Reply run = http().postJson("/api/v1/agents/support/runs", "{\"task\":\"Reply to " + zelda.name()
                + " (" + zelda.email() + ") who asks where her hoodie is.\"}", token);
        assertThat(run.status()).as(run.body()).isIn(200, 202);
        String runId = run.json().get("id").asText();
        TestHttp.Reply adminRun = http().postJson("/api/v1/agents/marketing/runs", "{\"task\":\"Draft a VIP "
                + "invitation for " + zelda.email() + ".\"}", admin);
        assertThat(adminRun.status()).as(adminRun.body()).isIn(200, 202);
        String adminRunId = adminRun.json().get("id").asText();

        // the shop's webhooks (signed, through the real endpoint): her customer record and two orders
        long customerId = ThreadLocalRandom.current().nextLong(1_000_000, 9_000_000);
        long orderId = customerId + 1;
        long guestOrderId = customerId + 2;
        WooCommerceSender shop = new WooCommerceSender(http(), "gdpr-webhook-secret");
        assertThat(shop.deliver("default", "customer.created", WooCommerceSender.wpJson(customer(zelda, customerId)))
                .status()).isEqualTo(200);
        assertThat(shop.deliver("default", "order.created", WooCommerceSender.wpJson(order(zelda, orderId,
                customerId))).status()).isEqualTo(200);
        assertThat(shop.deliver("default", "order.created", WooCommerceSender.wpJson(order(zelda, guestOrderId, 0)))
                .status()).isEqualTo(200);
        awaitTrue(() -> count("SELECT count(*) FROM wc_order WHERE source = 'default' AND order_id IN (?, ?)",
                orderId, guestOrderId) == 2 && count("SELECT count(*) FROM wc_customer WHERE customer_id = ?",
                customerId) == 1 && count("SELECT count(*) FROM webhook_event WHERE resource_id IN (?, ?, ?) "
                + "AND status = 'processed'", "" + customerId, "" + orderId, "" + guestOrderId) == 3
                // the agent runs her order notes start (webhook hand-offs) have finished: a run still in flight
                // when the erasure runs stores its round-table result afterwards (a known gap, see README)
                && count("SELECT count(*) FROM webhook_handoff h JOIN webhook_event e ON e.id = h.event_id "
                + "WHERE e.resource_id IN (?, ?) AND h.status IN ('pending', 'running')", "" + orderId,
                "" + guestOrderId) == 0);

        // a try-on of hers (FASHN fake)
        TestHttp.Reply tryOn = http().postJson("/api/v1/tryon", "{\"model_image\":\"data:image/png;base64,"
                + "iVBORw0KGgo=\",\"garment_image\":\"data:image/png;base64,R0lGODlh\",\"category\":\"tops\"}", token);
        assertThat(tryOn.status()).as(tryOn.body()).isEqualTo(202);
        String tryOnId = tryOn.json().get("id").asText();
        awaitTrue(() -> "succeeded".equals(jdbc.queryForObject("SELECT status FROM tool_job WHERE id = ?::uuid",
                String.class, tryOnId)));

        // Redis now holds her sessions, her buckets and a cached answer naming her; every key is inventoried
        assertThat(undeclaredRedisKeys()).as("Redis keys of no family in PersonalDataInventory").isEmpty();
        assertThat(redis.opsForSet().size("hub:auth:user-sessions:" + userId)).isEqualTo(2);
        assertThat(redisHits(List.of(zelda.name().toLowerCase(Locale.ROOT)))).isNotEmpty();

        // ---- export (self) and export (admin, by e-mail): both hold every seeded record
        JsonNode selfJob = awaitExport(http().postJson("/api/v1/gdpr/export", "{}", token), token);
        JsonNode doc = download(selfJob, "json", token).json();
        assertThat(doc.get("subject").get("email").asText()).isEqualTo(zelda.email());
        JsonNode data = doc.get("data");
        assertThat(records(data, "account", "hub_user")).anySatisfy(r -> {
            assertThat(r.get("email_enc").asText()).isEqualTo(zelda.email());
            assertThat(r.get("display_name").asText()).isEqualTo(zelda.name());
        });
        assertThat(data.get("sessions")).hasSize(2);
        assertThat(ids(records(data, "round_table", "round_table_result"))).contains(roundId);
        assertThat(ids(records(data, "agent_runs", "agent_run"))).contains(runId, adminRunId);
        assertThat(ids(records(data, "tool_jobs", "tool_job"))).contains(tryOnId);
        assertThat(records(data, "customers", "wc_customer")).anySatisfy(r ->
                assertThat(r.get("email").asText()).isEqualTo(zelda.email()));
        assertThat(records(data, "orders", "wc_order").stream().map(r -> r.get("order_id").asLong()).toList())
                .contains(orderId, guestOrderId);
        List<JsonNode> payloads = records(data, "webhook_payloads", "webhook_event");
        assertThat(payloads.stream().map(r -> r.get("resource_id").asText()).toList())
                .contains("" + customerId, "" + orderId, "" + guestOrderId);
        assertThat(payloads).anySatisfy(r -> assertThat(r.get("payload").get("billing").get("address_1").asText())
                .isEqualTo(zelda.address()));
        assertThat(records(data, "audit", "audit_log").stream().map(r -> r.get("action").asText()).toList())
                .contains("login");
        // Art. 15(1) information for every category, and the rights
        JsonNode info = doc.get("information");
        assertThat(info.get("rights").toString()).contains("Art. 77");
        JsonNode roundInfo = find(info.get("categories"), "round_table");
        assertThat(roundInfo.get("recipients").toString()).contains("OpenAI");
        assertThat(roundInfo.get("purposes").asText()).isNotBlank();
        // (any instance may build the export, so only the setting's name is certain here; its value: retention test)
        assertThat(find(info.get("categories"), "audit").get("retention").asText())
                .contains("days (HUB_RETENTION_AUDIT_DAYS)");
        // no secret, hash of a secret, ciphertext or token
        String text = doc.toString();
        assertThat(text).doesNotContain("password_hash", "$argon2", "secret_hash", "secret_enc", "v1:test1:",
                "\"refresh\"", "\"used\"", "document_enc", token[1].substring(7));
        // the ZIP: the same JSON and one CSV per category
        Map<String, String> zip = unzip(downloadZip(selfJob, token));
        assertThat(zip).containsKeys("export.json", "account.csv", "webhook_payloads.csv", "agent_runs.csv");
        assertThat(zip.get("export.json")).contains(zelda.email());
        assertThat(zip.get("account.csv").lines().findFirst().orElseThrow()).startsWith("table,relation,");
        assertThat(zip.get("customers.csv")).contains(zelda.email());

        JsonNode adminJob = awaitExport(http().postJson("/api/v1/gdpr/export", "{\"email\":\"" + zelda.email()
                + "\",\"names\":[\"" + zelda.name() + "\"]}", admin), admin);
        assertThat(adminJob.get("subject").asText()).isEqualTo(zelda.email());
        assertThat(ids(records(download(adminJob, "json", admin).json().get("data"), "tool_jobs", "tool_job")))
                .contains(tryOnId);
        // every export was audited, naming the subject by a keyed hash only
        assertThat(count("SELECT count(*) FROM audit_log WHERE action = 'gdpr.export.request' AND target LIKE "
                + "'subject:%' AND detail IN (?, ?)", "export " + selfJob.get("id").asText(),
                "export " + adminJob.get("id").asText())).isEqualTo(2);
        assertThat(count("SELECT count(*) FROM audit_log WHERE action = 'gdpr.export.download' AND target = ?",
                "gdpr-export:" + selfJob.get("id").asText())).isEqualTo(2);

        // ---- erasure
        TestHttp.Reply erased = http().postJson("/api/v1/gdpr/erasure", "{\"email\":\"" + zelda.email() + "\"}",
                admin);
        assertThat(erased.status()).as(erased.body()).isEqualTo(200);
        JsonNode result = erased.json();
        assertThat(erased.body()).doesNotContain(zelda.email()).doesNotContain(zelda.last());
        assertThat(stores(result.get("erased"))).contains("hub_user", "wc_customer", "agent_run",
                "round_table_result", "tool_job", "webhook_event.payload", "agent_run.task",
                "redis hub:auth:session:{session}", "redis hub:round-table:cache:{hash}",
                "redis ratelimit:login-fail:{account}");
        assertThat(stores(result.get("kept"))).contains("wc_order", "audit_log");
        result.get("kept").forEach(k -> assertThat(k.get("reason").asText()).isNotBlank());

        // her token stops working at once, and she cannot sign in
        assertThat(http().get("/api/v1/gdpr/exports", token).status()).isEqualTo(401);
        assertThat(http().postJson("/api/v1/auth/token", "{\"grant_type\":\"password\",\"username\":\""
                + zelda.email() + "\",\"password\":\"" + zelda.password() + "\"}").status()).isEqualTo(401);

        // nothing personal is left anywhere: every column of every table, every Redis key and value
        List<String> needles = List.of(zelda.email(), zelda.name(), zelda.last(), zelda.address(), zelda.phone());
        assertThat(databaseHits(needles)).as("personal values left in PostgreSQL").isEmpty();
        assertThat(redisHits(needles)).as("personal values left in Redis").isEmpty();
        assertThat(redisHits(List.of(userId))).as("keys of her sessions and buckets").isEmpty();

        // what the law keeps is there, anonymised
        assertThat(jdbc.queryForList("SELECT customer_id FROM wc_order WHERE order_id IN (?, ?)", Long.class,
                orderId, guestOrderId)).hasSize(2).containsOnlyNulls();
        String pseudonym = result.get("pseudonym").asText();
        assertThat(count("SELECT count(*) FROM audit_log WHERE actor = ? OR strpos(target, ?) > 0", userId, userId))
                .isZero();
        assertThat(count("SELECT count(*) FROM audit_log WHERE actor = ? AND action = 'login' AND ip IS NULL",
                pseudonym)).isEqualTo(2);
        // the admin's run stays, with her redacted; her own runs, prompts and try-ons are gone
        assertThat(jdbc.queryForObject("SELECT task FROM agent_run WHERE id = ?::uuid", String.class, adminRunId))
                .contains(PersonalRecords.REDACTED);
        assertThat(count("SELECT count(*) FROM agent_run WHERE id = ?::uuid", runId)).isZero();
        assertThat(count("SELECT count(*) FROM round_table_result WHERE id = ?::uuid", roundId)).isZero();
        assertThat(count("SELECT count(*) FROM tool_job WHERE id = ?::uuid", tryOnId)).isZero();
        // the erasure is on record without her e-mail; the audit entry names her by keyed hash only
        assertThat(count("SELECT count(*) FROM gdpr_erasure WHERE id = ?::uuid", result.get("id").asText()))
                .isEqualTo(1);
        assertThat(jdbc.queryForObject("SELECT target FROM audit_log WHERE action = 'gdpr.erasure' AND detail = ?",
                String.class, "erasure " + result.get("id").asText())).startsWith("subject:");
        // the exports about her are gone with her
        assertThat(http().get("/api/v1/gdpr/exports/" + adminJob.get("id").asText(), admin).status())
                .isEqualTo(404);
    }

    // ---- BOLA

    @Test
    void aUserCannotStartSeeOrDownloadAnotherPersonsExport() {
        Person alice = Person.fresh();
        Person mallory = Person.fresh();
        createUser(alice, "viewer");
        createUser(mallory, "operator");
        String[] a = TestAuth.bearer(TestAuth.login(http(), alice.email(), alice.password()).get("access_token")
                .asText());
        String[] m = TestAuth.bearer(TestAuth.login(http(), mallory.email(), mallory.password()).get("access_token")
                .asText());
        // an empty body means "myself" (the JSON content type is still required by the HTTP layer)
        JsonNode job = awaitExport(http().post("/api/v1/gdpr/export", "application/json", "", a), a);
        assertThat(job.get("subject").asText()).isEqualTo(alice.email());
        String id = job.get("id").asText();

        TestHttp.Reply start = http().postJson("/api/v1/gdpr/export", "{\"email\":\"" + alice.email() + "\"}", m);
        assertThat(start.status()).isEqualTo(403);
        assertThat(start.contentType()).startsWith("application/problem+json");
        assertThat(http().get("/api/v1/gdpr/exports/" + id, m).status()).isEqualTo(404);
        assertThat(http().get(job.get("links").get("json").asText(), m).status()).isEqualTo(404);
        assertThat(http().get(job.get("links").get("zip").asText(), m).status()).isEqualTo(404);
        TestHttp.Reply list = http().get("/api/v1/gdpr/exports", m);
        assertThat(list.status()).isEqualTo(200);
        assertThat(list.body()).doesNotContain(id);
        assertThat(list.header("X-Total-Count")).hasValue(String.valueOf(list.json().get("items").size()));
        // nor erase anyone, nor themselves
        assertThat(http().postJson("/api/v1/gdpr/erasure", "{\"email\":\"" + alice.email() + "\"}", m).status())
                .isEqualTo(403);
        // alice sees and downloads her own; an admin sees it too
        assertThat(http().get("/api/v1/gdpr/exports", a).body()).contains(id);
        assertThat(download(job, "json", a).status()).isEqualTo(200);
        assertThat(http().get("/api/v1/gdpr/exports/" + id, TestAuth.admin(http())).json().get("requested_by")
                .asText()).isNotBlank();
        // a link is for its own export only: another export's token does not open it
        JsonNode other = awaitExport(http().postJson("/api/v1/gdpr/export", "{}", a), a);
        String foreignToken = other.get("links").get("json").asText().replaceAll(".*token=", "");
        assertThat(http().get("/api/v1/gdpr/exports/" + id + "/download?format=json&token=" + foreignToken, a)
                .status()).isEqualTo(403);
        // an administrator cannot erase their own account
        assertThat(http().postJson("/api/v1/gdpr/erasure", "{\"email\":\"" + TestAuth.ADMIN_EMAIL + "\"}",
                TestAuth.admin(http())).status()).isEqualTo(409);
    }

    // ---- expiry, restart, retention, bad input

    @Test
    void anExpiredLinkAnswers410AndRetentionDropsTheDocument() {
        Person p = Person.fresh();
        createUser(p, "viewer");
        String[] t = TestAuth.bearer(TestAuth.login(http(), p.email(), p.password()).get("access_token").asText());
        JsonNode job = awaitExport(http().postJson("/api/v1/gdpr/export", "{}", t), t);
        String id = job.get("id").asText();
        assertThat(Duration.between(Instant.parse(job.get("finished_at").asText()),
                Instant.parse(job.get("expires_at").asText()))).isEqualTo(Duration.ofDays(7));
        jdbc.update("UPDATE gdpr_export SET expires_at = now() - interval '1 second' WHERE id = ?::uuid", id);
        JsonNode expired = http().get("/api/v1/gdpr/exports/" + id, t).json();
        assertThat(expired.get("status").asText()).isEqualTo("expired");
        assertThat(expired.get("links").get("json").isNull()).isTrue();
        TestHttp.Reply gone = http().get(job.get("links").get("json").asText(), t);
        assertThat(gone.status()).isEqualTo(410);
        assertThat(gone.contentType()).startsWith("application/problem+json");
        retention.apply();
        assertThat(count("SELECT count(*) FROM gdpr_export WHERE id = ?::uuid AND status = 'expired' "
                + "AND document_enc IS NULL", id)).isEqualTo(1);
    }

    @Test
    void aJobLeftRunningByADeadInstanceIsResumedOrFailedWithTheReason() {
        Person p = Person.fresh();
        createUser(p, "viewer");
        String[] t = TestAuth.bearer(TestAuth.login(http(), p.email(), p.password()).get("access_token").asText());
        // two jobs a stopped instance had claimed (simulated: claimed rows whose lease ran out)
        String resumed = createQueuedLike(t);
        String abandoned = createQueuedLike(t);
        jdbc.update("UPDATE gdpr_export SET status = 'running', instance_id = 'dead-instance', attempts = 1, "
                + "progress = 40, lease_until = now() - interval '1 second' WHERE id = ?::uuid", resumed);
        jdbc.update("UPDATE gdpr_export SET status = 'running', instance_id = 'dead-instance', attempts = 3, "
                + "progress = 40, lease_until = now() - interval '1 second' WHERE id = ?::uuid", abandoned);
        JsonNode done = awaitJob(resumed, t, j -> !j.get("status").asText().matches("queued|running"));
        assertThat(done.get("status").asText()).isEqualTo("succeeded");
        JsonNode failed = awaitJob(abandoned, t, j -> !j.get("status").asText().matches("queued|running"));
        assertThat(failed.get("status").asText()).isEqualTo("failed");
        assertThat(failed.get("error").asText()).contains("dead-instance");
    }

    @Test
    void retentionIsPublishedAndAppliedPerCategoryFromTheInventory() {
        JsonNode policy = http().get("/api/v1/gdpr/retention", TestAuth.admin(http())).json();
        JsonNode audit = find(policy.get("categories"), "audit");
        assertThat(audit.get("retention_days").asInt()).isEqualTo(300);
        assertThat(audit.get("setting").asText()).isEqualTo("HUB_RETENTION_AUDIT_DAYS");
        assertThat(find(policy.get("categories"), "webhook_payloads").get("setting").asText())
                .isEqualTo("HUB_WEBHOOKS_PAYLOAD_RETENTION");
        assertThat(find(policy.get("categories"), "agent_runs").get("retention_days").asInt()).isEqualTo(180);
        String tag = "retention-" + System.nanoTime();
        jdbc.update("INSERT INTO audit_log (at, action, outcome, detail) VALUES (now() - interval '310 days', ?, "
                + "'success', 'old'), (now() - interval '290 days', ?, 'success', 'young')", tag, tag);
        jdbc.update("INSERT INTO agent_run (id, agent_id, principal_id, status, task, request, request_hash, "
                + "created_at) VALUES (gen_random_uuid(), 'support', ?, 'succeeded', 'old run', '{}', 'h', "
                + "now() - interval '200 days'), (gen_random_uuid(), 'support', ?, 'running', 'old but running', "
                + "'{}', 'h', now() - interval '200 days')", tag, tag);
        Map<String, Integer> applied = retention.apply();
        assertThat(applied).containsKeys("audit_log", "agent_run");
        assertThat(jdbc.queryForList("SELECT detail FROM audit_log WHERE action = ?", String.class, tag))
                .containsExactly("young");
        assertThat(jdbc.queryForList("SELECT task FROM agent_run WHERE principal_id = ?", String.class, tag))
                .containsExactly("old but running");
    }

    @Test
    void badInputIsAProblemDocument() {
        String[] admin = TestAuth.admin(http());
        TestHttp.Reply notEmail = http().postJson("/api/v1/gdpr/export", "{\"email\":\"not-an-email\"}", admin);
        assertThat(notEmail.status()).isEqualTo(400);
        assertThat(notEmail.contentType()).startsWith("application/problem+json");
        assertThat(notEmail.body()).contains("/email");
        TestHttp.Reply noEmail = http().postJson("/api/v1/gdpr/erasure", "{\"names\":[\"Somebody Else\"]}", admin);
        assertThat(noEmail.status()).isEqualTo(400);
        assertThat(noEmail.contentType()).startsWith("application/problem+json");
        TestHttp.Reply extra = http().postJson("/api/v1/gdpr/erasure", "{\"email\":\"a@example.com\",\"x\":1}", admin);
        assertThat(extra.status()).isEqualTo(400);
        // an API key is not a person: it must name the subject
        String[] key = TestAuth.withPermissions(http(), "unrelated:thing");
        TestHttp.Reply keySelf = http().postJson("/api/v1/gdpr/export", "{}", key);
        assertThat(keySelf.status()).isEqualTo(400);
        assertThat(keySelf.contentType()).startsWith("application/problem+json");
        assertThat(http().get("/api/v1/gdpr/exports/not-a-uuid", admin).status()).isEqualTo(400);
        assertThat(http().get("/api/v1/gdpr/exports/" + java.util.UUID.randomUUID() + "/download?format=pdf&token=x",
                admin).status()).isEqualTo(400);
        assertThat(http().get("/api/v1/gdpr/exports/" + java.util.UUID.randomUUID(), admin).status()).isEqualTo(404);
    }

    // ---- helpers

    private String createUser(Person p, String role) {
        ObjectNode body = TestHttp.json().createObjectNode();
        body.put("email", p.email());
        body.put("password", p.password());
        body.put("role", role);
        body.put("displayName", p.name());
        TestHttp.Reply created = http().postJson("/api/v1/users", body.toString(), TestAuth.admin(http()));
        assertThat(created.status()).as(created.body()).isEqualTo(201);
        return created.json().get("id").asText();
    }

    private String createQueuedLike(String[] t) {
        TestHttp.Reply r = http().postJson("/api/v1/gdpr/export", "{}", t);
        assertThat(r.status()).isEqualTo(202);
        String id = r.json().get("id").asText();
        // hold it back from the worker until the test has shaped it
        jdbc.update("UPDATE gdpr_export SET status = 'running', lease_until = now() + interval '1 hour' "
                + "WHERE id = ?::uuid AND status = 'queued'", id);
        return id;
    }

    private ObjectNode customer(Person p, long id) {
        ObjectNode c = WooCommerceSender.sample("customer");
        c.put("id", id);
        c.put("email", p.email());
        c.put("first_name", p.first());
        c.put("last_name", p.last());
        c.put("username", "zelda" + id);
        c.put("date_modified_gmt", Instant.now().toString().substring(0, 19));
        address((ObjectNode) c.get("billing"), p);
        address((ObjectNode) c.get("shipping"), p);
        return c;
    }

    private ObjectNode order(Person p, long id, long customerId) {
        ObjectNode o = WooCommerceSender.sample("order");
        o.put("id", id);
        o.put("customer_id", customerId);
        o.put("customer_note", "Please ring " + p.phone());
        o.put("date_modified_gmt", Instant.now().toString().substring(0, 19));
        address((ObjectNode) o.get("billing"), p);
        address((ObjectNode) o.get("shipping"), p);
        return o;
    }

    private static void address(ObjectNode a, Person p) {
        a.put("first_name", p.first());
        a.put("last_name", p.last());
        a.put("address_1", p.address());
        if (a.has("email")) {
            a.put("email", p.email());
        }
        if (a.has("phone")) {
            a.put("phone", p.phone());
        }
    }

    private JsonNode awaitExport(TestHttp.Reply accepted, String[] who) {
        assertThat(accepted.status()).as(accepted.body()).isEqualTo(202);
        String location = accepted.header("Location").orElseThrow();
        assertThat(location).isEqualTo("/api/v1/gdpr/exports/" + accepted.json().get("id").asText());
        JsonNode job = awaitJob(accepted.json().get("id").asText(), who,
                j -> !j.get("status").asText().matches("queued|running"));
        assertThat(job.get("status").asText()).as(job.toString()).isEqualTo("succeeded");
        assertThat(job.get("progress").asInt()).isEqualTo(100);
        return job;
    }

    private JsonNode awaitJob(String id, String[] who, Predicate<JsonNode> done) {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        JsonNode last = null;
        while (System.nanoTime() < deadline) {
            TestHttp.Reply r = http().get("/api/v1/gdpr/exports/" + id, who);
            assertThat(r.status()).as(r.body()).isEqualTo(200);
            last = r.json();
            assertThat(last.get("progress").asInt()).isBetween(0, 100);
            if (done.test(last)) {
                return last;
            }
            RunningHub.sleep(100);
        }
        throw new AssertionError("export " + id + " did not finish: " + last);
    }

    private TestHttp.Reply download(JsonNode job, String format, String[] who) {
        TestHttp.Reply r = http().get(job.get("links").get(format).asText(), who);
        assertThat(r.status()).as(r.body()).isEqualTo(200);
        return r;
    }

    /** The ZIP as bytes (TestHttp reads bodies as text). */
    private byte[] downloadZip(JsonNode job, String[] who) throws Exception {
        java.net.http.HttpRequest.Builder b = http().request(job.get("links").get("zip").asText()).GET();
        for (int i = 0; i < who.length; i += 2) {
            b.header(who[i], who[i + 1]);
        }
        HttpResponse<byte[]> r = java.net.http.HttpClient.newHttpClient().send(b.build(),
                HttpResponse.BodyHandlers.ofByteArray());
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.headers().firstValue("Content-Type")).hasValue("application/zip");
        assertThat(r.headers().firstValue("Content-Disposition").orElseThrow()).contains(".zip");
        return r.body();
    }

    private Map<String, String> unzip(byte[] bytes) throws Exception {
        Map<String, String> files = new HashMap<>();
        try (ZipInputStream zip = new ZipInputStream(new ByteArrayInputStream(bytes))) {
            ZipEntry e;
            while ((e = zip.getNextEntry()) != null) {
                files.put(e.getName(), new String(zip.readAllBytes(), StandardCharsets.UTF_8));
            }
        }
        return files;
    }

    private static List<JsonNode> records(JsonNode data, String category, String table) {
        List<JsonNode> out = new ArrayList<>();
        data.path(category).forEach(f -> {
            if (f.get("table").asText().equals(table)) {
                out.add(f.get("record"));
            }
        });
        return out;
    }

    private static List<String> ids(List<JsonNode> records) {
        return records.stream().map(r -> r.get("id").asText()).toList();
    }

    private static List<String> stores(JsonNode list) {
        List<String> out = new ArrayList<>();
        list.forEach(e -> out.add(e.get("store").asText()));
        return out;
    }

    private static JsonNode find(JsonNode categories, String key) {
        for (JsonNode c : categories) {
            if (c.get("category").asText().equals(key)) {
                return c;
            }
        }
        throw new AssertionError("no category " + key);
    }

    private long count(String sql, Object... args) {
        Long n = jdbc.queryForObject(sql, Long.class, args);
        return n == null ? 0 : n;
    }

    private void awaitTrue(java.util.function.BooleanSupplier condition) {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("condition not met in 30 s");
            }
            RunningHub.sleep(100);
        }
    }

    /** Every column of every table (any type, as text; raw bytes as text) searched for each value. */
    private List<String> databaseHits(List<String> values) {
        List<String> hits = new ArrayList<>();
        List<Map<String, Object>> columns = jdbc.queryForList("SELECT c.table_name, c.column_name, c.data_type FROM "
                + "information_schema.columns c JOIN information_schema.tables t ON t.table_schema = c.table_schema "
                + "AND t.table_name = c.table_name WHERE c.table_schema = current_schema() "
                + "AND t.table_type = 'BASE TABLE'");
        for (Map<String, Object> c : columns) {
            String column = "\"" + c.get("column_name") + "\"";
            String text = "bytea".equals(c.get("data_type")) ? "encode(" + column + ", 'escape')" : column + "::text";
            for (String v : values) {
                long n = count("SELECT count(*) FROM \"" + c.get("table_name") + "\" WHERE strpos(lower(" + text
                        + "), ?) > 0", v.toLowerCase(Locale.ROOT));
                if (n > 0) {
                    hits.add(c.get("table_name") + "." + c.get("column_name") + " holds '" + v + "' (" + n + ")");
                }
            }
        }
        return hits;
    }

    /** Every key of the hub's Redis database, names and values of every type, searched for each value. */
    private List<String> redisHits(List<String> values) {
        List<String> hits = new ArrayList<>();
        try (Cursor<String> keys = redis.scan(ScanOptions.scanOptions().match("*").count(1000).build())) {
            while (keys.hasNext()) {
                String key = keys.next();
                String content = key + " " + redisValue(key);
                for (String v : values) {
                    if (content.toLowerCase(Locale.ROOT).contains(v.toLowerCase(Locale.ROOT))) {
                        hits.add(key + " holds '" + v + "'");
                    }
                }
            }
        }
        return hits;
    }

    private String redisValue(String key) {
        DataType type = redis.type(key);
        if (type == null) {
            return "";
        }
        return switch (type) {
            case STRING -> String.valueOf(redis.opsForValue().get(key));
            case HASH -> String.valueOf(redis.opsForHash().entries(key));
            case SET -> String.valueOf(redis.opsForSet().members(key));
            case LIST -> String.valueOf(redis.opsForList().range(key, 0, -1));
            case ZSET -> String.valueOf(redis.opsForZSet().range(key, 0, -1));
            default -> "";
        };
    }

    private List<String> undeclaredRedisKeys() {
        List<Pattern> families = PersonalDataInventory.redisFamilies().stream()
                .map(f -> Pattern.compile(Pattern.quote(f.glob()).replace("*", "\\E.*\\Q"))).toList();
        List<String> undeclared = new ArrayList<>();
        try (Cursor<String> keys = redis.scan(ScanOptions.scanOptions().match("*").count(1000).build())) {
            keys.forEachRemaining(k -> {
                // ratelimit:test:* are RedisRateLimiterTest's own buckets (expiring), not the hub's
                if (!k.startsWith("ratelimit:test:") && families.stream().noneMatch(f -> f.matcher(k).matches())) {
                    undeclared.add(k);
                }
            });
        }
        return undeclared;
    }
}
