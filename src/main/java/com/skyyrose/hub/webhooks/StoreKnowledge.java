package com.skyyrose.hub.webhooks;

import com.skyyrose.hub.knowledge.KnowledgeStore;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.camel.Exchange;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * The knowledge-base side of store hand-offs: one document per shop product ({@code wc-product-<id>}) and per
 * WordPress post or page ({@code wp-post-<id>}); a store other than {@code default} adds its name
 * ({@code wc-product-eu-<id>}). Published items are upserted with their text, anything else (draft, private,
 * trashed, deleted) is removed, so agents never quote an unreleased product.
 *
 * <p>Order: hand-offs of one resource are recorded in the order its states were applied, so a hand-off that finds a
 * newer knowledge hand-off of the same resource does nothing ({@code superseded}); the check and the write run in
 * one transaction under the document's ingestion lock, so a slow older hand-off never overwrites a newer text.
 */
@Component("storeKnowledge")
public class StoreKnowledge {

    static final String WHO = "webhook";

    private final KnowledgeStore store;
    private final JdbcTemplate jdbc;
    private final TransactionTemplate tx;

    public StoreKnowledge(KnowledgeStore store, JdbcTemplate jdbc, TransactionTemplate tx) {
        this.store = store;
        this.jdbc = jdbc;
        this.tx = tx;
    }

    /** {@code knowledge.reindex}: the product or post in the body becomes (or stays) its document. */
    public void reindex(Exchange exchange) {
        Map<String, Object> body = StoreStateHandlers.body(exchange);
        String resource = header(exchange, "WebhookResource");
        KnowledgeStore.NewDocument doc;
        String status;
        if ("product".equals(resource)) {
            doc = product(exchange, body);
            status = str(body.get("status"));
        } else if ("post".equals(resource) || "page".equals(resource)) {
            Map<String, Object> post = post(body);
            doc = post(exchange, post);
            status = str(StoreStateHandlers.first(post, "post_status", "status"));
        } else {
            outcome(exchange, "ignored (" + resource + ")");
            return;
        }
        boolean published = status == null || "publish".equals(status);
        write(exchange, doc.sourceId(), () -> {
            if (!published) {
                return store.deleteBySource(doc.sourceId(), WHO) ? "removed (" + status + ")" : "absent (" + status + ")";
            }
            Map<String, Object> stored = store.ingest(doc, WHO);
            return (Boolean.TRUE.equals(stored.get("unchanged")) ? "unchanged " : "indexed ") + doc.sourceId() + " "
                    + stored.get("id");
        });
    }

    /** {@code knowledge.remove}: the deleted product's or post's document goes. */
    public void remove(Exchange exchange) {
        String sourceId = sourceId(exchange);
        write(exchange, sourceId, () -> store.deleteBySource(sourceId, WHO) ? "removed " + sourceId : "absent " + sourceId);
    }

    private void write(Exchange exchange, String sourceId, java.util.function.Supplier<String> change) {
        String outcome = tx.execute(status -> {
            // the same lock KnowledgeStore.ingest takes (re-entrant within this transaction)
            jdbc.queryForObject("SELECT pg_advisory_xact_lock(hashtextextended(?, 5))", Object.class,
                    "knowledge:" + sourceId);
            Boolean newer = jdbc.queryForObject("SELECT EXISTS (SELECT 1 FROM webhook_handoff WHERE source = ?"
                    + " AND resource = ? AND resource_id = ? AND target LIKE 'knowledge.%' AND id > ?"
                    + " AND status NOT IN ('dead', 'skipped'))", Boolean.class, header(exchange, "WebhookSource"),
                    header(exchange, "WebhookResource"), header(exchange, "WebhookResourceId"),
                    exchange.getMessage().getHeader(HandoffWorker.HANDOFF_ID, Long.class));
            return Boolean.TRUE.equals(newer) ? "superseded" : change.get();
        });
        outcome(exchange, outcome);
    }

    static String sourceId(String source, String resource, String id) {
        String kind = "product".equals(resource) ? "wc-product-" : "wp-post-";
        return kind + ("default".equals(source) || source == null ? "" : source + "-") + id;
    }

    private static String sourceId(Exchange exchange) {
        return sourceId(header(exchange, "WebhookSource"), header(exchange, "WebhookResource"),
                header(exchange, "WebhookResourceId"));
    }

    /** A product as a small HTML document: name, facts line, short description, description, attributes, link. */
    private static KnowledgeStore.NewDocument product(Exchange exchange, Map<String, Object> p) {
        String name = str(p.get("name"));
        String title = name == null ? "Product " + header(exchange, "WebhookResourceId") : name;
        StringBuilder html = new StringBuilder("<h1>").append(escape(title)).append("</h1>\n<p>");
        List<String> facts = new ArrayList<>();
        fact(facts, "SKU", p.get("sku"));
        fact(facts, "Price", p.get("price") == null ? null : "$" + p.get("price"));
        if (str(p.get("sale_price")) != null) {
            fact(facts, "Regular price", "$" + p.get("regular_price"));
        }
        fact(facts, "Stock", p.get("stock_status"));
        fact(facts, "In stock", p.get("stock_quantity"));
        fact(facts, "Categories", names(p.get("categories")));
        fact(facts, "Tags", names(p.get("tags")));
        html.append(escape(String.join(" · ", facts))).append("</p>\n");
        appendHtml(html, p.get("short_description"));
        appendHtml(html, p.get("description"));
        if (p.get("attributes") instanceof List<?> attributes) {
            for (Object a : attributes) {
                if (a instanceof Map<?, ?> attribute && attribute.get("options") instanceof List<?> options) {
                    html.append("<p>").append(escape(String.valueOf(attribute.get("name")))).append(": ")
                            .append(escape(String.join(", ", options.stream().map(String::valueOf).toList())))
                            .append("</p>\n");
                }
            }
        }
        if (str(p.get("permalink")) != null) {
            html.append("<p>").append(escape(str(p.get("permalink")))).append("</p>\n");
        }
        return new KnowledgeStore.NewDocument(sourceId(exchange), title, "text/html", html.toString(),
                List.of("product", "woocommerce"), "products");
    }

    private static KnowledgeStore.NewDocument post(Exchange exchange, Map<String, Object> p) {
        Object title = StoreStateHandlers.first(p, "post_title", "title");
        if (title instanceof Map<?, ?> rendered) {
            title = rendered.get("rendered");
        }
        Object content = StoreStateHandlers.first(p, "post_content", "content");
        if (content instanceof Map<?, ?> rendered) {
            content = rendered.get("rendered");
        }
        String t = str(title) == null ? "Post " + header(exchange, "WebhookResourceId") : str(title);
        StringBuilder html = new StringBuilder("<h1>").append(escape(t)).append("</h1>\n");
        appendHtml(html, content);
        return new KnowledgeStore.NewDocument(sourceId(exchange), t, "text/html", html.toString(),
                List.of("wordpress", String.valueOf(StoreStateHandlers.first(p, "post_type", "type"))), "site");
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> post(Map<String, Object> body) {
        return body.get("post") instanceof Map<?, ?> m ? (Map<String, Object>) m : body;
    }

    private static void fact(List<String> facts, String label, Object value) {
        String v = str(value);
        if (v != null) {
            facts.add(label + ": " + v);
        }
    }

    private static String names(Object list) {
        if (!(list instanceof List<?> items) || items.isEmpty()) {
            return null;
        }
        return String.join(", ", items.stream().map(i -> i instanceof Map<?, ?> m ? String.valueOf(m.get("name"))
                : String.valueOf(i)).toList());
    }

    /** Shop HTML (descriptions) is kept as HTML: the knowledge base extracts its text. */
    private static void appendHtml(StringBuilder html, Object value) {
        String v = str(value);
        if (v != null) {
            html.append("<div>").append(v).append("</div>\n");
        }
    }

    private static String escape(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
    }

    private static void outcome(Exchange exchange, String outcome) {
        exchange.getMessage().setHeader(HandoffWorker.OUTCOME, outcome);
    }

    private static String header(Exchange exchange, String name) {
        return exchange.getMessage().getHeader(name, String.class);
    }

    private static String str(Object v) {
        return v == null ? null : v instanceof String s ? (s.isBlank() ? null : s) : String.valueOf(v);
    }
}
