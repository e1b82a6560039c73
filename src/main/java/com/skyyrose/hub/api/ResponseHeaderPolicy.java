package com.skyyrose.hub.api;

import java.util.Locale;
import java.util.Set;
import org.apache.camel.Exchange;
import org.apache.camel.support.DefaultHeaderFilterStrategy;
import org.springframework.stereotype.Component;

/**
 * Which Camel message headers may become HTTP response headers: an allow-list, so nothing a client sent
 * ({@code Authorization}, cookies, {@code User-Agent}…) and nothing internal is ever reflected. Inbound, headers
 * named {@code Camel*} are dropped so a client cannot steer a route.
 */
@Component("responseHeaderPolicy")
public class ResponseHeaderPolicy extends DefaultHeaderFilterStrategy {

    private static final Set<String> ALLOWED = Set.of(
            "content-type", "content-disposition", "content-language", "cache-control", "etag", "last-modified",
            "expires", "location", "retry-after", "allow", "link", "www-authenticate", "vary",
            "x-total-count");
    private static final Set<String> ALLOWED_PREFIXES = Set.of("x-ratelimit-", "ratelimit", "x-hub-");

    public ResponseHeaderPolicy() {
        setInFilterStartsWith(CAMEL_FILTER_STARTS_WITH);
        setLowerCase(true);
    }

    @Override
    public boolean applyFilterToCamelHeaders(String headerName, Object headerValue, Exchange exchange) {
        String name = headerName.toLowerCase(Locale.ROOT);
        if (ALLOWED.contains(name)) {
            return false;
        }
        for (String prefix : ALLOWED_PREFIXES) {
            if (name.startsWith(prefix)) {
                return false;
            }
        }
        return true;
    }
}
