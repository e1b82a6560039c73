package com.skyyrose.hub.tools;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.File;
import java.time.Duration;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Descriptor files are read strictly: a broken descriptor is refused, never half-registered. */
class ToolDescriptorTest {

    static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

    static JsonNode yaml(String text) throws Exception {
        return YAML.readTree(text);
    }

    @Test
    void aCompleteDescriptorIsRead() throws Exception {
        ToolDescriptor d = ToolRegistry.parse(yaml("""
                name: shop.things.get
                description: One thing.
                category: commerce
                severity: read_only
                permission: shop:read
                timeout: 15s
                idempotent: true
                rate_limit: {capacity: 5, period: 10s}
                parameters: {type: object, required: [id], properties: {id: {type: integer}}}
                """), "test");
        assertThat(d.endpointUri()).isEqualTo("direct:tool-shop.things.get");
        assertThat(d.timeout()).isEqualTo(Duration.ofSeconds(15));
        assertThat(d.rateLimit()).isEqualTo(new ToolDescriptor.RateLimit(5, Duration.ofSeconds(10)));
        assertThat(d.idempotent()).isTrue();
    }

    @Test
    void brokenDescriptorsAreRefused() {
        String base = "description: d\ncategory: c\npermission: p\nparameters: {type: object}\n";
        assertThatThrownBy(() -> ToolRegistry.parse(yaml("name: Bad Name\nseverity: low\n" + base), "t"))
                .hasMessageContaining("must look like");
        assertThatThrownBy(() -> ToolRegistry.parse(yaml("name: a.b\nseverity: scary\n" + base), "t"))
                .hasMessageContaining("severity");
        assertThatThrownBy(() -> ToolRegistry.parse(yaml("name: a.b\nseverity: low\ndescription: d\ncategory: c\n"
                + "permission: p\nparameters: {type: array}\n"), "t")).hasMessageContaining("JSON Schema of type object");
        assertThatThrownBy(() -> ToolRegistry.parse(yaml("name: a.b\nseverity: low\ndescription: d\ncategory: c\n"
                + "parameters: {type: object}\n"), "t")).hasMessageContaining("permission");
    }

    @Test
    void theShippedDescriptorFilesAreValidAndUnique() throws Exception {
        Set<String> names = new HashSet<>();
        File[] files = new File("routes/tools").listFiles((dir, name) -> name.endsWith(".tools.yml"));
        assertThat(files).isNotEmpty();
        for (File file : files) {
            for (JsonNode node : YAML.readTree(file)) {
                ToolDescriptor d = ToolRegistry.parse(node, file.getName());
                assertThat(names.add(d.name())).as("duplicate " + d.name()).isTrue();
                assertThat(d.permission()).as(d.name()).contains(":");
            }
        }
        assertThat(names).hasSize(14);
    }

    @Test
    void escalationsRaiseTheSeverityOrThePermissionsByTheArguments() throws Exception {
        ToolDescriptor d = ToolRegistry.parse(yaml("""
                name: blog.posts.create
                description: d
                category: content
                severity: low
                permission: blog:write
                parameters: {type: object, properties: {status: {type: string}, shop_id: {type: integer}}}
                escalate:
                  - when: {type: object, required: [status], properties: {status: {enum: [publish, future]}}}
                    severity: high
                    reason: goes live
                  - when: {type: object, required: [shop_id]}
                    permission: shop:write
                    reason: writes to the shop
                """), "t");
        assertThat(d.severityFor(yaml("{status: publish}"))).isEqualTo("high");
        assertThat(d.severityFor(yaml("{status: future}"))).isEqualTo("high");
        assertThat(d.severityFor(yaml("{status: draft}"))).isEqualTo("low");
        assertThat(d.severityFor(yaml("{}"))).isEqualTo("low");
        assertThat(d.permissionEscalations(yaml("{shop_id: 3}"))).extracting(ToolDescriptor.Escalation::permission)
                .containsExactly("shop:write");
        assertThat(d.permissionEscalations(yaml("{status: publish}"))).isEmpty();

        String base = "name: a.b\ndescription: d\ncategory: c\npermission: p:q\nparameters: {type: object}\n";
        assertThatThrownBy(() -> ToolRegistry.parse(yaml(base + "severity: high\nescalate:\n"
                + "  - {when: {type: object}, severity: low, reason: r}\n"), "t")).hasMessageContaining("above high");
        assertThatThrownBy(() -> ToolRegistry.parse(yaml(base + "severity: low\nescalate:\n"
                + "  - {when: {type: object}, reason: r}\n"), "t")).hasMessageContaining("must raise");
        assertThatThrownBy(() -> ToolRegistry.parse(yaml(base + "severity: low\nescalate:\n"
                + "  - {severity: high, reason: r}\n"), "t")).hasMessageContaining("needs 'when'");
        assertThatThrownBy(() -> ToolRegistry.parse(yaml(base + "severity: low\nescalate:\n"
                + "  - {when: {type: object}, severity: high}\n"), "t")).hasMessageContaining("reason");
    }

    @Test
    void theShippedRiskyArgumentsAreDeclared() throws Exception {
        java.util.Map<String, ToolDescriptor> shipped = new java.util.HashMap<>();
        for (File file : new File("routes/tools").listFiles((dir, name) -> name.endsWith(".tools.yml"))) {
            for (JsonNode node : YAML.readTree(file)) {
                ToolDescriptor d = ToolRegistry.parse(node, file.getName());
                shipped.put(d.name(), d);
            }
        }
        ToolDescriptor post = shipped.get("wordpress.posts.create");
        assertThat(post.severityFor(yaml("{title: t, content: c}"))).isEqualTo("low");
        assertThat(post.severityFor(yaml("{title: t, content: c, status: publish}"))).isEqualTo("high");
        assertThat(post.severityFor(yaml("{title: t, content: c, status: future}"))).isEqualTo("high");
        ToolDescriptor tripo = shipped.get("tripo3d.generate");
        assertThat(tripo.permissionEscalations(yaml("{prompt: p, product_id: 4}")))
                .extracting(ToolDescriptor.Escalation::permission).containsExactly("woocommerce:write");
        assertThat(tripo.permissionEscalations(yaml("{prompt: p}"))).isEmpty();
    }
}
