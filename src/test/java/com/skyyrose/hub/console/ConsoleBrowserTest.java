package com.skyyrose.hub.console;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.skyyrose.hub.fakes.LlmVendorFake;
import com.skyyrose.hub.support.TestAuth;
import com.skyyrose.hub.support.TestHttp;
import com.skyyrose.hub.webhooks.WooCommerceSender;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.WebDriverWait;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * The ops console in real headless Chromium (Debian's {@code chromium} driven through its {@code chromedriver} by
 * Selenium) against a whole hub with the vendor fakes. Chromium is required: without it these tests fail, they do
 * not skip. Every test starts a fresh browser, so nothing carries over but what the hub stores. Screenshots of
 * every page (1280×800) go to {@code target/console-screenshots/}.
 */
class ConsoleBrowserTest extends ConsoleTestHub {

    static final Path CHROMIUM = Path.of(System.getProperty("hub.test.chromium", "/usr/bin/chromium"));
    static final Path CHROMEDRIVER = Path.of(System.getProperty("hub.test.chromedriver", "/usr/bin/chromedriver"));
    static final Path SCREENSHOTS = Path.of("target", "console-screenshots");
    static final String XSS = "<img src=x onerror=\"window.__xss=1\"><script>window.__xss=2</script>";

    @Autowired
    JdbcTemplate jdbc;

    ChromeDriverService service;
    ChromeDriver browser;

    @BeforeAll
    static void chromiumIsInstalled() throws IOException {
        if (!Files.isExecutable(CHROMIUM) || !Files.isExecutable(CHROMEDRIVER)) {
            throw new AssertionError("The console's browser tests need Debian's Chromium and its driver at " + CHROMIUM
                    + " and " + CHROMEDRIVER + ": run `apt-get install -y chromium chromium-driver` (.ci/run does), "
                    + "or point -Dhub.test.chromium / -Dhub.test.chromedriver at them.");
        }
        Files.createDirectories(SCREENSHOTS);
        try (var old = Files.newDirectoryStream(SCREENSHOTS, "failed-*.png")) {
            for (Path shot : old) {
                Files.delete(shot); // only this run's failures stay
            }
        }
    }

    @BeforeEach
    void openBrowser() throws IOException {
        PANEL.forEach(LlmVendorFake::reset);
        // one driver process per browser: quitting a driver shuts its HTTP client, so a service is not reusable
        service = new ChromeDriverService.Builder().usingDriverExecutable(CHROMEDRIVER.toFile()).usingAnyFreePort()
                .build();
        service.start();
        ChromeOptions options = new ChromeOptions();
        options.setBinary(CHROMIUM.toFile());
        options.addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--window-size=1280,800", "--hide-scrollbars", "--no-first-run", "--disable-extensions",
                "--disable-background-networking", "--disable-sync", "--lang=en-US");
        browser = new ChromeDriver(service, options);
        browser.manage().timeouts().scriptTimeout(Duration.ofSeconds(10));
        // screenshots show the viewport: make it exactly 1280×800 (headless windows lose height to their frame)
        browser.executeCdpCommand("Emulation.setDeviceMetricsOverride", Map.of("width", 1280, "height", 800,
                "deviceScaleFactor", 1, "mobile", false));
    }

    @AfterEach
    void closeBrowser() {
        if (browser != null) {
            browser.quit();
        }
        if (service != null) {
            service.stop();
        }
    }

    // ---- the cases -----------------------------------------------------------------------------------------

    @Test
    void signInShowsEveryPageWithTheTokenOnlyInMemoryAndTheCspEnforced() {
        // some traffic for the pages to show
        http().get("/api/v1/ops/routes", TestAuth.admin(http()));
        browser.get(base() + "/console");
        waitFor(() -> present("#login-form"), "the sign-in form");
        screenshot("00-sign-in");
        type("#login-email", TestAuth.ADMIN_EMAIL);
        type("#login-password", "not the password");
        click("#login-submit");
        waitFor(() -> text("#login-error").contains("not right"), "the wrong-password message");
        signIn(TestAuth.ADMIN_EMAIL, TestAuth.ADMIN_PASSWORD);
        assertThat(one("#whoami-role").getAttribute("textContent")).isEqualTo("admin");

        go("#/routes");
        waitFor(() -> present("tr[data-route='ops-routes']"), "the routes table");
        screenshot("01-routes");
        click("tr[data-route='ops-routes']");
        waitFor(() -> present("#route-yaml"), "the route's YAML");
        assertThat(text("#route-yaml")).contains("id: ops-routes", "direct:listOpsRoutes");
        assertThat(text("#reloaded-at")).isNotBlank();
        screenshot("02-route-source");

        go("#/agents");
        waitFor(() -> all("[data-agent]").size() == 6, "the six agents");
        screenshot("03-agents");
        go("#/round-table");
        waitFor(() -> present("#provider-health [data-provider='openai']"), "provider health");
        screenshot("04-round-table");
        go("#/webhooks");
        waitFor(() -> present("#webhook-filters") && present("table.grid"), "the webhook inbox");
        screenshot("05-webhooks");
        go("#/jobs");
        waitFor(() -> present("#tool-jobs table"), "the jobs");
        screenshot("06-jobs");
        go("#/charts");
        waitFor(() -> present("#chart-http-requests svg path.series"), "the HTTP chart");
        waitFor(() -> present("#chart-route-requests svg path.series"), "the routes chart");
        screenshot("07-charts");

        // the tokens are only in the page's memory
        assertThat(js("return localStorage.length + sessionStorage.length")).isEqualTo(0L);
        assertThat(js("return document.cookie")).isEqualTo("");
        // the policy came with the page, and the browser enforces it: an injected inline script does not run
        assertThat(http().get("/console").header("Content-Security-Policy").orElseThrow())
                .isEqualTo(ConsoleHeadersFilter.CONTENT_SECURITY_POLICY);
        js("var s = document.createElement('script'); s.textContent = 'window.__inline = 1';"
                + " document.body.appendChild(s); return null");
        assertThat(js("return window.__inline === undefined")).isEqualTo(true);

        // signing out forgets the session; a reload starts signed out too
        click("#sign-out");
        waitFor(() -> present("#login-form"), "the sign-in form after signing out");
        signIn(TestAuth.ADMIN_EMAIL, TestAuth.ADMIN_PASSWORD);
        browser.navigate().refresh();
        waitFor(() -> present("#login-form"), "the sign-in form after a reload");
    }

    @Test
    void aRoundTableResultShowsThreeAnswersSideBySideWithScoresAndAnXssAnswerAsText() {
        OPENAI.answers("The Black Rose hoodie " + XSS + " is heavyweight cotton with a rose-gold zip.");
        ANTHROPIC.answers("The Black Rose hoodie: heavyweight black cotton, embroidered rose, made in Oakland.");
        GEMINI.answers("A heavyweight black hoodie with an embroidered black rose, from SkyyRose.");
        TestHttp.Reply asked = http().postJson("/api/v1/round-table/query",
                "{\"prompt\":\"Describe the Black Rose hoodie in one line. " + ThreadLocalRandom.current().nextLong()
                        + "\",\"providers\":[\"openai\",\"anthropic\",\"gemini\"],\"judge\":\"never\"}",
                TestAuth.plus(TestAuth.admin(http()), "Cache-Control", "no-cache"));
        assertThat(asked.status()).as(asked.body()).isEqualTo(200);
        String id = asked.json().get("id").asText();
        String winner = asked.json().at("/winner/provider").asText();

        signIn(TestAuth.ADMIN_EMAIL, TestAuth.ADMIN_PASSWORD);
        go("#/round-table");
        waitFor(() -> present("tr[data-result='" + id + "']"), "the result in the list");
        click("tr[data-result='" + id + "']");
        waitFor(() -> all("#candidates article.candidate").size() == 3, "three answers side by side");
        for (String provider : List.of("openai", "anthropic", "gemini")) {
            WebElement answer = one("#candidates article[data-provider='" + provider + "']");
            assertThat(answer.findElements(By.cssSelector(".score-row"))).as(provider).hasSizeGreaterThanOrEqualTo(5);
            assertThat(answer.findElement(By.cssSelector("[data-score]")).getText()).as(provider)
                    .matches("[01]\\.\\d{3}");
            assertThat(answer.getText()).contains("Latency", "Tokens", "Cost");
            // the answer's claims checked against the knowledge base and brand context, counted and listed
            assertThat(answer.findElement(By.cssSelector(".claims")).getText()).as(provider)
                    .containsPattern("Claims: \\d+ supported · \\d+ contradicted · \\d+ not covered");
        }
        assertThat(one("#candidates article.winner").getAttribute("data-provider")).isEqualTo(winner);
        assertThat(text("#rationale")).isNotBlank();
        // the stored answer is shown as text: the markup is visible and nothing in it ran
        assertThat(text("#candidates article[data-provider='openai'] .answer")).contains(XSS);
        assertThat(all("#candidates img, #candidates script")).isEmpty();
        assertThat(js("return window.__xss === undefined")).isEqualTo(true);
        screenshot("08-round-table-result");
    }

    @Test
    void anOperatorApprovesAnAwaitingActionAndTheRunContinues() {
        ObjectNode product = STORE.addProduct("Love Hurts Tee", "85.00");
        long productId = product.get("id").asLong();
        PANEL.forEach(f -> f.answers("{\"answer\":\"I propose a new price.\",\"actions\":[{\"tool\":"
                + "\"woocommerce.products.update\",\"arguments\":{\"id\":" + productId
                + ",\"changes\":{\"regular_price\":\"95.00\"}}}]}"));
        // someone else (here the admin) starts the run; the operator finds it in the approvals queue
        String operator = newUser("operator");
        JsonNode run = http().postJson("/api/v1/agents/commerce/runs", "{\"task\":\"Raise the Love Hurts tee to $95."
                + " " + ThreadLocalRandom.current().nextLong() + "\"}", TestAuth.admin(http())).json();
        assertThat(run.get("status").asText()).as(run.toString()).isEqualTo("awaiting_approval");
        String runId = run.get("id").asText();

        signIn(operator, PASSWORD);
        go("#/agents");
        waitFor(() -> present("[data-agent='commerce']"), "the agents");
        waitFor(() -> present("tr[data-pending-run='" + runId + "']"), "the run in the approvals queue");
        click("tr[data-pending-run='" + runId + "']");
        waitFor(() -> present("#approve-run"), "the approve button");
        assertThat(all("#run-trace [data-step]")).isNotEmpty();
        screenshot("09-run-awaiting-approval");
        assertThat(STORE.product(productId).get("regular_price").asText()).isEqualTo("85.00");
        type("#approve-note", "Checked against the autumn price list.");
        click("#approve-run");
        waitFor(() -> "succeeded".equals(one("#run-detail").getAttribute("data-status")), "the run to finish");
        assertThat(one("tr[data-action-status]").getAttribute("data-action-status")).isEqualTo("succeeded");
        assertThat(all("#approve-run")).isEmpty();
        assertThat(STORE.product(productId).get("regular_price").asText()).isEqualTo("95.00");
        screenshot("10-run-approved");
    }

    static final String DEAD_LETTER_TRACE = "8df92f3577b34da6a3ce929d0e0e4736";

    @Test
    void anOperatorReplaysADeadLetterAfterTheFixAndSeesItProcessed() {
        long couponId = ThreadLocalRandom.current().nextLong(1_000_000, Long.MAX_VALUE / 4);
        String body = WooCommerceSender.wpJson(WooCommerceSender.sample("coupon").put("id", couponId)
                .put("code", "console" + couponId));
        // a real fault: the handler's table is gone (as after a bad deploy)
        jdbc.execute("ALTER TABLE wc_coupon RENAME TO wc_coupon_away");
        long eventId;
        try {
            eventId = sender().deliver("default", "coupon.created", body).json().get("eventId").asLong();
            awaitStatus(eventId, "dead", Duration.ofSeconds(150));
            // as if delivered while tracing was on (this hub traces nothing): the intake kept its traceparent
            jdbc.update("UPDATE webhook_event SET headers = headers || jsonb_build_object('traceparent', ?::text)"
                    + " WHERE id = ?", "00-" + DEAD_LETTER_TRACE + "-00f067aa0ba902b7-01", eventId);
        } finally {
            jdbc.execute("ALTER TABLE wc_coupon_away RENAME TO wc_coupon"); // the fix
        }

        signIn(newUser("operator"), PASSWORD);
        go("#/webhooks");
        waitFor(() -> present("#filter-status"), "the filters");
        js("document.getElementById('filter-status').value = 'dead'; return null");
        type("#filter-topic", "coupon.created");
        click("#webhook-filters button[type=submit]");
        waitFor(() -> present("tr[data-event='" + eventId + "'][data-status='dead']"), "the dead letter");
        assertThat(text("tr[data-event='" + eventId + "']")).contains("wc_coupon");
        // the dead letter names the trace of its delivery, for the tracing backend
        assertThat(one("tr[data-event='" + eventId + "'] [data-trace]").getAttribute("data-trace"))
                .isEqualTo(DEAD_LETTER_TRACE);
        screenshot("11-webhooks-dead-letters");
        click("[data-replay='" + eventId + "']");
        waitFor(() -> text("#webhook-message").contains("queued again"), "the replay notice");
        go("#/webhooks/topic=coupon.created");
        waitFor(() -> present("tr[data-event='" + eventId + "'][data-status='processed']"), "the replayed event");
        assertThat(jdbc.queryForObject("SELECT code FROM wc_coupon WHERE source = 'default' AND coupon_id = ?",
                String.class, couponId)).isEqualTo("console" + couponId);
        screenshot("12-webhooks-replayed");
    }

    @Test
    void anXssPayloadInAWebhookBodyRendersAsText() {
        long productId = ThreadLocalRandom.current().nextLong(1_000_000, Long.MAX_VALUE / 4);
        String body = WooCommerceSender.wpJson(WooCommerceSender.sample("product").put("id", productId)
                .put("name", XSS).put("description", "</pre>" + XSS));
        long eventId = sender().deliver("default", "product.created", body).json().get("eventId").asLong();

        signIn(TestAuth.ADMIN_EMAIL, TestAuth.ADMIN_PASSWORD);
        go("#/webhooks");
        waitFor(() -> present("tr[data-event='" + eventId + "']"), "the event");
        click("tr[data-event='" + eventId + "']");
        waitFor(() -> present("#event-payload pre"), "the payload");
        assertThat(text("#event-payload")).contains("onerror", "<script>window.__xss=2</script>");
        assertThat(all("#event-payload img, #event-payload script, main img")).isEmpty();
        assertThat(js("return window.__xss === undefined")).isEqualTo(true);
        screenshot("13-webhook-event");
    }

    @Test
    void aThreeDJobsProgressBarReachesOneHundredPercentWithLinksToTheModel() {
        signIn(TestAuth.ADMIN_EMAIL, TestAuth.ADMIN_PASSWORD);
        go("#/jobs");
        waitFor(() -> present("#tool-jobs table"), "the jobs page");
        List<String> statuses = new ArrayList<>(List.of("queued"));
        for (int i = 0; i < 12; i++) {
            statuses.add("running");
        }
        statuses.add("success");
        TRIPO.nextTasksGo(statuses.toArray(String[]::new));
        TestHttp.Reply accepted = http().postJson("/api/v1/3d/generate", "{\"prompt\":\"A black rose hoodie\"}",
                TestAuth.admin(http()));
        assertThat(accepted.status()).as(accepted.body()).isEqualTo(202);
        String jobId = accepted.json().get("id").asText();
        String row = "tr[data-job='" + jobId + "']";

        waitFor(() -> present(row + " [data-progress='50']"), "the job under way at 50%");
        screenshot("14-job-running");
        waitFor(() -> present(row + " [data-progress='100']") && "succeeded".equals(
                one(row).getAttribute("data-status")), "the job at 100%", Duration.ofSeconds(60));
        assertThat(text(row)).contains("100%");
        assertThat(one(row + " a").getAttribute("href")).startsWith("http");
        screenshot("15-job-done");

        // GDPR exports show once the hub offers their list, and hide while it answers 404/501
        int exports = http().get("/api/v1/gdpr/exports", TestAuth.admin(http())).status();
        if (exports == 200) {
            waitFor(() -> present("#gdpr-exports table"), "the exports section");
        } else {
            assertThat(exports).isIn(404, 501);
            assertThat(all("#gdpr-exports *")).isEmpty();
        }
    }

    @Test
    void theUsagePageShowsTheCallersSpendThisMonth() throws InterruptedException {
        PANEL.forEach(LlmVendorFake::reset);
        OPENAI.answers("Where love meets luxury.", 40, 20);
        String email = newUser("operator");
        String token = TestAuth.login(http(), email, PASSWORD).get("access_token").asText();
        TestHttp.Reply reply = http().postJson("/v1/chat/completions", "{\"model\":\"openai/gpt-4o-mini\","
                + "\"messages\":[{\"role\":\"user\",\"content\":\"The tagline?\"}]}", TestAuth.bearer(token));
        assertThat(reply.status()).as(reply.body()).isEqualTo(200);
        // the usage is counted just after the answer went out
        long until = System.currentTimeMillis() + 10_000;
        while (http().get("/api/v1/usage", TestAuth.bearer(token)).json().get("requests").asLong() < 1
                && System.currentTimeMillis() < until) {
            Thread.sleep(50);
        }

        signIn(email, PASSWORD);
        go("#/usage");
        waitFor(() -> present("tr[data-model='openai/gpt-4o-mini']"), "the model's usage row");
        assertThat(text("#usage-requests")).isEqualTo("1");
        // 40 input + 20 output gpt-4o-mini tokens at 0.15 / 0.60 USD per million = 0.000018 USD
        assertThat(text("#usage-cost")).isEqualTo("$0.00002");
        assertThat(text("#usage-budget")).isEqualTo("none");
        screenshot("08-usage");
    }

    @Test
    void aViewerSeesButCannotActAndTheApiRefusesToo() {
        PANEL.forEach(f -> f.answers("{\"answer\":\"I propose a new price.\",\"actions\":[{\"tool\":"
                + "\"woocommerce.products.update\",\"arguments\":{\"id\":" + STORE.addProduct("Signature Tee", "65.00")
                        .get("id") + ",\"changes\":{\"regular_price\":\"70.00\"}}}]}"));
        String runId = http().postJson("/api/v1/agents/commerce/runs", "{\"task\":\"Raise the Signature tee. "
                + ThreadLocalRandom.current().nextLong() + "\"}", TestAuth.admin(http())).json().get("id").asText();
        long eventId = sender().deliver("default", "product.created", WooCommerceSender.wpJson(WooCommerceSender
                .sample("product").put("id", ThreadLocalRandom.current().nextLong(1_000_000, Long.MAX_VALUE / 4))))
                .json().get("eventId").asLong();
        awaitStatus(eventId, "processed", Duration.ofSeconds(30));

        String viewer = newUser("viewer");
        signIn(viewer, PASSWORD);
        assertThat(one("#whoami-role").getAttribute("textContent")).isEqualTo("viewer");
        // a viewer reads agents and stats; runs are shown to their owner and admins, so not the admin's run
        go("#/agents/commerce");
        waitFor(() -> present("[data-agent='commerce'].selected") && present("table.grid"), "the commerce runs");
        assertThat(all("tr[data-run='" + runId + "'], #approve-run, tr[data-pending-run]")).isEmpty();
        // the routes page it landed on answered 403 late: that must not leak into this page
        assertThat(text("main")).doesNotContain("Routes are shown");
        screenshot("16-viewer-agents");
        go("#/webhooks");
        waitFor(() -> present("tr[data-event='" + eventId + "']"), "the inbox");
        assertThat(all("[data-replay], [data-select], #replay-selected, #replay-all-dead")).isEmpty();
        go("#/routes");
        waitFor(() -> text("main").contains("operators and administrators"), "the routes notice");
        go("#/charts");
        waitFor(() -> present("#chart-http-requests"), "the charts a viewer may read");
        screenshot("17-viewer-charts");

        // the API refuses what the page does not offer
        String[] token = TestAuth.bearer(TestAuth.login(http(), viewer, PASSWORD).get("access_token").asText());
        assertThat(http().postJson("/api/v1/runs/" + runId + "/approve", "{}", token).status()).isEqualTo(403);
        assertThat(http().send(http().request("/api/v1/webhooks/events/" + eventId + "/replay")
                .POST(java.net.http.HttpRequest.BodyPublishers.noBody()).header(token[0], token[1]).build()).status())
                .isEqualTo(403);
        assertThat(http().postJson("/api/v1/webhooks/dead-letters/replay", "{}", token).status()).isEqualTo(403);
        assertThat(http().get("/api/v1/runs/" + runId, TestAuth.admin(http())).json().get("status").asText())
                .isEqualTo("awaiting_approval");
    }

    @Test
    void thePartnersPageShowsEachPartnersRequestsAndDeliveriesToAdminsOnly() {
        String name = "Console Partner " + ThreadLocalRandom.current().nextInt(1_000_000);
        TestHttp.Reply partner = http().postJson("/api/v1/partners", "{\"name\":\"" + name
                + "\",\"contact_email\":\"ops@console-partner.example\"}", TestAuth.admin(http()));
        assertThat(partner.status()).as(partner.body()).isEqualTo(201);
        String id = partner.json().get("id").asText();
        String key = http().postJson("/api/v1/partners/" + id + "/api-keys", "{}", TestAuth.admin(http())).json()
                .get("key").asText();
        for (int i = 0; i < 3; i++) {
            assertThat(http().get("/api/v1/partner/catalog", "X-API-Key", key).status()).isEqualTo(200);
        }

        signIn(TestAuth.ADMIN_EMAIL, TestAuth.ADMIN_PASSWORD);
        go("#/partners");
        waitFor(() -> present("tr[data-partner='" + id + "']"), "the partner's usage row");
        String row = text("tr[data-partner='" + id + "']");
        assertThat(row).contains(name, id);
        // columns: partner, requests, delivered, failed attempts, dead letters, queued, lag p50, lag p99, oldest
        List<WebElement> cells = all("tr[data-partner='" + id + "'] td");
        assertThat(cells.get(1).getText()).isEqualTo("3");
        assertThat(cells.get(2).getText()).isEqualTo("0");
        screenshot("18-partners");

        String viewer = newUser("viewer");
        signIn(viewer, PASSWORD);
        go("#/partners");
        waitFor(() -> text("main").contains("for administrators"), "the partners notice");
        assertThat(all("tr[data-partner]")).isEmpty();
    }

    // ---- helpers -------------------------------------------------------------------------------------------

    String base() {
        return "http://127.0.0.1:" + port;
    }

    WooCommerceSender sender() {
        return new WooCommerceSender(http(), WEBHOOK_SECRET);
    }

    @Test
    void anIntegratorEditsARouteFileSeesErrorsAtTheirLinesDiffsAppliesAndRestores() {
        String path = "ops/console-probe.camel.yaml";
        String v1 = "- route:\n    id: console-probe\n    from:\n      uri: direct:console-probe\n      steps:\n"
                + "        - setBody:\n            constant: v1\n";
        String broken = v1.replace("        - setBody:", "        - frobnicate:\n            foo: 1\n        - setBody:");
        String v2 = v1.replace("constant: v1", "constant: v2");
        signIn(TestAuth.ADMIN_EMAIL, TestAuth.ADMIN_PASSWORD);
        go("#/route-files/" + path);
        waitFor(() -> present("#rf-text") && present("#rf-tree a[data-path='agents/support.camel.yaml']"),
                "the route files editor");

        // validate shows the error at its line, in the list and in the gutter
        setEditor(broken);
        click("#rf-validate");
        waitFor(() -> present("#rf-errors li"), "the validation errors");
        assertThat(text("#rf-errors li")).contains("line 6", "frobnicate");
        assertThat(present("#rf-gutter .rf-error-line[data-line='6']")).isTrue();
        screenshot("08-route-files-error");

        // diff against the current revision (none yet: every line is new), validate, apply with a message
        setEditor(v1);
        click("#rf-diff-btn");
        waitFor(() -> present("#rf-diff-lines .rf-add"), "the diff");
        click("#rf-validate");
        waitFor(() -> text("#rf-status").contains("Valid"), "valid");
        type("#rf-message", "console probe");
        click("#rf-apply");
        waitFor(() -> text("#rf-status").contains("revision 1") || present("tr[data-revision='1']"),
                "applied as revision 1");
        waitFor(() -> present("tr[data-revision='1']") && present("#rf-editor tr[data-instance]"),
                "the history and the instances");
        assertThat(http().get("/api/v1/ops/routes", TestAuth.admin(http())).body()).contains("console-probe");

        // a second revision, with its diff
        setEditor(v2);
        click("#rf-diff-btn");
        waitFor(() -> present("#rf-diff-lines .rf-del") && text("#rf-diff-lines").contains("+             constant: v2"),
                "the diff against revision 1");
        click("#rf-apply");
        waitFor(() -> present("tr[data-revision='2']"), "revision 2 in the history");
        screenshot("09-route-files-history");

        // restore revision 1 (as revision 3)
        click("button[data-restore='1']");
        waitFor(() -> present("tr[data-revision='3']"), "revision 3 (the restore) in the history");
        TestHttp.Reply content = http().get("/api/v1/route-files/content?path=" + path, TestAuth.admin(http()));
        assertThat(content.json().get("revision").asInt()).isEqualTo(3);
        assertThat(content.json().get("content").asText()).isEqualTo(v1);
        assertThat(js("return document.getElementById('rf-text').value")).isEqualTo(v1);
        screenshot("10-route-files-restored");
    }

    /** Puts text into the editor as typing would (an input event), without the browser's key-by-key typing. */
    void setEditor(String value) {
        js("const t = document.getElementById('rf-text'); t.value = arguments[0];"
                + " t.dispatchEvent(new Event('input')); return null", value);
    }

    void signIn(String email, String password) {
        browser.get(base() + "/console");
        waitFor(() -> present("#login-form"), "the sign-in form");
        type("#login-email", email);
        type("#login-password", password);
        click("#login-submit");
        waitFor(() -> present("#whoami"), "the signed-in console");
    }

    /** Moves within the page (a new page load would sign out: the token lives in memory only). */
    void go(String hash) {
        js("location.hash = arguments[0]; return null", hash);
    }

    Object js(String script, Object... args) {
        return ((JavascriptExecutor) browser).executeScript(script, args);
    }

    boolean present(String css) {
        return !browser.findElements(By.cssSelector(css)).isEmpty();
    }

    List<WebElement> all(String css) {
        return browser.findElements(By.cssSelector(css));
    }

    WebElement one(String css) {
        return browser.findElement(By.cssSelector(css));
    }

    String text(String css) {
        List<WebElement> found = all(css);
        return found.isEmpty() ? "" : found.get(0).getText();
    }

    void type(String css, String value) {
        WebElement field = one(css);
        field.clear();
        field.sendKeys(value);
    }

    void click(String css) {
        one(css).click();
    }

    void waitFor(Supplier<Boolean> condition, String what) {
        waitFor(condition, what, Duration.ofSeconds(20));
    }

    void waitFor(Supplier<Boolean> condition, String what, Duration timeout) {
        try {
            new WebDriverWait(browser, timeout, Duration.ofMillis(100))
                    .ignoring(org.openqa.selenium.StaleElementReferenceException.class)
                    .ignoring(org.openqa.selenium.NoSuchElementException.class)
                    .until(d -> condition.get());
        } catch (org.openqa.selenium.TimeoutException e) {
            screenshot("failed-" + what.replaceAll("[^A-Za-z0-9]+", "-"));
            throw new AssertionError("The console did not show " + what + " within " + timeout.toSeconds()
                    + " s; page text: " + text("body"), e);
        }
    }

    void screenshot(String name) {
        try {
            Path shot = ((TakesScreenshot) browser).getScreenshotAs(OutputType.FILE).toPath();
            Files.copy(shot, SCREENSHOTS.resolve(name + ".png"), StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            throw new AssertionError("could not save screenshot " + name, e);
        }
    }

    void awaitStatus(long eventId, String status, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        String last = null;
        while (System.nanoTime() < deadline) {
            last = jdbc.queryForObject("SELECT status FROM webhook_event WHERE id = ?", String.class, eventId);
            if (status.equals(last)) {
                return;
            }
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError(e);
            }
        }
        throw new AssertionError("event " + eventId + " not " + status + " within " + timeout + "; last " + last);
    }
}
