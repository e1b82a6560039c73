package com.skyyrose.hub.llm;

import dev.langchain4j.model.chat.ChatModel;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import org.apache.camel.CamelContext;
import org.apache.camel.Processor;
import org.apache.camel.Route;
import org.apache.camel.ServiceStatus;
import org.apache.camel.component.resilience4j.ResilienceProcessor;
import org.springframework.stereotype.Component;

/**
 * The round table's providers, as the routes folder declares them: a provider {@code <id>} is a running route
 * {@code llm-<id>} of group {@code llm-provider} (from {@code direct:llm-<id>}, its call behind a Camel
 * {@code circuitBreaker}) plus its model bean {@code llm-<id>} ({@link ChatProvider}), both in one YAML file under
 * routes/round-table/providers/. Dropping, editing or deleting such a file adds, changes or removes the provider
 * through live reload; nothing here is cached, so every round sees the routes as they are.
 * <p>
 * A provider is enabled when its route is started and its bean is configured (its key set; for servers that take
 * no key, its base URL). Panel order (also the selection's tie-break): openai, anthropic, gemini,
 * openai-compatible, then the others by id.
 */
@Component
public class ProviderRegistry {

    /** Route group of provider routes; their ids are {@code llm-<provider id>}, and so are their model beans. */
    public static final String GROUP = "llm-provider";
    public static final String PREFIX = "llm-";
    /** Endpoint of provider {@code <id>}'s route: {@code direct:llm-<id>}. */
    public static final String PREFIX_ENDPOINT = "direct:llm-";

    /**
     * One enabled provider. {@code family} groups providers serving the same vendor's models (judge choice);
     * {@code circuit} is the breaker of the route's {@code circuitBreaker} EIP (shared by the judge's calls).
     * To call one, use {@link ProviderCaller#chat}: it goes through the route (breaker, retries, privacy, metrics).
     */
    public record Provider(String id, String family, String model, String baseUrl, ChatModel chat,
            CircuitBreaker circuit, ChatProvider settings) {
    }

    private final CamelContext camel;
    /** Breaker per route instance (a reloaded route is a new instance with a new breaker; old ones are collected). */
    private final java.util.Map<Route, CircuitBreaker> breakers =
            java.util.Collections.synchronizedMap(new java.util.WeakHashMap<>());

    public ProviderRegistry(CamelContext camel) {
        this.camel = camel;
    }

    public Optional<Provider> get(String id) {
        if (id == null || id.isBlank()) {
            return Optional.empty();
        }
        return provider(camel.getRoute(PREFIX + id));
    }

    /** Enabled providers in panel order. */
    public List<Provider> enabled() {
        List<Provider> found = new ArrayList<>();
        for (Route route : camel.getRoutes()) {
            if (GROUP.equals(route.getGroup())) {
                provider(route).ifPresent(found::add);
            }
        }
        found.sort(Comparator.comparing(Provider::id, ProviderRegistry::panelOrder));
        return found;
    }

    /** Ids of every provider route (enabled or not, e.g. without its key) in panel order. */
    public List<String> declared() {
        List<String> ids = new ArrayList<>();
        for (Route route : camel.getRoutes()) {
            if (GROUP.equals(route.getGroup()) && route.getRouteId().startsWith(PREFIX)) {
                ids.add(route.getRouteId().substring(PREFIX.length()));
            }
        }
        ids.sort(ProviderRegistry::panelOrder);
        return ids;
    }

    public boolean isEnabled(String id) {
        return get(id).isPresent();
    }

    /** The panel order: the four shipped providers first (as before), then the others by id. */
    static int panelOrder(String a, String b) {
        int ia = LlmProperties.PROVIDER_IDS.indexOf(a);
        int ib = LlmProperties.PROVIDER_IDS.indexOf(b);
        if (ia >= 0 || ib >= 0) {
            return Integer.compare(ia < 0 ? Integer.MAX_VALUE : ia, ib < 0 ? Integer.MAX_VALUE : ib);
        }
        return a.compareTo(b);
    }

    private Optional<Provider> provider(Route route) {
        if (route == null || !GROUP.equals(route.getGroup()) || !route.getRouteId().startsWith(PREFIX)) {
            return Optional.empty();
        }
        String routeId = route.getRouteId();
        ServiceStatus status = camel.getRouteController().getRouteStatus(routeId);
        if (status == null || !status.isStarted()) {
            return Optional.empty();
        }
        ChatProvider bean = camel.getRegistry().lookupByNameAndType(routeId, ChatProvider.class);
        CircuitBreaker circuit = breakers.computeIfAbsent(route, ProviderRegistry::circuitOf);
        if (bean == null || !bean.isConfigured() || circuit == null) {
            return Optional.empty();
        }
        String id = routeId.substring(PREFIX.length());
        String family = bean.getFamily().isBlank() ? id : bean.getFamily();
        return Optional.of(new Provider(id, family, bean.getModel(), bean.getBaseUrl(), bean.chatModel(), circuit,
                bean));
    }

    /** The model bean of an enabled provider (its wire format, base URL, key and model), e.g. to stream from it. */
    public Optional<ChatProvider> settings(String id) {
        return get(id).map(Provider::settings);
    }

    /** The breaker of the route's circuitBreaker EIP (created when the route started). */
    private static CircuitBreaker circuitOf(Route route) {
        for (Processor p : route.filter("*")) {
            if (p instanceof ResilienceProcessor breaker && breaker.getCircuitBreaker() != null) {
                return breaker.getCircuitBreaker();
            }
        }
        return null;
    }
}
