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

    /** Sentences (paragraph-aware), each at most maxChars long. Linear in the text: no regex over the input. */
    List<String> sentences(String text) {
        List<String> out = new ArrayList<>();
        BreakIterator it = BreakIterator.getSentenceInstance(Locale.ENGLISH);
        for (String p : paragraphs(text)) {
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

    /**
     * Paragraphs (separated by lines holding only whitespace), each with its runs of whitespace collapsed to
     * one space and stripped; empty ones are left out. One pass over the characters.
     */
    static List<String> paragraphs(String text) {
        List<String> out = new ArrayList<>();
        StringBuilder p = new StringBuilder();
        boolean space = false;     // a whitespace run is pending in p
        boolean lineBlank = true;  // the current line has had only whitespace so far
        int newlines = 0;          // newlines seen since the last non-whitespace character
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == '\n') {
                if (lineBlank) {
                    newlines++;
                } else {
                    newlines = 1;
                }
                lineBlank = true;
                space = p.length() > 0;
                if (newlines >= 2) {
                    flush(p, out);
                    space = false;
                }
            } else if (Character.isWhitespace(c)) {
                space = p.length() > 0;
            } else {
                if (space) {
                    p.append(' ');
                }
                p.append(c);
                space = false;
                lineBlank = false;
                newlines = 0;
            }
        }
        flush(p, out);
        return out;
    }

    private static void flush(StringBuilder p, List<String> out) {
        if (p.length() > 0) {
            out.add(p.toString());
            p.setLength(0);
        }
    }

    /** Cuts at the last space within maxChars (or hard at maxChars); moves an index, never copies the rest. */
    private void splitLong(String sentence, List<String> out) {
        int from = 0;
        int n = sentence.length();
        while (n - from > maxChars) {
            int cut = sentence.lastIndexOf(' ', from + maxChars);
            if (cut <= from + maxChars / 2) {
                cut = from + maxChars;
            }
            String piece = sentence.substring(from, cut).strip();
            if (!piece.isEmpty()) {
                out.add(piece);
            }
            from = cut;
            while (from < n && sentence.charAt(from) == ' ') {
                from++;
            }
        }
        if (from < n) {
            out.add(sentence.substring(from));
        }
    }
}
