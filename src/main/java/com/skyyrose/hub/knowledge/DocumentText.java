package com.skyyrose.hub.knowledge;

import java.util.Locale;
import java.util.Set;
import org.jsoup.Jsoup;
import org.jsoup.nodes.Document;
import org.jsoup.nodes.Element;

/** Plain text from the document formats the knowledge base accepts: plain text, Markdown and HTML. */
public final class DocumentText {

    public static final Set<String> SUPPORTED = Set.of("text/plain", "text/markdown", "text/html");

    private DocumentText() {
    }

    /** The media type without parameters, lower case. */
    public static String mediaType(String contentType) {
        int semi = contentType.indexOf(';');
        return (semi >= 0 ? contentType.substring(0, semi) : contentType).strip().toLowerCase(Locale.ROOT);
    }

    public static String extract(String mediaType, String content) {
        return switch (mediaType) {
            case "text/html" -> html(content);
            case "text/markdown" -> markdown(content);
            case "text/plain" -> content;
            default -> throw new IllegalArgumentException("unsupported content type " + mediaType);
        };
    }

    /** Block elements become paragraphs so sentences never run across headings, list items or cells. */
    static String html(String html) {
        Document doc = Jsoup.parse(html);
        doc.select("script, style, noscript, template").remove();
        StringBuilder out = new StringBuilder();
        for (Element block : doc.body().select("h1, h2, h3, h4, h5, h6, p, li, td, th, blockquote, pre, dt, dd")) {
            if (block.parents().stream().anyMatch(p -> p.is("p, li, td, th, blockquote, pre, dd"))) {
                continue; // nested inside another block we already take whole
            }
            String text = block.text().strip();
            if (!text.isEmpty()) {
                out.append(text).append(block.is("h1, h2, h3, h4, h5, h6") && !text.matches(".*[.!?:]$") ? "." : "")
                        .append("\n\n");
            }
        }
        if (out.length() == 0) {
            return doc.body().text();
        }
        return out.toString();
    }

    /** Drops Markdown syntax that carries no meaning for retrieval (markers, link targets, emphasis). */
    static String markdown(String md) {
        StringBuilder out = new StringBuilder();
        boolean fence = false;
        for (String line : md.split("\\r?\\n", -1)) {
            if (line.strip().startsWith("```")) {
                fence = !fence;
                out.append('\n');
                continue;
            }
            String l = line;
            if (!fence) {
                boolean heading = l.matches("^\\s{0,3}#{1,6}\\s+.*");
                l = l.replaceFirst("^\\s{0,3}#{1,6}\\s+", "")
                        .replaceFirst("^\\s*(?:[-*+]|\\d+[.)])\\s+", "")
                        .replaceFirst("^\\s*>\\s?", "")
                        .replaceAll("!\\[([^]]*)]\\([^)]*\\)", "$1")
                        .replaceAll("\\[([^]]*)]\\([^)]*\\)", "$1")
                        .replaceAll("(\\*\\*|__|\\*|`)", "");
                if (heading && !l.isBlank()) {
                    l = "\n" + l.strip() + (l.strip().matches(".*[.!?:]$") ? "" : ".") + "\n";
                } else if (line.matches("^\\s*(?:[-*+]|\\d+[.)])\\s+.*")) {
                    l = "\n" + l.strip() + "\n";
                }
            }
            out.append(l).append('\n');
        }
        return out.toString();
    }
}
