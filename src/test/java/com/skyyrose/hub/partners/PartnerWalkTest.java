package com.skyyrose.hub.partners;

import static com.github.tomakehurst.wiremock.client.WireMock.ok;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.skyyrose.hub.api.OpenApiContract;
import com.skyyrose.hub.support.TestHttp;
import io.swagger.v3.oas.models.Operation;
import io.swagger.v3.oas.models.PathItem;
import io.swagger.v3.oas.models.media.MediaType;
import java.net.http.HttpRequest;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;

/**
 * Partner B walks every partner operation of openapi.yaml (read from the contract: a new operation is walked
 * without editing this test) with partner A's ids in the path: A's subscription, delivery, order and partner id.
 * Each answer is 403 or 404 and holds none of A's ids, URL, secret, message ids or shipment; A's subscription is
 * unchanged afterwards. The same read walk as A finds each of them, so the walk does reach them.
 */
class PartnerWalkTest extends PartnerHubTest {

    @Autowired
    OpenApiContract contract;

    record Call(String operationId, String method, String path, String body) {
    }

    @Test
    void partnerBFindsNothingOfPartnerAInAnyPartnerOperation() throws Exception {
        String m = marker();
        String[] a = partner("Walk A " + m);
        String[] b = partner("Walk B " + m);
        String hook = "/hooks/walk-a-" + m;
        RECEIVER.stubFor(post(urlEqualTo(hook)).willReturn(ok()));
        TestHttp.Reply sub = http().postJson("/api/v1/partner/subscriptions", "{\"url\":\"http://127.0.0.1:"
                + RECEIVER.port() + hook + "\",\"topics\":[\"product.updated\",\"order.status_changed\"]}", auth(a));
        assertThat(sub.status()).as(sub.body()).isEqualTo(201);
        String subId = sub.json().get("id").asText();
        String secret = sub.json().get("secret").asText();
        long orderId = newId();
        String sku = "WALK-" + m;
        send("product.updated", product(newId(), sku, "publish", "instock", 2, Instant.now().minusSeconds(30)));
        send("order.created", order(orderId, "on-hold", a[0], Instant.now().minusSeconds(30)));
        String deliveries = "/api/v1/partner/subscriptions/" + subId + "/deliveries";
        await("A's deliveries", () -> http().get(deliveries + "?status=delivered", auth(a)).json().get("items")
                .size() == 2);
        JsonNode delivered = http().get(deliveries, auth(a)).json().get("items");
        long deliveryId = delivered.get(0).get("id").asLong();

        Map<String, String> ids = Map.of("partnerId", a[0], "subscriptionId", subId,
                "deliveryId", Long.toString(deliveryId), "orderId", Long.toString(orderId), "sku", sku);
        List<String> needles = List.of(a[0], subId, secret, hook, "msg_" + delivered.get(0).get("id").asText(),
                "msg_" + delivered.get(1).get("id").asText(), "1Z999AA1" + orderId, "Walk A " + m);

        List<Call> calls = calls(ids);
        assertThat(calls).extracting(Call::operationId).contains("getPartnerOrder", "listPartnerDeliveries",
                "replayPartnerDelivery", "rotatePartnerSubscriptionSecret", "deletePartnerSubscription",
                "createPartnerApiKey", "listPartnerCatalog");
        List<String> leaks = new ArrayList<>();
        for (Call call : calls) {
            TestHttp.Reply reply = send(call, auth(b));
            List<String> sent = needles.stream().filter(n -> call.path().contains(n)).toList();
            String where = call.operationId() + " " + call.method() + " " + call.path() + " -> " + reply.status();
            if (!sent.isEmpty() && !Set.of(403, 404).contains(reply.status())) {
                leaks.add(where + ": A's record answered to B");
            }
            for (String needle : needles) {
                if (!sent.contains(needle) && reply.body() != null && reply.body().contains(needle)) {
                    leaks.add(where + " holds " + needle);
                }
            }
        }
        assertThat(leaks).isEmpty();

        // nothing of A's changed: the subscription is there, active, with the same secret and its deliveries
        JsonNode after = http().get("/api/v1/partner/subscriptions/" + subId, auth(a)).json();
        assertThat(after.get("status").asText()).isEqualTo("active");
        assertThat(http().get(deliveries + "?status=delivered", auth(a)).json().get("items")).hasSize(2);
        send("product.updated", product(newId(), sku + "-2", "publish", "instock", 2, Instant.now()));
        await("a third delivery", () -> RECEIVER.findAll(com.github.tomakehurst.wiremock.client.WireMock
                .postRequestedFor(urlEqualTo(hook))).size() == 3);
        var third = RECEIVER.findAll(com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor(
                urlEqualTo(hook))).get(2);
        assertThat(third.getHeader("webhook-signature").split(" ")).as("no rotation happened").hasSize(1);
        assertThat(verifies(secret, third.getHeader("webhook-id"), third.getHeader("webhook-timestamp"),
                third.getBodyAsString(), third.getHeader("webhook-signature"))).isTrue();

        // the read walk as A reaches every one of A's records
        List<String> found = new ArrayList<>();
        for (Call call : calls) {
            if (!call.method().equals("GET") || !call.path().startsWith("/api/v1/partner/")) {
                continue;
            }
            String body = send(call, auth(a)).body();
            needles.stream().filter(n -> body != null && body.contains(n)).forEach(found::add);
        }
        assertThat(found).contains(subId, hook, "msg_" + delivered.get(0).get("id").asText(), "1Z999AA1" + orderId,
                a[0]);
    }

    /** Every partner operation (paths under /api/v1/partner and /api/v1/partners) with A's ids in its path. */
    private List<Call> calls(Map<String, String> ids) throws Exception {
        List<Call> out = new ArrayList<>();
        for (var entry : contract.model().getPaths().entrySet()) {
            if (!entry.getKey().startsWith("/api/v1/partner")) {
                continue;
            }
            for (Map.Entry<PathItem.HttpMethod, Operation> op : entry.getValue().readOperationsMap().entrySet()) {
                String path = entry.getKey();
                for (var id : ids.entrySet()) {
                    path = path.replace("{" + id.getKey() + "}", id.getValue());
                }
                String query = op.getKey() == PathItem.HttpMethod.GET && path.endsWith("/deliveries") ? "?limit=200"
                        : "";
                out.add(new Call(op.getValue().getOperationId(), op.getKey().name(), path + query,
                        exampleBody(op.getValue())));
            }
        }
        // DELETE last, so B's attempt to delete A's subscription comes after everything else was tried
        out.sort((x, y) -> Boolean.compare(x.method().equals("DELETE"), y.method().equals("DELETE")));
        return out;
    }

    private TestHttp.Reply send(Call call, String[] headers) {
        HttpRequest.Builder builder = http().request(call.path()).method(call.method(), call.body() == null
                ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(call.body()));
        if (call.body() != null) {
            builder.header("Content-Type", "application/json");
        }
        for (int i = 0; i + 1 < headers.length; i += 2) {
            builder.header(headers[i], headers[i + 1]);
        }
        return http().send(builder.build());
    }

    private static String exampleBody(Operation operation) throws Exception {
        if (operation.getRequestBody() == null) {
            return null;
        }
        MediaType json = operation.getRequestBody().getContent().get("application/json");
        return json == null || json.getExample() == null ? "{}" : TestHttp.json().writeValueAsString(json.getExample());
    }
}
