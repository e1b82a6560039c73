package com.skyyrose.hub.agents;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.camel.CamelContext;
import org.apache.camel.model.ChoiceDefinition;
import org.apache.camel.model.Model;
import org.apache.camel.model.ProcessorDefinition;
import org.apache.camel.model.RouteDefinition;
import org.apache.camel.model.SetVariableDefinition;
import org.apache.camel.model.ToDefinition;
import org.apache.camel.model.WhenDefinition;
import org.apache.camel.model.BeanDefinition;
import org.springframework.stereotype.Component;

/**
 * The six SuperAgents as they are defined right now: read from the started routes {@code agent-<id>} of
 * routes/agents/&lt;id&gt;.camel.yaml (so a live edit shows at once, and a broken edit leaves the old definition).
 * Settings are the route's leading {@code setVariable agent.*} steps; the chain is the route's steps.
 */
@Component("agentCatalog")
public class AgentCatalog {

    public static final List<String> IDS = List.of("commerce", "creative", "marketing", "support", "operations",
            "analytics");

    /** An agent's settings, as its YAML file states them. */
    public record Agent(String id, String name, String description, String instructions, List<String> providers,
            List<String> tools, String judge, Double temperature, String cache, List<String> capabilities,
            List<String> chain, String quorum) {

        public Map<String, Object> settings() {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("instructions", instructions);
            m.put("providers", providers);
            m.put("allowed_tools", tools);
            m.put("judge", judge);
            m.put("temperature", temperature);
            m.put("cache", cache);
            m.put("quorum", quorum == null ? "default" : quorum);
            return m;
        }
    }

    private final CamelContext camel;

    public AgentCatalog(CamelContext camel) {
        this.camel = camel;
    }

    public List<Agent> agents() {
        List<Agent> out = new ArrayList<>();
        for (String id : IDS) {
            find(id).ifPresent(out::add);
        }
        return out;
    }

    public Optional<Agent> find(String id) {
        if (id == null || !IDS.contains(id) || camel.getRoute(routeId(id)) == null) {
            return Optional.empty();
        }
        RouteDefinition def = camel.getCamelContextExtension().getContextPlugin(Model.class)
                .getRouteDefinition(routeId(id));
        if (def == null) {
            return Optional.empty();
        }
        Map<String, String> vars = new LinkedHashMap<>();
        List<String> chain = new ArrayList<>();
        for (ProcessorDefinition<?> step : def.getOutputs()) {
            if (step instanceof SetVariableDefinition sv && sv.getName() != null && sv.getName().startsWith("agent.")) {
                vars.put(sv.getName().substring("agent.".length()), sv.getExpression().getExpression());
            } else {
                describe(step, chain);
            }
        }
        String temperature = vars.get("temperature");
        return Optional.of(new Agent(id, vars.getOrDefault("name", id), def.getDescriptionText(),
                vars.get("instructions"), list(vars.get("providers")), list(vars.get("tools")),
                vars.getOrDefault("judge", "auto"), temperature == null || temperature.isBlank() ? null
                        : Double.valueOf(temperature.trim()), vars.getOrDefault("cache", "0s"),
                list(vars.get("capabilities")), chain, vars.get("quorum")));
    }

    public static String routeId(String agentId) {
        return "agent-" + agentId;
    }

    private static void describe(ProcessorDefinition<?> step, List<String> chain) {
        if (step instanceof ToDefinition to) {
            chain.add(to.getUri().replaceFirst("^direct:", ""));
        } else if (step instanceof BeanDefinition bean) {
            chain.add(bean.getRef() + "." + bean.getMethod());
        } else if (step instanceof ChoiceDefinition choice) {
            List<String> branches = new ArrayList<>();
            for (WhenDefinition when : choice.getWhenClauses()) {
                List<String> inner = new ArrayList<>();
                when.getOutputs().forEach(o -> describe(o, inner));
                branches.add("when " + when.getExpression().getExpression() + " -> " + String.join(", ", inner));
            }
            if (choice.getOtherwise() != null) {
                List<String> inner = new ArrayList<>();
                choice.getOtherwise().getOutputs().forEach(o -> describe(o, inner));
                branches.add("otherwise -> " + String.join(", ", inner));
            }
            chain.add("choice [" + String.join(" | ", branches) + "]");
        } else if (step instanceof SetVariableDefinition sv) {
            chain.add("set " + sv.getName());
        } else {
            chain.add(step.getShortName());
        }
    }

    static List<String> list(String csv) {
        if (csv == null || csv.isBlank()) {
            return List.of();
        }
        return Arrays.stream(csv.split("[,\\n]+")).map(String::trim).filter(s -> !s.isEmpty()).toList();
    }
}
