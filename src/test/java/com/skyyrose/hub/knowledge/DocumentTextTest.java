package com.skyyrose.hub.knowledge;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Text extraction and chunking stay linear on hostile input (issue 15, item 6: 200,000 '[' as Markdown hung the
 * knowledge API for more than 30 s in a regex), and Markdown/HTML still come out as clean paragraphs.
 * The timeouts are generous for a slow CI; the old code needs minutes on these inputs.
 */
class DocumentTextTest {

    private final TextChunker chunker = new TextChunker(1000, 150);

    @Test
    @Timeout(value = 20, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void twoHundredThousandOpeningBracketsAsMarkdownAreExtractedAndChunkedPromptly() {
        String hostile = "[".repeat(200_000);
        String text = DocumentText.extract("text/markdown", hostile);
        assertThat(text).hasSize(200_000).containsOnlyOnce("[[[[[[[[[[".repeat(20_000)); // kept as literal text
        List<String> chunks = chunker.chunk(text);
        assertThat(chunks).hasSize(200);
        assertThat(String.join("", chunks)).isEqualTo(hostile);
    }

    /** Floods that make backtracking regexes or naive parsers quadratic ('<a ' did in commonmark before 0.28). */
    @ParameterizedTest
    @ValueSource(strings = {"[a](", "![", "*_", "`a", "<a ", "> ", "- ", "\n\n \t", "[]", "<http:", "&#"})
    @Timeout(value = 20, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void otherFloodsAreLinearToo(String unit) {
        String hostile = unit.repeat(100_000 / unit.length());
        for (String type : List.of("text/markdown", "text/html", "text/plain")) {
            chunker.chunk(DocumentText.extract(type, hostile));
        }
    }

    @Test
    void markdownBecomesParagraphsWithoutSyntax() {
        String md = """
                # Black Rose

                Some **bold** text with a [link](https://example.com) and ![a rose](rose.png).
                A soft break _joins_ lines.

                - item one
                - item `two`

                > Quoted care note

                ```
                code stays
                ```

                <div>Block <b>HTML</b></div>

                ## Care?
                Done.
                """;
        String text = DocumentText.markdown(md);
        assertThat(text).isEqualTo("""
                Black Rose.

                Some bold text with a link and a rose. A soft break joins lines.

                item one

                item two

                Quoted care note

                code stays

                Block HTML

                Care?

                Done.""");
        assertThat(chunker.sentences(text)).containsExactly("Black Rose.",
                "Some bold text with a link and a rose.", "A soft break joins lines.", "item one", "item two",
                "Quoted care note", "code stays", "Block HTML", "Care?", "Done.");
    }

    @Test
    void htmlBlocksBecomeParagraphsAndNestedBlocksAreTakenOnce() {
        String text = DocumentText.html("<h1>Care</h1><p>Hand wash.</p><ul><li>Never <p>bleach</p>.</li></ul>"
                + "<table><tr><td>Dry flat</td></tr></table><script>x()</script>");
        assertThat(text).isEqualTo("Care.\n\nHand wash.\n\nNever bleach .\n\nDry flat\n\n");
    }

    @Test
    void paragraphsSplitOnWhitespaceOnlyLinesAndCollapseWhitespace() {
        assertThat(TextChunker.paragraphs("  a \r\n b\t\tc \r\n \t \r\nd\n\n\n\ne  \n")).containsExactly("a b c",
                "d", "e");
        assertThat(TextChunker.paragraphs(" \n \n ")).isEmpty();
    }
}
