package com.skyyrose.hub.assistants;

import static org.assertj.core.api.Assertions.assertThat;

import com.skyyrose.hub.privacy.KnownPersonalData;
import com.skyyrose.hub.privacy.PersonalDataDetectors;
import com.skyyrose.hub.privacy.Pseudonymizer;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** A streamed answer gets the real values back even when a placeholder arrives split over several pieces. */
class StreamRestorerTest {

    @Test
    void aPlaceholderSplitAcrossPiecesIsRestoredWhole() {
        Pseudonymizer pseudonyms = new Pseudonymizer(new PersonalDataDetectors("US"), new KnownPersonalData());
        String masked = pseudonyms.mask("Write to jane.doe@example.com please.");
        assertThat(masked).contains("EMAIL_1").doesNotContain("jane.doe");
        List<String> out = new ArrayList<>();
        ProviderGateway.Restorer restorer = new ProviderGateway.Restorer(pseudonyms, out::add);

        for (String piece : List.of("I will write to <EMA", "IL_", "1> to", "day.")) {
            restorer.accept(piece);
        }
        restorer.flush();

        assertThat(String.join("", out)).isEqualTo("I will write to jane.doe@example.com today.");
        // the unfinished placeholder was held back, never sent half-way
        assertThat(out).noneMatch(p -> p.contains("EMA") || p.endsWith("<"));
        assertThat(out.get(0)).isEqualTo("I will write to ");
    }

    @Test
    void withoutPersonalDataPiecesPassAtOnce() {
        Pseudonymizer pseudonyms = new Pseudonymizer(new PersonalDataDetectors("US"), new KnownPersonalData());
        pseudonyms.mask("Nothing personal here.");
        List<String> out = new ArrayList<>();
        ProviderGateway.Restorer restorer = new ProviderGateway.Restorer(pseudonyms, out::add);
        restorer.accept("Where LOVE");
        restorer.accept(" meets luxury");
        assertThat(out).containsExactly("Where LOVE", " meets luxury");
    }
}
