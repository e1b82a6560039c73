package com.skyyrose.hub.knowledge;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Locale;
import java.util.Set;
import org.commonmark.node.Block;
import org.commonmark.node.Code;
import org.commonmark.node.FencedCodeBlock;
import org.commonmark.node.HardLineBreak;
import org.commonmark.node.Heading;
import org.commonmark.node.HtmlBlock;
import org.commonmark.node.IndentedCodeBlock;
import org.commonmark.node.SoftLineBreak;
import org.commonmark.node.Text;
import org.commonmark.parser.Parser;
import org.jsoup.Jsoup;
import org.jsoup.nodes.Document;
import org.jsoup.nodes.Element;
import org.jsoup.nodes.Node;
import org.jsoup.select.NodeFilter;

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

    /**
     * Block elements become paragraphs so sentences never run across headings, list items or cells. One walk
     * over the tree (a taken block's subtree is not visited again), so the time is linear in the document.
     */
    static String html(String html) {
        Document doc = Jsoup.parse(html);
        doc.select("script, style, noscript, template").remove();
        StringBuilder out = new StringBuilder();
        doc.body().filter(new NodeFilter() {
            @Override
            public FilterResult head(Node node, int depth) {
                if (!(node instanceof Element block) || !HTML_BLOCKS.contains(block.normalName())) {
                    return FilterResult.CONTINUE;
                }
                String text = block.text().strip();
                if (!text.isEmpty()) {
                    out.append(text);
                    if (HEADINGS.contains(block.normalName()) && !endsSentence(text)) {
                        out.append('.');
                    }
                    out.append("\n\n");
                }
                return FilterResult.SKIP_ENTIRELY; // nested blocks are part of this one's text
            }
        });
        if (out.length() == 0) {
            return doc.body().text();
        }
        return out.toString();
    }

    private static final Set<String> HEADINGS = Set.of("h1", "h2", "h3", "h4", "h5", "h6");
    private static final Set<String> HTML_BLOCKS = Set.of("h1", "h2", "h3", "h4", "h5", "h6", "p", "li", "td",
            "th", "blockquote", "pre", "dt", "dd");
    private static final Parser MARKDOWN = Parser.builder().build();

    /**
     * Markdown through a CommonMark parser (linear time; regexes over Markdown backtrack on inputs such as a long
     * run of {@code [}): text of every block as its own paragraph, link and image targets and emphasis markers
     * dropped, headings ended as sentences, inline HTML dropped. The tree is walked without recursion, so deep
     * nesting cannot overflow the stack.
     */
    static String markdown(String md) {
        org.commonmark.node.Node root = MARKDOWN.parse(md);
        StringBuilder out = new StringBuilder(md.length());
        Deque<Object[]> stack = new ArrayDeque<>();
        stack.push(new Object[] {root, Boolean.FALSE, 0});
        while (!stack.isEmpty()) {
            Object[] top = stack.pop();
            org.commonmark.node.Node node = (org.commonmark.node.Node) top[0];
            if ((Boolean) top[1]) {
                if (node instanceof Heading) {
                    endHeading(out, (Integer) top[2]);
                }
                if (node instanceof Block) {
                    paragraphBreak(out);
                }
                continue;
            }
            if (node instanceof Block) {
                paragraphBreak(out);
            }
            if (node instanceof Text text) {
                out.append(text.getLiteral());
            } else if (node instanceof Code code) {
                out.append(code.getLiteral());
            } else if (node instanceof SoftLineBreak) {
                out.append(' ');
            } else if (node instanceof HardLineBreak) {
                out.append('\n');
            } else if (node instanceof FencedCodeBlock code) {
                out.append(code.getLiteral());
            } else if (node instanceof IndentedCodeBlock code) {
                out.append(code.getLiteral());
            } else if (node instanceof HtmlBlock block) {
                out.append(Jsoup.parse(block.getLiteral()).text());
            }
            stack.push(new Object[] {node, Boolean.TRUE, out.length()});
            // children in document order: push the last first
            Deque<org.commonmark.node.Node> children = new ArrayDeque<>();
            for (org.commonmark.node.Node c = node.getFirstChild(); c != null; c = c.getNext()) {
                children.push(c);
            }
            for (org.commonmark.node.Node c : children) {
                stack.push(new Object[] {c, Boolean.FALSE, 0});
            }
        }
        return out.toString().strip();
    }

    private static void paragraphBreak(StringBuilder out) {
        int n = out.length();
        if (n == 0 || (n >= 2 && out.charAt(n - 1) == '\n' && out.charAt(n - 2) == '\n')) {
            return;
        }
        out.append(out.charAt(n - 1) == '\n' ? "\n" : "\n\n");
    }

    /** A heading ends a sentence: add a full stop unless it already ends with punctuation. */
    private static void endHeading(StringBuilder out, int start) {
        int end = out.length();
        while (end > start && Character.isWhitespace(out.charAt(end - 1))) {
            end--;
        }
        out.setLength(end);
        if (end > start && !endsSentence(out)) {
            out.append('.');
        }
    }

    private static boolean endsSentence(CharSequence text) {
        if (text.length() == 0) {
            return false;
        }
        char last = text.charAt(text.length() - 1);
        return last == '.' || last == '!' || last == '?' || last == ':';
    }
}
