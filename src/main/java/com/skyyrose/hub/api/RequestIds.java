package com.skyyrose.hub.api;

import java.util.UUID;
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
        return isValid(candidate) ? candidate : UUID.randomUUID().toString();
    }
}
