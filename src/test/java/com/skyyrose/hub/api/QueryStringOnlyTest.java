package com.skyyrose.hub.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.skyyrose.hub.support.HubIntegrationTest;
import com.skyyrose.hub.support.TestAuth;
import com.skyyrose.hub.support.TestHttp;
import java.net.http.HttpRequest;
import java.util.List;
import org.apache.camel.Exchange;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.support.DefaultMessage;
import org.junit.jupiter.api.Test;

/**
 * Query values come from the query string only, held to the contract's bounds: a request header named like a query
 * parameter is not one (Camel keeps both in one map), a limit above the maximum is clamped, a negative offset is a
 * 400 problem. The token endpoint reads credentials from the body only; list answers carry no raw payloads.
 */
class QueryStringOnlyTest extends HubIntegrationTest {

    @Test
    void aHeaderIsNotAQueryParameter() {
        String[] admin = TestAuth.admin(http());
        TestHttp.Reply events = http().get("/api/v1/webhooks/events", TestAuth.plus(admin, "limit", "100000"));
        assertThat(events.status()).as(events.body()).isEqualTo(200);
        assertThat(events.json().get("limit").asInt()).isEqualTo(50);
        events.json().get("items").forEach(e -> assertThat(e.has("payload")).isFalse());

        TestHttp.Reply results = http().get("/api/v1/round-table/results", TestAuth.plus(admin, "offset", "-1"));
        assertThat(results.status()).as(results.body()).isEqualTo(200);
        assertThat(results.json().get("offset").asInt()).isZero();
        TestHttp.Reply jobs = http().get("/api/v1/jobs", TestAuth.plus(admin, "limit", "100000", "offset", "-5"));
        assertThat(jobs.status()).as(jobs.body()).isEqualTo(200);
        assertThat(jobs.json().get("limit").asInt()).isEqualTo(50);
        assertThat(jobs.json().get("offset").asInt()).isZero();
        // the value in the query string is the one that counts
        assertThat(http().get("/api/v1/round-table/results?limit=3", TestAuth.plus(admin, "limit", "90")).json()
                .get("limit").asInt()).isEqualTo(3);
    }

    @Test
    void aNegativeOffsetIsABadRequestNotAServerError() {
        TestHttp.Reply reply = http().get("/api/v1/round-table/results?offset=-1", TestAuth.admin(http()));
        assertThat(reply.status()).isEqualTo(400);
        assertThat(reply.contentType()).startsWith("application/problem+json");
        assertThat(reply.body()).contains("offset");
    }

    @Test
    void limitsAreClampedToTheContractsMaximumAndBelowTheMinimumIsAProblem() {
        DefaultMessage in = new DefaultMessage(new DefaultCamelContext());
        in.setHeader(Exchange.HTTP_QUERY, "limit=100000&offset=7");
        in.setHeader("status", "from-a-header");
        List<OpenApiContract.QueryParameter> declared = List.of(new OpenApiContract.QueryParameter("limit", 1L, 100L),
                new OpenApiContract.QueryParameter("offset", 0L, null),
                new OpenApiContract.QueryParameter("status", null, null));
        assertThat(ContractOperationStrategy.queryValues(declared, in)).isNull();
        assertThat(in.getHeader("limit")).isEqualTo("100");
        assertThat(in.getHeader("offset")).isEqualTo("7");
        assertThat(in.getHeader("status")).isNull();

        DefaultMessage negative = new DefaultMessage(new DefaultCamelContext());
        negative.setHeader(Exchange.HTTP_QUERY, "offset=-1");
        Problem problem = ContractOperationStrategy.queryValues(declared, negative);
        assertThat(problem.status()).isEqualTo(400);
        assertThat(problem.detail()).contains("offset");
    }

    @Test
    void theTokenEndpointReadsCredentialsFromTheBodyOnly() {
        HttpRequest request = http().request("/api/v1/auth/token")
                .POST(HttpRequest.BodyPublishers.noBody())
                .header("Content-Type", "application/x-www-form-urlencoded")
                .header("grant_type", "password")
                .header("username", TestAuth.ADMIN_EMAIL)
                .header("password", TestAuth.ADMIN_PASSWORD)
                .build();
        TestHttp.Reply reply = http().send(request);
        assertThat(reply.status()).as(reply.body()).isEqualTo(400);
        assertThat(reply.body()).doesNotContain("access_token");
    }
}
