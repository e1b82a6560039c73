package com.skyyrose.hub.privacy;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import com.skyyrose.hub.agents.AgentTestFakes;
import com.skyyrose.hub.fakes.LlmVendorFake;
import com.skyyrose.hub.support.HubIntegrationTest;
import com.skyyrose.hub.support.TestAuth;
import com.skyyrose.hub.support.TestHttp;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.data.redis.core.StringRedisTemplate;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * Customer personal data and the LLM vendors, end to end: the real hub, the round table and the Support agent, with
 * the vendor fakes recording every request body. With policy {@code mask} no vendor request holds the customer's
 * name, e-mail, phone, address or order key, and the caller's answer holds the real values where the models used the
 * placeholders; {@code allow} lets them through to that provider; {@code refuse} refuses the request (422).
 */
@DirtiesContext
class PersonalDataToVendorsTest extends HubIntegrationTest {

    @RegisterExtension
    static final AgentTestFakes FAKES = new AgentTestFakes();

    static final String NAME = "Amara Okafor";
    static final String EMAIL = "amara.okafor@example.com";
    static final String PHONE = "+1 415 555 2671";
    static final String ADDRESS = "1200 Broadway, Oakland, CA 94612";
    static final String ORDER_KEY = "wc_order_Q7x9Lm2Pa";
    /** The values no vendor may see, and forms of them a vendor request could carry. */
    static final List<String> SECRETS = List.of("Amara", "Okafor", EMAIL, "amara.okafor", PHONE, "4155552671",
            "415 555 2671", "1200 Broadway", "94612", ORDER_KEY, "Q7x9Lm2Pa");
    static final String PLACEHOLDER_ANSWER = "Dear <PERSON_1>, order <ORDER_KEY_1> will go to <ADDRESS_1>; we "
            + "confirm by e-mail to <EMAIL_1> and call <PHONE_1> if needed.";

    @DynamicPropertySource
    static void fakes(DynamicPropertyRegistry registry) {
        FAKES.register(registry);
        // a shared, loaded machine: a cold first round must not miss the deadline and fall back to the local answer
        registry.add("HUB_LLM_DEADLINE_MS", () -> "20000");
    }

    @Autowired
    PrivacyProperties privacy;

    @Autowired
    JdbcTemplate jdbc;

    @Autowired
    StringRedisTemplate redis;

    @Autowired
    io.micrometer.core.instrument.MeterRegistry meters;

    @BeforeEach
    void reset() {
        FAKES.panel.forEach(LlmVendorFake::reset);
        FAKES.store.reset();
        // the hub's own copy of the shop's customers knows her first name by her e-mail
        jdbc.update("INSERT INTO wc_customer (source, customer_id, email, first_name) VALUES ('test-privacy', 4711, ?, "
                + "'Amara') ON CONFLICT (source, customer_id) DO NOTHING", EMAIL);
    }

    @AfterEach
    void defaultPolicies() {
        privacy.getProviders().replaceAll((id, p) -> PrivacyProperties.Policy.MASK);
    }

    static String customerQuery() {
        return NAME + " (" + EMAIL + ", " + PHONE + ") asks whether her order " + ORDER_KEY + " can be shipped to "
                + ADDRESS + " instead. Answer her in two lines. [" + UUID.randomUUID() + "]";
    }

    TestHttp.Reply ask(String prompt) {
        return http().postJson("/api/v1/round-table/query", "{\"prompt\":" + TestHttp.json().valueToTree(prompt)
                + ",\"judge\":\"never\"}", TestAuth.admin(http()));
    }

    static List<String> vendorBodies(LlmVendorFake fake) {
        return fake.requests().stream().map(LoggedRequest::getBodyAsString).toList();
    }

    static void assertNoneOfTheCustomersValues(String body) {
        for (String secret : SECRETS) {
            assertThat(body).as("a vendor request").doesNotContainIgnoringCase(secret);
        }
    }

    @Test
    void aQueryNamingACustomerReachesNoVendorWithHerDataAndTheCallerSeesTheRealValues() {
        FAKES.panel.forEach(f -> f.answers(PLACEHOLDER_ANSWER));
        double emailsBefore = maskedMetric("email");

        TestHttp.Reply reply = ask(customerQuery());

        assertThat(reply.status()).as(reply.body()).isEqualTo(200);
        for (LlmVendorFake fake : FAKES.panel) {
            assertThat(fake.unmatched()).isEmpty();
            List<String> bodies = vendorBodies(fake);
            assertThat(bodies).hasSize(1);
            assertNoneOfTheCustomersValues(bodies.get(0));
            // the placeholders went instead, and the question itself is intact
            assertThat(bodies.get(0)).contains("PERSON_1").contains("EMAIL_1").contains("PHONE_1")
                    .contains("ADDRESS_1").contains("ORDER_KEY_1").contains("can be shipped to");
        }
        JsonNode r = reply.json();
        assertThat(r.path("degraded").asBoolean()).as(r.toString()).isFalse();
        String restored = "Dear " + NAME + ", order " + ORDER_KEY + " will go to " + ADDRESS + "; we confirm by e-mail to "
                + EMAIL + " and call " + PHONE + " if needed.";
        assertThat(r.path("winner").path("text").asText()).isEqualTo(restored);
        for (JsonNode c : r.path("candidates")) {
            assertThat(c.path("text").asText()).as(c.toString()).isEqualTo(restored);
        }
        // what was masked, by kind and count, never the values
        JsonNode pd = r.path("personal_data");
        assertThat(pd.path("masked").path("email").asInt()).isEqualTo(1);
        assertThat(pd.path("masked").path("phone").asInt()).isEqualTo(1);
        assertThat(pd.path("masked").path("address").asInt()).isEqualTo(1);
        assertThat(pd.path("masked").path("order_key").asInt()).isEqualTo(1);
        assertThat(pd.path("masked").path("person").asInt()).isGreaterThanOrEqualTo(1);
        assertThat(pd.path("policies").path("openai").asText()).isEqualTo("mask");
        assertNoneOfTheCustomersValues(pd.toString());
        // the stored result is the caller's (restored) one; the cache key holds no raw value
        JsonNode stored = http().get("/api/v1/round-table/results/" + r.path("id").asText(), TestAuth.admin(http()))
                .json();
        assertThat(stored.path("winner").path("text").asText()).isEqualTo(restored);
        Set<String> keys = redis.keys("hub:round-table:cache:*");
        assertThat(keys).isNotEmpty();
        keys.forEach(k -> assertNoneOfTheCustomersValues(k));
        // counted by kind in the metrics, without values
        assertThat(maskedMetric("email")).isEqualTo(emailsBefore + 1);
        // the GDPR inventory tells people what the vendors receive
        JsonNode policy = http().get("/api/v1/gdpr/retention", TestAuth.admin(http())).json();
        for (JsonNode category : policy.path("categories")) {
            if (category.path("category").asText().equals("round_table")) {
                assertThat(category.path("recipients").toString()).contains("OpenAI").contains("pseudonymised");
            }
        }
    }

    double maskedMetric(String kind) {
        io.micrometer.core.instrument.Counter c = meters.find("hub.privacy.masked").tag("kind", kind).counter();
        return c == null ? 0 : c.count();
    }

    @Test
    void allowLetsThePersonalDataThroughToThatProviderOnly() {
        privacy.getProviders().put("anthropic", PrivacyProperties.Policy.ALLOW);
        FAKES.panel.forEach(f -> f.answers("Noted: " + PLACEHOLDER_ANSWER));

        TestHttp.Reply reply = ask(customerQuery());

        assertThat(reply.status()).as(reply.body()).isEqualTo(200);
        assertThat(vendorBodies(FAKES.anthropic).get(0)).contains(EMAIL).contains(ORDER_KEY).contains("Okafor");
        assertNoneOfTheCustomersValues(vendorBodies(FAKES.openAi).get(0));
        assertNoneOfTheCustomersValues(vendorBodies(FAKES.gemini).get(0));
        assertThat(reply.json().path("personal_data").path("policies").path("anthropic").asText()).isEqualTo("allow");
    }

    @Test
    void refuseRefusesARequestWithPersonalDataAndNoVendorIsAsked() {
        privacy.getProviders().put("gemini", PrivacyProperties.Policy.REFUSE);
        FAKES.panel.forEach(f -> f.answers("The Black Rose hoodie is heavyweight black cotton."));

        TestHttp.Reply reply = ask(customerQuery());

        assertThat(reply.status()).as(reply.body()).isEqualTo(422);
        assertThat(reply.contentType()).startsWith("application/problem+json");
        JsonNode problem = reply.json();
        assertThat(problem.path("type").asText()).endsWith("/personal-data-refused");
        assertThat(problem.path("detail").asText()).contains("gemini").contains("1 email").contains("1 phone");
        assertNoneOfTheCustomersValues(problem.toString());
        FAKES.panel.forEach(f -> assertThat(f.requests()).isEmpty());

        // a question without personal data still goes to every provider, the refusing one included
        // (a marker without digits: a random UUID's digit groups sometimes pass the card check, a known false positive)
        TestHttp.Reply plain = ask("How heavy is the Black Rose hoodie? ["
                + UUID.randomUUID().toString().replaceAll("[0-9-]", "") + "]");
        assertThat(plain.status()).as(plain.body()).isEqualTo(200);
        assertThat(FAKES.gemini.requests()).hasSize(1);
    }

    @Test
    void aSupportRunNamingACustomerFailsWithTheReasonWhenAPanelProviderRefusesPersonalData() {
        privacy.getProviders().put("anthropic", PrivacyProperties.Policy.REFUSE);
        FAKES.panel.forEach(f -> f.answers("{\"answer\":\"On its way.\",\"actions\":[]}"));

        JsonNode run = http().postJson("/api/v1/agents/support/runs", "{\"task\":" + TestHttp.json().valueToTree(
                "Where is my parcel? Write to " + EMAIL + ".") + "}", TestAuth.admin(http())).json();

        assertThat(run.path("status").asText()).as(run.toString()).isEqualTo("failed");
        assertThat(run.path("error").asText()).contains("anthropic").contains("1 email").contains("policy refuse");
        assertThat(run.path("error").asText()).doesNotContain(EMAIL);
        FAKES.panel.forEach(f -> assertThat(f.requests()).isEmpty());
    }

    @Test
    void aSupportRunAboutACustomersOrderSendsNoneOfHerDataToTheVendors() {
        ObjectNode order = FAKES.store.addOrder("processing", "89.00");
        long id = order.get("id").asLong();
        order.put("order_key", ORDER_KEY);
        ObjectNode billing = order.putObject("billing");
        billing.put("first_name", "Amara").put("last_name", "Okafor").put("email", EMAIL).put("phone", PHONE)
                .put("address_1", "88 Grand Ave").put("city", "Oakland").put("state", "CA").put("postcode", "94610");
        order.set("shipping", billing.deepCopy().without(List.of("email", "phone")));
        String plan = "{\"answer\":\"Hi <PERSON_1>, order <ORDER_KEY_1> ships to <ADDRESS_1> tomorrow; tracking goes to "
                + "<EMAIL_1>.\",\"actions\":[]}";
        FAKES.panel.forEach(f -> f.answers(plan));
        String task = "Hi, this is Amara Okafor. Where is my order? Call me on " + PHONE + " or write to " + EMAIL
                + ". I moved to 88 Grand Ave last week.";

        TestHttp.Reply reply = http().postJson("/api/v1/agents/support/runs", "{\"task\":"
                + TestHttp.json().valueToTree(task) + ",\"parameters\":{\"order_id\":" + id + "}}",
                TestAuth.admin(http()));

        assertThat(reply.status()).as(reply.body()).isEqualTo(200);
        JsonNode run = reply.json();
        assertThat(run.path("status").asText()).as(run.toString()).isEqualTo("succeeded");
        // the order was looked up (its billing and shipping records name her) before the round table
        assertThat(FAKES.store.requests("GET", "/wp-json/wc/v3/orders/" + id)).hasSize(1);
        List<String> secrets = new ArrayList<>(SECRETS);
        secrets.addAll(List.of("88 Grand Ave", "94610"));
        for (LlmVendorFake fake : FAKES.panel) {
            List<String> bodies = vendorBodies(fake);
            assertThat(bodies).hasSize(1);
            for (String secret : secrets) {
                assertThat(bodies.get(0)).as(fake.getClass().getSimpleName()).doesNotContainIgnoringCase(secret);
            }
            assertThat(bodies.get(0)).contains("Where is my order?").contains("PERSON_1").contains("ORDER_KEY_1");
        }
        assertThat(run.path("answer").asText()).isEqualTo("Hi Amara Okafor, order " + ORDER_KEY
                + " ships to 88 Grand Ave tomorrow; tracking goes to " + EMAIL + ".");
        JsonNode stored = http().get("/api/v1/runs/" + run.path("id").asText(), TestAuth.admin(http())).json();
        JsonNode roundTable = null;
        for (JsonNode step : stored.path("trace")) {
            if (step.path("step").asText().equals("round_table")) {
                roundTable = step;
            }
        }
        assertThat(roundTable).as(stored.path("trace").toString()).isNotNull();
        JsonNode masked = roundTable.path("personal_data").path("masked");
        assertThat(masked.path("email").asInt()).isEqualTo(1);
        assertThat(masked.path("phone").asInt()).isEqualTo(1);
        assertThat(masked.path("order_key").asInt()).isEqualTo(1);
        assertThat(masked.path("address").asInt()).isGreaterThanOrEqualTo(1);
        assertThat(masked.path("person").asInt()).isGreaterThanOrEqualTo(1);
        for (String secret : secrets) {
            assertThat(stored.path("trace").toString()).doesNotContain(secret);
        }
    }
}
