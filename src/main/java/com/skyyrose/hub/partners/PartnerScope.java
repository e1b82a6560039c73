package com.skyyrose.hub.partners;

import com.skyyrose.hub.security.Principal;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.List;
import org.apache.camel.Exchange;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;

/**
 * Which partner a call acts for: the partner an API key is bound to ({@code partner_api_key}), or none (users and
 * unbound keys). Partner-scoped queries filter by this id in SQL, so another partner's record is simply not found.
 */
@Component
public class PartnerScope {

    private static final SecureRandom RANDOM = new SecureRandom();
    private final JdbcTemplate jdbc;
    private final ObjectProvider<PartnerUsage> usage;

    public PartnerScope(JdbcTemplate jdbc, ObjectProvider<PartnerUsage> usage) {
        this.jdbc = jdbc;
        this.usage = usage;
    }

    /** The calling key's active partner id, or null; counts the request in the partner's usage. */
    public String partnerOf(Exchange exchange) {
        Principal principal = Principal.current(exchange).orElse(null);
        if (principal == null || principal.kind() != Principal.Kind.API_KEY) {
            return null;
        }
        List<String> ids = jdbc.queryForList("SELECT k.partner_id FROM partner_api_key k JOIN partner p"
                + " ON p.id = k.partner_id WHERE k.key_id = ? AND p.status = 'active'", String.class, principal.id());
        if (ids.isEmpty()) {
            return null;
        }
        usage.getObject().request(ids.get(0));
        return ids.get(0);
    }

    /** A random id such as {@code prt_…}: URL-safe, no '_' after the prefix. */
    static String newId(String prefix) {
        byte[] b = new byte[12];
        RANDOM.nextBytes(b);
        return prefix + "_" + Base64.getUrlEncoder().withoutPadding().encodeToString(b).replace('_', 'x');
    }
}
