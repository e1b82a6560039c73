package com.skyyrose.hub.partners;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.skyyrose.hub.support.TestAuth;
import com.skyyrose.hub.support.TestHttp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Partners CRUD, partner keys, and the read API from the store mirror (catalog with cursor + ETag, orders). */
class PartnerApiTest extends PartnerHubTest {

    @Test
    void adminsOnboardPartnersWhoseKeysActForThemAndStopWhenTheyAreDeleted() {
        TestHttp.Reply created = http().postJson("/api/v1/partners",
                "{\"name\":\"Maison Test\",\"contact_email\":\"integrations@maison.example\"}", admin());
        assertThat(created.status()).as(created.body()).isEqualTo(201);
        String id = created.json().get("id").asText();
        assertThat(id).startsWith("prt_");
        assertThat(created.header("Location")).hasValue("/api/v1/partners/" + id);

        assertThat(http().get("/api/v1/partners?limit=200", admin()).body()).contains(id);
        TestHttp.Reply patched = http().send(http().request("/api/v1/partners/" + id)
                .method("PATCH", java.net.http.HttpRequest.BodyPublishers.ofString("{\"name\":\"Maison Renamed\"}"))
                .header("Content-Type", "application/json").header(admin()[0], admin()[1]).build());
        assertThat(patched.status()).as(patched.body()).isEqualTo(200);
        assertThat(patched.json().get("name").asText()).isEqualTo("Maison Renamed");
        assertThat(patched.json().get("contact_email").asText()).isEqualTo("integrations@maison.example");

        TestHttp.Reply key = http().postJson("/api/v1/partners/" + id + "/api-keys",
                "{\"name\":\"feed\",\"rate_per_minute\":3}", admin());
        assertThat(key.status()).as(key.body()).isEqualTo(201);
        String secret = key.json().get("key").asText();
        assertThat(secret).startsWith("hub_");
        assertThat(http().get("/api/v1/partners/" + id, admin()).json().get("api_keys").asInt()).isEqualTo(1);
        // the key is bound: its own usage names its partner; its own rate limit (3/min) applies
        String[] partnerKey = {"X-API-Key", secret};
        TestHttp.Reply usage = http().get("/api/v1/partner/usage", partnerKey);
        assertThat(usage.status()).as(usage.body()).isEqualTo(200);
        assertThat(usage.json().get("partner_id").asText()).isEqualTo(id);
        assertThat(usage.json().get("requests").asLong()).isGreaterThanOrEqualTo(1);
        http().get("/api/v1/partner/subscriptions", partnerKey);
        http().get("/api/v1/partner/subscriptions", partnerKey);
        TestHttp.Reply limited = http().get("/api/v1/partner/subscriptions", partnerKey);
        assertThat(limited.status()).isEqualTo(429);
        // a partner key cannot manage partners, nor can an operator
        assertThat(http().get("/api/v1/partners", auth(partner("Other"))).status()).isEqualTo(403);
        assertThat(http().postJson("/api/v1/partners", "{\"name\":\"x\",\"contact_email\":\"x@x.example\"}",
                TestAuth.withPermissions(http(), "*:read", "partner:*")).status()).isEqualTo(403);
        // bad input is a problem naming the field
        TestHttp.Reply bad = http().postJson("/api/v1/partners", "{\"name\":\"x\"}", admin());
        assertThat(bad.status()).isEqualTo(400);
        assertThat(bad.body()).contains("contact_email");

        TestHttp.Reply deleted = http().method("DELETE", "/api/v1/partners/" + id, admin());
        assertThat(deleted.status()).isEqualTo(204);
        assertThat(http().get("/api/v1/partners/" + id, admin()).json().get("status").asText()).isEqualTo("deleted");
        assertThat(http().get("/api/v1/partners?limit=200", admin()).body()).doesNotContain(id);
        assertThat(http().get("/api/v1/partner/catalog", partnerKey).status()).isEqualTo(401);
        assertThat(http().postJson("/api/v1/partners/" + id + "/api-keys", "{}", admin()).status()).isEqualTo(404);
    }

    @Test
    void theCatalogServesPublishedProductsFromTheMirrorWithCursorsAndETags() {
        String[] a = partner("Catalog Reader");
        String m = marker();
        Instant t = Instant.now().minusSeconds(3600);
        List<String> published = new ArrayList<>();
        long draftId = newId();
        for (int i = 0; i < 5; i++) {
            String sku = "CAT-" + m + "-" + i;
            published.add(sku);
            send("product.updated", product(newId(), sku, "publish", "instock", 10 + i, t.plusSeconds(i)));
        }
        send("product.updated", product(draftId, "CAT-" + m + "-draft", "draft", "instock", 3, t));
        await("the mirror has the products", () -> catalogItem(published.get(4), auth(a)) != null);

        JsonNode one = catalogItem(published.get(2), auth(a));
        assertThat(one.get("name").asText()).isEqualTo("Rose hoodie " + published.get(2));
        assertThat(one.get("price").asText()).isEqualTo("89.00");
        assertThat(one.get("regular_price").asText()).isEqualTo("120.00");
        assertThat(one.get("stock_status").asText()).isEqualTo("instock");
        assertThat(one.get("stock_quantity").asInt()).isEqualTo(12);
        assertThat(one.get("collections").findValuesAsText("slug")).containsExactly("clothing", "t-shirts");
        assertThat(one.get("images").get(0).get("src").asText()).endsWith("T_2_front-4.jpg");
        assertThat(one.get("updated_at").asText()).isNotBlank();
        assertThat(http().get("/api/v1/partner/catalog/CAT-" + m + "-draft", auth(a)).status()).isEqualTo(404);

        // page through everything two at a time: every published product once, never the draft
        List<String> seen = new ArrayList<>();
        String cursor = null;
        int pages = 0;
        do {
            TestHttp.Reply page = http().get("/api/v1/partner/catalog?limit=2" + (cursor == null ? ""
                    : "&cursor=" + cursor), auth(a));
            assertThat(page.status()).as(page.body()).isEqualTo(200);
            assertThat(page.json().get("items").size()).isLessThanOrEqualTo(2);
            page.json().get("items").forEach(item -> seen.add(item.get("sku").asText()));
            cursor = page.json().get("next_cursor").isNull() ? null : page.json().get("next_cursor").asText();
            pages++;
        } while (cursor != null && pages < 500);
        assertThat(seen).containsAll(published).doesNotContain("CAT-" + m + "-draft").doesNotHaveDuplicates();
        assertThat(http().get("/api/v1/partner/catalog?cursor=not-a-cursor", auth(a)).status()).isEqualTo(400);

        // ETag / If-None-Match → 304 until something changes
        String since = "/api/v1/partner/catalog?updated_since=" + Instant.now().minusSeconds(600);
        TestHttp.Reply first = http().get(since, auth(a));
        String etag = first.header("ETag").orElseThrow();
        TestHttp.Reply again = http().get(since, TestAuth.plus(auth(a), "If-None-Match", etag));
        assertThat(again.status()).isEqualTo(304);
        assertThat(again.body()).isEmpty();
        TestHttp.Reply itemTag = http().get("/api/v1/partner/catalog/" + published.get(0), auth(a));
        assertThat(http().get("/api/v1/partner/catalog/" + published.get(0), TestAuth.plus(auth(a), "If-None-Match",
                itemTag.header("ETag").orElseThrow())).status()).isEqualTo(304);
        send("product.updated", product(first.json().get("items").get(0).get("id").asLong(),
                first.json().get("items").get(0).get("sku").asText(), "publish", "outofstock", 0, Instant.now()));
        await("the change shows", () -> http().get(since, TestAuth.plus(auth(a), "If-None-Match", etag)).status()
                == 200);
        // updated_since filters by the mirror's change time
        TestHttp.Reply future = http().get("/api/v1/partner/catalog?updated_since=" + Instant.now().plusSeconds(3600),
                auth(a));
        assertThat(future.json().get("items").size()).isZero();
    }

    @Test
    void aPartnerReadsOnlyItsOwnOrdersAndNoCustomerData() {
        String[] a = partner("Order Owner");
        String[] b = partner("Order Stranger");
        long mine = newId();
        long unattributed = newId();
        send("order.created", order(mine, "processing", a[0], Instant.now().minusSeconds(60)));
        send("order.created", order(unattributed, "processing", null, Instant.now().minusSeconds(60)));
        await("the order is mirrored", () -> http().get("/api/v1/partner/orders/" + mine, auth(a)).status() == 200);

        JsonNode order = http().get("/api/v1/partner/orders/" + mine, auth(a)).json();
        assertThat(order.get("id").asLong()).isEqualTo(mine);
        assertThat(order.get("status").asText()).isEqualTo("processing");
        assertThat(order.get("shipping").get("methods").get(0).asText()).isEqualTo("Flat Rate");
        assertThat(order.get("shipping").get("tracking").get(0).get("number").asText()).isEqualTo("1Z999AA1" + mine);
        String text = order.toString();
        // the sample order's customer: name, e-mail, address, phone, order key, IP never reach a partner
        assertThat(text).doesNotContain("John", "Doe", "john.doe@example.com", "969 Market", "(555) 555-5555",
                "wc_order_", "customer", "billing", "total");

        TestHttp.Reply other = http().get("/api/v1/partner/orders/" + mine, auth(b));
        assertThat(other.status()).isEqualTo(404);
        assertThat(other.body()).doesNotContain("processing", "Flat Rate");
        assertThat(http().get("/api/v1/partner/orders/" + unattributed, auth(a)).status()).isEqualTo(404);
        assertThat(http().get("/api/v1/partner/orders/not-a-number", auth(a)).status()).isEqualTo(404);
        // a user or an unbound key with partner:read has no orders at all
        assertThat(http().get("/api/v1/partner/orders/" + mine, admin()).status()).isEqualTo(404);

        send("order.updated", order(mine, "completed", a[0], Instant.now()));
        await("the status moves", () -> "completed".equals(http().get("/api/v1/partner/orders/" + mine, auth(a))
                .json().path("status").asText()));
    }

    @Test
    void deletingAPartnerDisablesItsSubscriptionsAndDropsItsQueuedDeliveries() {
        String[] p = partner("Leaving " + marker());
        RECEIVER.stubFor(com.github.tomakehurst.wiremock.client.WireMock.post(
                com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo("/hooks/leaving"))
                .willReturn(com.github.tomakehurst.wiremock.client.WireMock.ok()));
        TestHttp.Reply sub = http().postJson("/api/v1/partner/subscriptions", "{\"url\":\"http://127.0.0.1:"
                + RECEIVER.port() + "/hooks/leaving\",\"topics\":[\"product.updated\"]}", auth(p));
        assertThat(sub.status()).as(sub.body()).isEqualTo(201);
        String subId = sub.json().get("id").asText();
        http().postJson("/api/v1/partner/subscriptions/" + subId + "/pause", "", auth(p));
        String sku = "LEAVE-" + marker();
        send("product.updated", product(newId(), sku, "publish", "instock", 1, Instant.now()));
        await("a queued delivery", () -> jdbc.queryForObject("SELECT count(*) FROM partner_delivery WHERE"
                + " subscription_id = ? AND status = 'pending'", Long.class, subId) == 1);

        assertThat(http().method("DELETE", "/api/v1/partners/" + p[0], admin()).status()).isEqualTo(204);
        assertThat(http().get("/api/v1/partner/subscriptions", auth(p)).status()).isEqualTo(401);
        assertThat(jdbc.queryForMap("SELECT status, disabled_reason FROM partner_subscription WHERE id = ?", subId))
                .containsEntry("status", "disabled").containsEntry("disabled_reason", "partner deleted");
        assertThat(jdbc.queryForObject("SELECT count(*) FROM partner_delivery WHERE subscription_id = ?"
                + " AND status = 'pending'", Long.class, subId)).isZero();
        assertThat(http().method("DELETE", "/api/v1/partners/" + p[0], admin()).status()).isEqualTo(404);
    }

    @org.springframework.beans.factory.annotation.Autowired
    org.springframework.jdbc.core.JdbcTemplate jdbc;
}
