package com.skyyrose.hub.knowledge;

import java.text.BreakIterator;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Splits text into overlapping chunks on sentence boundaries. A chunk holds whole sentences up to
 * {@code maxChars}; the next chunk starts with the last sentences of the previous one (up to {@code overlapChars})
 * so a fact spanning a boundary is found in either. A sentence longer than {@code maxChars} is cut at whitespace.
 * Paragraph breaks always end a sentence (headings and list items stay separate).
 */
public final class TextChunker {

    private final int maxChars;
    private final int overlapChars;

    public TextChunker(int maxChars, int overlapChars) {
        if (maxChars < 50) {
            throw new IllegalArgumentException("chunk size must be at least 50 characters");
        }
        if (overlapChars < 0 || overlapChars >= maxChars / 2) {
            throw new IllegalArgumentException("overlap must be between 0 and half the chunk size");
        }
        this.maxChars = maxChars;
        this.overlapChars = overlapChars;
    }

    public List<String> chunk(String text) {
        List<String> sentences = sentences(text);
        List<String> chunks = new ArrayList<>();
        List<String> current = new ArrayList<>();
        int length = 0;
        boolean fresh = false; // current holds sentences not yet emitted
        for (String sentence : sentences) {
            if (length > 0 && length + 1 + sentence.length() > maxChars) {
                if (fresh) {
                    chunks.add(String.join(" ", current));
                }
                // carry the tail of this chunk over as overlap
                List<String> carry = new ArrayList<>();
                int carried = 0;
                for (int i = current.size() - 1; i >= 0; i--) {
                    String s = current.get(i);
                    if (carried + s.length() + 1 > overlapChars) {
                        break;
                    }
                    carry.add(0, s);
                    carried += s.length() + 1;
                }
                current = carry;
                length = carried;
                fresh = false;
                if (length + 1 + sentence.length() > maxChars) {
                    current = new ArrayList<>();
                    length = 0;
                }
            }
            current.add(sentence);
            length += (length == 0 ? 0 : 1) + sentence.length();
            fresh = true;
        }
        if (fresh && !current.isEmpty()) {
            chunks.add(String.join(" ", current));
        }
        return chunks;
    }

    /** Sentences (paragraph-aware), each at most maxChars long. */
    List<String> sentences(String text) {
        List<String> out = new ArrayList<>();
        for (String paragraph : text.split("\\n\\s*\\n|\\r\\n\\s*\\r\\n")) {
            String p = paragraph.replaceAll("\\s+", " ").strip();
            if (p.isEmpty()) {
                continue;
            }
            BreakIterator it = BreakIterator.getSentenceInstance(Locale.ENGLISH);
            it.setText(p);
            int start = it.first();
            for (int end = it.next(); end != BreakIterator.DONE; start = end, end = it.next()) {
                String s = p.substring(start, end).strip();
                if (!s.isEmpty()) {
                    splitLong(s, out);
                }
            }
        }
        return out;
    }

    private void splitLong(String sentence, List<String> out) {
        String rest = sentence;
        while (rest.length() > maxChars) {
            int cut = rest.lastIndexOf(' ', maxChars);
            if (cut <= maxChars / 2) {
                cut = maxChars;
            }
            out.add(rest.substring(0, cut).strip());
            rest = rest.substring(cut).strip();
        }
        if (!rest.isEmpty()) {
            out.add(rest);
        }
    }
}
