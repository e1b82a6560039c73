package com.skyyrose.hub.llm;

import java.util.Locale;

/**
 * How many providers of a round must answer before it may close without the others: {@code all} (wait for every
 * provider, up to the deadline), {@code all-but-one} (the default: all but one of at least two) or a number
 * (at most the panel). Set in configuration ({@code HUB_LLM_QUORUM}), per agent ({@code agent.quorum}) and per
 * request ({@code quorum}).
 */
public final class Quorum {

    public static final String ALL = "all";
    public static final String ALL_BUT_ONE = "all-but-one";

    private Quorum() {
    }

    /** The spec in its canonical form, or an {@link IllegalArgumentException} saying what is accepted. */
    public static String parse(String spec) {
        String s = spec == null ? "" : spec.trim().toLowerCase(Locale.ROOT);
        if (s.equals(ALL) || s.equals(ALL_BUT_ONE)) {
            return s;
        }
        try {
            int n = Integer.parseInt(s);
            if (n >= 1) {
                return String.valueOf(n);
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new IllegalArgumentException("quorum must be \"all\", \"all-but-one\" or a number of providers >= 1, "
                + "not \"" + spec + "\"");
    }

    /** The number of answers that close the round for a panel of {@code panelSize} providers (1..panelSize). */
    public static int of(String spec, int panelSize) {
        if (panelSize <= 1) {
            return Math.max(panelSize, 0);
        }
        String s = parse(spec);
        return switch (s) {
            case ALL -> panelSize;
            case ALL_BUT_ONE -> panelSize - 1;
            default -> Math.min(panelSize, Integer.parseInt(s));
        };
    }
}
