package com.skyyrose.hub.knowledge;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

class TextChunkerTest {

    @Test
    void chunksHoldWholeSentencesWithinTheSizeAndOverlap() {
        StringBuilder text = new StringBuilder();
        for (int i = 0; i < 60; i++) {
            text.append("Sentence number ").append(i).append(" talks about the Black Rose hoodie. ");
        }
        TextChunker chunker = new TextChunker(300, 80);
        List<String> chunks = chunker.chunk(text.toString());
        assertThat(chunks).hasSizeGreaterThan(5);
        for (String c : chunks) {
            assertThat(c.length()).isLessThanOrEqualTo(300);
            assertThat(c).startsWith("Sentence number ").endsWith("hoodie.");
        }
        // consecutive chunks share their boundary sentence
        for (int i = 1; i < chunks.size(); i++) {
            String[] previous = chunks.get(i - 1).split("(?<=\\.) ");
            assertThat(chunks.get(i)).startsWith(previous[previous.length - 1]);
        }
        // nothing is lost
        for (int i = 0; i < 60; i++) {
            String s = "Sentence number " + i + " talks";
            assertThat(chunks).anyMatch(c -> c.contains(s));
        }
    }

    @Test
    void paragraphsEndSentencesAndLongSentencesAreCutAtWhitespace() {
        TextChunker chunker = new TextChunker(100, 0);
        List<String> sentences = chunker.sentences("Heading\n\nBody text here. More text.\n\n" + "word ".repeat(60));
        assertThat(sentences.get(0)).isEqualTo("Heading");
        assertThat(sentences.get(1)).isEqualTo("Body text here.");
        assertThat(sentences.subList(3, sentences.size())).allMatch(s -> s.length() <= 100 && !s.endsWith(" "));
        assertThat(chunker.chunk("   \n\n  ")).isEmpty();
        assertThatThrownBy(() -> new TextChunker(100, 60)).isInstanceOf(IllegalArgumentException.class);
    }
}
