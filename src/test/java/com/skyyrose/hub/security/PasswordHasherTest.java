package com.skyyrose.hub.security;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.Base64;
import org.junit.jupiter.api.Test;

/** The stand-in hash for unknown e-mails: a real Argon2 check against it, made without hashing at start-up. */
class PasswordHasherTest {

    private final PasswordHasher hasher = new PasswordHasher(1024, 2, 2, Duration.ofSeconds(5), new SimpleMeterRegistry());

    @Test
    void theStandInIsWrittenExactlyAsTheEncoderWritesItsOwnHashes() {
        // a real hash re-assembled from its salt and digest by the stand-in's writer: the same string, and it still
        // verifies, so the encoder parses the stand-in and runs a full Argon2 check against it (a malformed hash
        // would be refused at once, and an unknown e-mail would answer faster than a wrong password)
        String real = hasher.encode("correct horse");
        String[] parts = real.split("\\$");
        byte[] salt = Base64.getDecoder().decode(parts[4]);
        byte[] digest = Base64.getDecoder().decode(parts[5]);
        String rewritten = hasher.encoded(salt, digest);
        assertThat(rewritten).isEqualTo(real);
        assertThat(hasher.matches("correct horse", rewritten)).isTrue();
        assertThat(hasher.matches("wrong horse", rewritten)).isFalse();
    }

    @Test
    void theStandInHasTheHashersParametersAndLengthsAndMatchesNothing() {
        String real = hasher.encode("x");
        String standIn = hasher.unmatchableHash();
        String[] r = real.split("\\$");
        String[] s = standIn.split("\\$");
        assertThat(s).hasSameSizeAs(r);
        assertThat(s[1]).isEqualTo("argon2id");
        assertThat(s[2]).isEqualTo(r[2]);
        assertThat(s[3]).isEqualTo(r[3]).isEqualTo("m=1024,t=2,p=1");
        assertThat(s[4]).hasSameSizeAs(r[4]);
        assertThat(s[5]).hasSameSizeAs(r[5]);
        assertThat(hasher.unmatchableHash()).isNotEqualTo(standIn);
        assertThat(hasher.matches("x", standIn)).isFalse();
        assertThat(hasher.matches("", standIn)).isFalse();
    }
}
