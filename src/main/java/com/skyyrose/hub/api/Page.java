package com.skyyrose.hub.api;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.camel.Exchange;

/**
 * The one shape of a paginated list in the API: {@code {items, total, limit, offset}}, with the total also in the
 * {@code X-Total-Count} response header.
 */
public final class Page {

    public static final String TOTAL_HEADER = "X-Total-Count";

    private Page() {
    }

    /** The page body; sets {@code X-Total-Count} on the exchange's reply. */
    public static Map<String, Object> of(Exchange exchange, List<?> items, long total, int limit, int offset) {
        exchange.getMessage().setHeader(TOTAL_HEADER, total);
        Map<String, Object> page = new LinkedHashMap<>();
        page.put("items", items);
        page.put("total", total);
        page.put("limit", limit);
        page.put("offset", offset);
        return page;
    }
}
