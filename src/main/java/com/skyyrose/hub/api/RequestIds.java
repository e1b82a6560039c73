package com.skyyrose.hub.api;

import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;
import java.util.regex.Pattern;

/** Request id rules shared by the servlet filter and the Camel facade. */
public final class RequestIds {

    public static final String HEADER = "X-Request-Id";
    public static final String MDC_KEY = "requestId";
    /** The caller's principal ({@code user:<id>}, {@code api_key:<id>}) in the MDC once authenticated: ids only. */
    public static final String PRINCIPAL_MDC_KEY = "principalId";
    /** Incoming ids are echoed only when they are short and made of safe characters (no header or log injection). */
    private static final Pattern VALID = Pattern.compile("[A-Za-z0-9._:\\-]{1,128}");

    private RequestIds() {
    }

    public static boolean isValid(String candidate) {
        return candidate != null && VALID.matcher(candidate).matches();
    }

    public static String acceptOrGenerate(String candidate) {
        return isValid(candidate) ? candidate : generate();
    }

    /**
     * A random (version 4) UUID from {@link ThreadLocalRandom}: a request id is no secret (every answer and log line
     * carries it), and {@code UUID.randomUUID()} draws from one synchronized SecureRandom that every request thread
     * queued on under load (JFR: the most contended monitor on the webhook intake path).
     */
    static String generate() {
        ThreadLocalRandom random = ThreadLocalRandom.current();
        long high = (random.nextLong() & ~0xF000L) | 0x4000L; // version 4
        long low = (random.nextLong() & ~(0x3L << 62)) | (0x2L << 62); // IETF variant
        return new UUID(high, low).toString();
    }
}
