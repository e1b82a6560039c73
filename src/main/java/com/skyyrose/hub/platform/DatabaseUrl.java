package com.skyyrose.hub.platform;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Locale;

/**
 * A PostgreSQL location as JDBC needs it, parsed from {@code DATABASE_URL}.
 *
 * <p>Render gives {@code postgres://user:password@host:port/db}; others give the {@code jdbc:} form. Credentials
 * are percent-decoded (RFC 3986); an '@' or ':' left unencoded inside the password is tolerated by splitting the
 * user info at the first ':' and the authority at the last '@', and a '%' that does not start a valid escape is
 * kept as it is.
 */
public record DatabaseUrl(String jdbcUrl, String username, String password) {

    public static DatabaseUrl parse(String url) {
        if (url == null || url.isBlank()) {
            throw new IllegalArgumentException("DATABASE_URL is empty");
        }
        String trimmed = url.trim();
        if (trimmed.startsWith("jdbc:postgresql:")) {
            return new DatabaseUrl(trimmed, null, null);
        }
        String lower = trimmed.toLowerCase(Locale.ROOT);
        String rest;
        if (lower.startsWith("postgres://")) {
            rest = trimmed.substring("postgres://".length());
        } else if (lower.startsWith("postgresql://")) {
            rest = trimmed.substring("postgresql://".length());
        } else {
            throw new IllegalArgumentException(
                    "DATABASE_URL must start with postgres://, postgresql:// or jdbc:postgresql: (got scheme of '"
                            + redact(trimmed) + "')");
        }
        // The path starts at the first '/' after the authority; the authority ends at the last '@' before it.
        int at = rest.lastIndexOf('@', firstSlashAfterLastAt(rest));
        String userInfo = at >= 0 ? rest.substring(0, at) : null;
        String hostAndPath = at >= 0 ? rest.substring(at + 1) : rest;

        String username = null;
        String password = null;
        if (userInfo != null) {
            int colon = userInfo.indexOf(':');
            username = percentDecode(colon >= 0 ? userInfo.substring(0, colon) : userInfo);
            password = colon >= 0 ? percentDecode(userInfo.substring(colon + 1)) : null;
        }

        int slash = hostAndPath.indexOf('/');
        String hostPort = slash >= 0 ? hostAndPath.substring(0, slash) : hostAndPath;
        String pathAndQuery = slash >= 0 ? hostAndPath.substring(slash + 1) : "";
        if (hostPort.isEmpty()) {
            throw new IllegalArgumentException("DATABASE_URL has no host");
        }
        String database = pathAndQuery;
        String query = "";
        int q = pathAndQuery.indexOf('?');
        if (q >= 0) {
            database = pathAndQuery.substring(0, q);
            query = pathAndQuery.substring(q);
        }
        if (!hostPort.contains(":") || hostPort.endsWith("]")) {
            hostPort = hostPort + ":5432";
        }
        String jdbc = "jdbc:postgresql://" + hostPort + "/" + database + query;
        return new DatabaseUrl(jdbc, emptyToNull(username), password);
    }

    /** The URL with any password removed, safe to log. */
    public String safeDescription() {
        return jdbcUrl.replaceAll("(?i)password=[^&]*", "password=***") + (username != null ? " as " + username : "");
    }

    private static int firstSlashAfterLastAt(String rest) {
        int lastAt = rest.lastIndexOf('@');
        int slash = rest.indexOf('/', Math.max(lastAt, 0));
        return slash >= 0 ? slash : rest.length();
    }

    static String percentDecode(String s) {
        if (s.indexOf('%') < 0) {
            return s;
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream(s.length());
        int i = 0;
        while (i < s.length()) {
            if (s.charAt(i) == '%' && isHex(s, i + 1) && isHex(s, i + 2)) {
                out.write(Integer.parseInt(s.substring(i + 1, i + 3), 16));
                i += 3;
            } else {
                int cp = s.codePointAt(i);
                byte[] bytes = new String(Character.toChars(cp)).getBytes(StandardCharsets.UTF_8);
                out.write(bytes, 0, bytes.length);
                i += Character.charCount(cp);
            }
        }
        return out.toString(StandardCharsets.UTF_8);
    }

    private static boolean isHex(String s, int i) {
        return i < s.length() && Character.digit(s.charAt(i), 16) >= 0;
    }

    private static String emptyToNull(String s) {
        return s == null || s.isEmpty() ? null : s;
    }

    private static String redact(String url) {
        int colon = url.indexOf(':');
        return colon > 0 ? url.substring(0, colon) : "?";
    }
}
