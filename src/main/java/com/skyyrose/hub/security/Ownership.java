package com.skyyrose.hub.security;

import java.util.ArrayList;
import java.util.List;

/**
 * The one rule for records that belong to a principal (agent runs, round-table results, tool jobs, GDPR exports,
 * idempotency records): a caller sees its own, and every principal's only when it holds
 * {@link Permissions#SEE_ALL}. Stores put the {@link Filter} into the query itself — lists, counts and reads by id
 * alike — so another principal's record is never loaded and reads as missing (404), never as forbidden.
 *
 * <p>A work queue may widen it for the holders of the queue's permission ({@link Filter#orFor}): approvers see the
 * runs waiting for approval, which they must read to approve.
 */
public final class Ownership {

    private Ownership() {
    }

    /** A SQL predicate (with {@code ?} placeholders) and its arguments. */
    public record Filter(String sql, List<Object> args) {

        public Filter {
            args = List.copyOf(args);
        }

        /** Also the rows matching {@code sql} when the principal holds {@code permission}. */
        public Filter orFor(Principal principal, String permission, String sql) {
            if (principal == null || !principal.has(permission) || "TRUE".equals(this.sql)) {
                return this;
            }
            return new Filter("(" + this.sql + " OR (" + sql + "))", args);
        }

        /** The arguments after {@code before} (the query's own arguments that precede the predicate). */
        public Object[] with(Object... before) {
            List<Object> all = new ArrayList<>(List.of(before));
            all.addAll(args);
            return all.toArray();
        }

        /** {@code before}, then the predicate's arguments, then {@code after} (e.g. LIMIT and OFFSET). */
        public Object[] around(List<Object> before, Object... after) {
            List<Object> all = new ArrayList<>(before);
            all.addAll(args);
            all.addAll(List.of(after));
            return all.toArray();
        }
    }

    /** The rows whose {@code ownerColumn} is the principal, or all rows for a holder of {@link Permissions#SEE_ALL}. */
    public static Filter of(Principal principal, String ownerColumn) {
        if (seesAll(principal)) {
            return new Filter("TRUE", List.of());
        }
        if (principal == null) {
            return new Filter("FALSE", List.of());
        }
        return new Filter(ownerColumn + " = ?", List.of(principal.id()));
    }

    public static boolean seesAll(Principal principal) {
        return principal != null && principal.has(Permissions.SEE_ALL);
    }
}
