package com.skyyrose.hub.api;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashSet;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class RequestIdsTest {

    @Test
    void generatedIdsAreDistinctVersion4Uuids() {
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < 10_000; i++) {
            String id = RequestIds.acceptOrGenerate(null);
            UUID uuid = UUID.fromString(id);
            assertThat(uuid.version()).isEqualTo(4);
            assertThat(uuid.variant()).isEqualTo(2);
            assertThat(uuid.toString()).isEqualTo(id);
            assertThat(seen.add(id)).isTrue();
        }
    }

    @Test
    void aSafeIncomingIdIsEchoedAndAnUnsafeOneReplaced() {
        assertThat(RequestIds.acceptOrGenerate("partner-42:req.7")).isEqualTo("partner-42:req.7");
        String replaced = RequestIds.acceptOrGenerate("bad id\r\nX-Injected: 1");
        assertThat(replaced).doesNotContain("bad");
        assertThat(UUID.fromString(replaced).version()).isEqualTo(4);
    }
}
