package com.skyyrose.hub.knowledge;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.skyyrose.hub.support.HubIntegrationTest;
import com.skyyrose.hub.support.TestAuth;
import com.skyyrose.hub.support.TestHttp;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.camel.ProducerTemplate;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;

/** Knowledge base over the real PostgreSQL: ingestion, replacement, retrieval quality, filters, bad input. */
class KnowledgeBaseTest extends HubIntegrationTest {

    @Autowired
    KnowledgeSeeder seeder;
    @Autowired
    ProducerTemplate producer;
    @Autowired
    KnowledgeReembedder reembedder;
    @Autowired
    org.springframework.jdbc.core.JdbcTemplate jdbc;

    /** A labelled query: the right passage is the seed document's chunk containing the phrase. */
    record Labelled(String query, String source, String phrase) {
    }

    static final List<Labelled> LABELLED = List.of(
            new Labelled("Where is SkyyRose based?", "brand-story", "Oakland"),
            new Labelled("How many pieces are made in a limited drop?", "brand-story", "250 pieces"),
            new Labelled("Does the brand give back to the local community?", "brand-story", "youth arts"),
            new Labelled("Which words should copywriters never use?", "brand-voice", "Words to avoid"),
            new Labelled("Can we use emoji in social media posts?", "brand-voice", "Emoji"),
            new Labelled("How is the brand name spelled?", "brand-voice", "as one word"),
            new Labelled("What is the hex code of rose gold?", "visual-identity", "#B76E79"),
            new Labelled("Which font is used for headings?", "visual-identity", "Playfair Display"),
            new Labelled("What are the rules for clear space around the logo?", "visual-identity", "clear space"),
            new Labelled("Tell me about the Black Rose hoodie", "collection-black-rose", "Black Rose Hoodie"),
            new Labelled("Is there a satin bomber with a quilted lining?", "collection-black-rose", "Black Rose Bomber"),
            new Labelled("Will sold-out Black Rose pieces be restocked?", "collection-black-rose", "never restock"),
            new Labelled("varsity jacket with leather sleeves", "collection-love-hurts", "Varsity Jacket"),
            new Labelled("When do new Love Hurts pieces drop?", "collection-love-hurts", "February"),
            new Labelled("What is the mood of the Love Hurts line?", "collection-love-hurts", "passionate"),
            new Labelled("matching jogger and crewneck set", "collection-signature", "Signature Crewneck"),
            new Labelled("Which collection is always in stock?", "collection-signature", "always in stock"),
            new Labelled("How many days do I have to return an item?", "policy-returns", "30 days"),
            new Labelled("Can I return a limited numbered drop?", "policy-returns", "final sale"),
            new Labelled("How long until I get my refund?", "policy-returns", "5 business days"),
            new Labelled("Is shipping free?", "policy-shipping", "$150"),
            new Labelled("Do I pay customs duties on international orders?", "policy-shipping", "duties"),
            new Labelled("How fast is express delivery?", "policy-shipping", "Express delivery"),
            new Labelled("How should I wash my hoodie?", "care-and-sizing", "cold water"),
            new Labelled("Do the joggers run small?", "care-and-sizing", "slim"),
            new Labelled("Where does the organic cotton come from?", "materials-sustainability", "Portugal"),
            new Labelled("Is the packaging plastic free?", "materials-sustainability", "plastic-free"),
            new Labelled("What happens to unsold stock?", "materials-sustainability", "landfill"));

    private String[] auth() {
        return TestAuth.admin(http());
    }

    @BeforeEach
    void seeded() {
        assertThat(seeder.seed()).isGreaterThanOrEqualTo(10);
    }

    private TestHttp.Reply search(String json) {
        return http().postJson("/api/v1/knowledge/search", json, auth());
    }

    private JsonNode post(Map<String, Object> doc, int expectedStatus) throws Exception {
        TestHttp.Reply r = http().postJson("/api/v1/knowledge/documents", TestHttp.json().writeValueAsString(doc),
                auth());
        assertThat(r.status()).as(r.body()).isEqualTo(expectedStatus);
        return r.json();
    }

    @Test
    void searchFindsTheRightPassagesForTheLabelledBrandQueries() throws Exception {
        int hits = 0;
        List<String> misses = new ArrayList<>();
        for (Labelled l : LABELLED) {
            ObjectNode q = TestHttp.json().createObjectNode().put("query", l.query()).put("k", 5);
            TestHttp.Reply r = search(q.toString());
            assertThat(r.status()).as(r.body()).isEqualTo(200);
            JsonNode results = r.json().get("results");
            assertThat(results.size()).isBetween(1, 5);
            boolean found = false;
            double previous = 2;
            for (JsonNode hit : results) {
                assertThat(hit.get("score").asDouble()).isLessThanOrEqualTo(previous).isBetween(-1.0, 1.0);
                previous = hit.get("score").asDouble();
                assertThat(hit.get("id").asText()).startsWith("chunk-");
                if (hit.get("source_id").asText().equals("seed:" + l.source())
                        && hit.get("text").asText().contains(l.phrase())) {
                    found = true;
                }
            }
            if (found) {
                hits++;
            } else {
                misses.add(l.query());
            }
        }
        double recall = (double) hits / LABELLED.size();
        assertThat(LABELLED).hasSizeGreaterThanOrEqualTo(20);
        assertThat(recall).as("recall@5 (misses: %s)", misses).isGreaterThanOrEqualTo(0.9);
    }

    @Test
    void filtersByTagAndCollection() {
        JsonNode byCollection = search("{\"query\": \"hoodie jacket embroidery\", \"k\": 10, "
                + "\"collection\": \"black rose\"}").json().get("results");
        assertThat(byCollection.size()).isPositive();
        byCollection.forEach(h -> assertThat(h.get("collection").asText()).isEqualTo("Black Rose"));

        JsonNode byTag = search("{\"query\": \"hoodie jacket embroidery\", \"k\": 10, \"tags\": [\"policy\"]}")
                .json().get("results");
        assertThat(byTag.size()).isPositive();
        byTag.forEach(h -> assertThat(h.get("tags").findValuesAsText("")).isEmpty());
        byTag.forEach(h -> {
            List<String> tags = new ArrayList<>();
            h.get("tags").forEach(t -> tags.add(t.asText()));
            assertThat(tags).contains("policy");
        });

        JsonNode both = search("{\"query\": \"returns\", \"k\": 10, \"tags\": [\"policy\"], "
                + "\"collection\": \"Signature\"}").json().get("results");
        assertThat(both.size()).isZero();

        JsonNode strict = search("{\"query\": \"How many days do I have to return an item?\", \"k\": 50, "
                + "\"min_score\": 0.5}").json().get("results");
        assertThat(strict.size()).isPositive();
        strict.forEach(h -> assertThat(h.get("score").asDouble()).isGreaterThanOrEqualTo(0.5));
        JsonNode all = search("{\"query\": \"How many days do I have to return an item?\", \"k\": 50}")
                .json().get("results");
        assertThat(all.size()).isGreaterThan(strict.size());
    }

    @Test
    void ragRetrieveBuildingBlockReturnsCitablePassages() {
        @SuppressWarnings("unchecked")
        List<Map<String, Object>> passages = producer.requestBody("direct:rag-retrieve",
                Map.of("query", "Is shipping free?", "k", 3, "tags", List.of("policy")), List.class);
        assertThat(passages).hasSizeBetween(1, 3);
        assertThat(passages.get(0)).containsKeys("id", "document_id", "title", "text", "score");
        assertThat((String) passages.get(0).get("text")).contains("$150");

        @SuppressWarnings("unchecked")
        Map<String, Object> prompt = producer.requestBody("direct:assemble-prompt", Map.of(
                "instructions", "You are the SkyyRose support agent. Cite passages by id.",
                "task", "Is shipping free?", "k", 3, "token_budget", 2000), Map.class);
        assertThat((String) prompt.get("system")).startsWith("You are the SkyyRose support agent")
                .contains("Where Love Meets Luxury");
        assertThat((String) prompt.get("user")).contains("[" + passages.get(0).get("id") + "]")
                .endsWith("Is shipping free?");
    }

    @Test
    void repostingASourceReplacesItsChunksAndIdenticalContentChangesNothing() throws Exception {
        String source = "test-replace-" + System.nanoTime();
        JsonNode first = post(Map.of("source_id", source, "title", "Replace test", "content_type", "text/plain",
                "content", "The quokka velvet scarf is woven from alpaca wool. It is dyed deep crimson.",
                "tags", List.of("Test", "test")), 201);
        try {
            assertThat(first.get("chunk_count").asInt()).isEqualTo(1);
            assertThat(first.get("tags").size()).isEqualTo(1);
            String oldChunk = hitFor("quokka velvet scarf alpaca", source);
            assertThat(oldChunk).isNotNull();

            JsonNode second = post(Map.of("source_id", source, "title", "Replace test", "content_type",
                    "text/plain", "content", "The lunar linen shirt is cut from Belgian flax. It is pearl white."),
                    201);
            assertThat(second.get("id").asText()).isEqualTo(first.get("id").asText());
            assertThat(second.get("revision").asInt()).isEqualTo(2);
            assertThat(hitFor("lunar linen shirt Belgian flax", source)).isNotNull().isNotEqualTo(oldChunk);
            JsonNode doc = http().get("/api/v1/knowledge/documents/" + first.get("id").asText(), auth()).json();
            assertThat(doc.get("chunks").size()).isEqualTo(1);
            assertThat(doc.get("chunks").get(0).get("text").asText()).contains("lunar linen").doesNotContain("quokka");

            JsonNode again = post(Map.of("source_id", source, "title", "Replace test", "content_type",
                    "text/plain", "content", "The lunar linen shirt is cut from Belgian flax. It is pearl white."),
                    200);
            assertThat(again.get("unchanged").asBoolean()).isTrue();
            assertThat(again.get("revision").asInt()).isEqualTo(2);

            JsonNode listed = http().get("/api/v1/knowledge/documents?tag=test&limit=200", auth()).json();
            assertThat(listed.get("items").findValuesAsText("source_id")).doesNotContain(source);
        } finally {
            http().method("DELETE", "/api/v1/knowledge/documents/" + first.get("id").asText(), auth());
        }
        assertThat(http().get("/api/v1/knowledge/documents/" + first.get("id").asText(), auth()).status())
                .isEqualTo(404);
        assertThat(hitFor("lunar linen shirt Belgian flax", source)).isNull();
    }

    @Test
    void chunksEmbeddedByAnotherModelAreReembeddedAndFoundAgain() throws Exception {
        String source = "test-reembed-" + System.nanoTime();
        JsonNode doc = post(Map.of("source_id", source, "title", "Re-embed test", "content_type", "text/plain",
                "content", "The obsidian silk kimono has hand-stitched peonies. It ships in a lacquered box."), 201);
        String id = doc.get("id").asText();
        try {
            JsonNode hit = search("{\"query\": \"obsidian silk kimono peonies\", \"k\": 1}").json().get("results").get(0);
            assertThat(hit.get("source_id").asText()).isEqualTo(source);
            double freshScore = hit.get("score").asDouble();
            // as if another model had written it: the vectors of an unrelated text, and that model's name
            Embedder float32 = new Embedder(1, 1, Embedder.FLOAT32);
            float[] unrelated = float32.embed("quarterly tax filing deadlines");
            float32.destroy();
            String[] cubes = KnowledgeStore.cubes(unrelated);
            jdbc.update("UPDATE knowledge_chunk SET e1 = ?::cube, e2 = ?::cube, e3 = ?::cube, e4 = ?::cube, embedding = ? "
                    + "WHERE document_id = ?::uuid", cubes[0], cubes[1], cubes[2], cubes[3],
                    KnowledgeIndex.bytes(unrelated), id);
            jdbc.update("UPDATE knowledge_document SET embedding_model = ? WHERE id = ?::uuid", Embedder.FLOAT32, id);
            assertThat(hitFor("obsidian silk kimono peonies", source)).isNull();

            assertThat(reembedder.reembedAll()).isGreaterThanOrEqualTo(1);
            assertThat(jdbc.queryForObject("SELECT embedding_model FROM knowledge_document WHERE id = ?::uuid",
                    String.class, id)).isEqualTo(Embedder.INT8);
            JsonNode again = search("{\"query\": \"obsidian silk kimono peonies\", \"k\": 1}").json().get("results").get(0);
            assertThat(again.get("source_id").asText()).isEqualTo(source);
            assertThat(again.get("score").asDouble()).isCloseTo(freshScore, org.assertj.core.data.Offset.offset(1e-4));
            assertThat(reembedder.reembedAll()).as("nothing left to do").isZero();
        } finally {
            http().method("DELETE", "/api/v1/knowledge/documents/" + id, auth());
        }
    }

    @Test
    void markdownAndHtmlAreIngestedAsText() throws Exception {
        String source = "test-html-" + System.nanoTime();
        JsonNode html = post(Map.of("source_id", source, "title", "HTML test", "content_type",
                "text/html; charset=utf-8", "collection", "Love Hurts", "content",
                "<html><head><style>p{color:red}</style><script>var x=1;</script></head><body>"
                        + "<h1>Care</h1><p>Hand wash the <b>chenille heart</b> patch.</p>"
                        + "<ul><li>Never bleach.</li><li>Dry flat.</li></ul></body></html>"), 201);
        String md = "test-md-" + System.nanoTime();
        JsonNode markdown = post(Map.of("source_id", md, "title", "MD test", "content_type", "text/markdown",
                "content", "# Heading\n\nSome **bold** text with a [link](https://example.com).\n\n- item one\n"), 201);
        try {
            String htmlText = http().get("/api/v1/knowledge/documents/" + html.get("id").asText(), auth()).json()
                    .get("chunks").get(0).get("text").asText();
            assertThat(htmlText).contains("Hand wash the chenille heart patch.").contains("Never bleach.")
                    .doesNotContain("<", "color:red", "var x");
            assertThat(html.get("collection").asText()).isEqualTo("Love Hurts");
            assertThat(html.get("content_type").asText()).isEqualTo("text/html");
            String mdText = http().get("/api/v1/knowledge/documents/" + markdown.get("id").asText(), auth()).json()
                    .get("chunks").get(0).get("text").asText();
            assertThat(mdText).contains("Some bold text with a link.").doesNotContain("**", "](", "# ");

            JsonNode listed = http().get("/api/v1/knowledge/documents?collection=love%20hurts&limit=200", auth())
                    .json();
            assertThat(listed.get("items").findValuesAsText("source_id")).contains(source)
                    .doesNotContain(md);
        } finally {
            http().method("DELETE", "/api/v1/knowledge/documents/" + html.get("id").asText(), auth());
            http().method("DELETE", "/api/v1/knowledge/documents/" + markdown.get("id").asText(), auth());
        }
    }

    @Test
    void badInputIsAClear4xx() throws Exception {
        TestHttp.Reply empty = http().postJson("/api/v1/knowledge/documents",
                "{\"title\": \"Empty\", \"content\": \"   \"}", auth());
        assertThat(empty.status()).isEqualTo(400);
        assertThat(empty.json().get("errors").findValuesAsText("field")).contains("/content");

        TestHttp.Reply noText = http().postJson("/api/v1/knowledge/documents",
                "{\"title\": \"Markup only\", \"content_type\": \"text/html\", \"content\": \"<div><br></div>\"}",
                auth());
        assertThat(noText.status()).isEqualTo(400);

        String big = "Love meets luxury in Oakland. ".repeat(20 * 1024 * 1024 / 30 + 1);
        TestHttp.Reply tooLarge = http().postJson("/api/v1/knowledge/documents", TestHttp.json().writeValueAsString(
                Map.of("title", "Huge", "content", big)), auth());
        assertThat(tooLarge.status()).as(tooLarge.body()).isEqualTo(413);
        assertThat(tooLarge.contentType()).startsWith("application/problem+json");
        assertThat(tooLarge.json().get("detail").asText()).contains("at most");

        TestHttp.Reply pdf = http().postJson("/api/v1/knowledge/documents",
                "{\"title\": \"PDF\", \"content_type\": \"application/pdf\", \"content\": \"%PDF-1.4\"}", auth());
        assertThat(pdf.status()).isEqualTo(415);
        assertThat(pdf.json().get("detail").asText()).contains("text/markdown");

        TestHttp.Reply rawHtml = http().post("/api/v1/knowledge/documents", "text/html", "<p>hello</p>", auth());
        assertThat(rawHtml.status()).isEqualTo(415);

        for (String k : List.of("0", "51", "-3", "2.5")) {
            TestHttp.Reply r = search("{\"query\": \"hoodie\", \"k\": " + k + "}");
            assertThat(r.status()).as("k=" + k).isEqualTo(400);
            assertThat(r.json().get("errors").findValuesAsText("field")).as("k=" + k).contains("/k");
        }
        assertThat(search("{\"k\": 5}").status()).isEqualTo(400);
        assertThat(search("{\"query\": \"\"}").status()).isEqualTo(400);
        assertThat(search("{\"query\": \"hoodie\", \"min_score\": 3}").status()).isEqualTo(400);

        assertThat(http().get("/api/v1/knowledge/documents/not-a-uuid", auth()).status()).isEqualTo(400);
        assertThat(http().get("/api/v1/knowledge/documents/00000000-0000-0000-0000-000000000000", auth()).status())
                .isEqualTo(404);
        assertThat(http().method("DELETE", "/api/v1/knowledge/documents/00000000-0000-0000-0000-000000000000",
                auth()).status()).isEqualTo(404);
    }

    /** The id of the top chunk of that source for the query, or null when the source is not in the top 10. */
    private String hitFor(String query, String source) {
        JsonNode results = search("{\"query\": \"" + query + "\", \"k\": 10}").json().get("results");
        for (JsonNode hit : results) {
            if (hit.get("source_id").asText().equals(source)) {
                return hit.get("id").asText();
            }
        }
        return null;
    }
}
