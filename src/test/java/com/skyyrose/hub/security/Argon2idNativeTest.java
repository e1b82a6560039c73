package com.skyyrose.hub.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Random;
import org.bouncycastle.crypto.generators.Argon2BytesGenerator;
import org.bouncycastle.crypto.params.Argon2Parameters;
import org.junit.jupiter.api.Test;
import org.springframework.security.crypto.argon2.Argon2PasswordEncoder;

/** The off-heap Argon2id gives Bouncy Castle's output (Spring's encoder) for the same inputs and parameters. */
class Argon2idNativeTest {

    private static byte[] bouncyCastle(byte[] password, byte[] salt, int memoryKib, int iterations, int length) {
        Argon2BytesGenerator generator = new Argon2BytesGenerator();
        generator.init(new Argon2Parameters.Builder(Argon2Parameters.ARGON2_id)
                .withVersion(Argon2Parameters.ARGON2_VERSION_13).withParallelism(1).withSalt(salt)
                .withMemoryAsKB(memoryKib).withIterations(iterations).build());
        byte[] out = new byte[length];
        generator.generateBytes(password, out);
        return out;
    }

    @Test
    void sameTagsAsBouncyCastleOverRandomInputsAndParameters() {
        Random random = new Random(21);
        // memory: the minimum, sizes that are not a multiple of 4 blocks, sizes past one and several address blocks
        // (128 per block) per segment; tags: short, one BLAKE2b output, longer (H' chained)
        int[] memories = {8, 9, 15, 37, 64, 100, 513, 1024, 2100};
        int[] lengths = {4, 16, 32, 64, 65, 100, 128};
        for (int memory : memories) {
            for (int iterations = 1; iterations <= 3; iterations++) {
                byte[] password = new byte[random.nextInt(40)];
                byte[] salt = new byte[8 + random.nextInt(24)];
                random.nextBytes(password);
                random.nextBytes(salt);
                int length = lengths[random.nextInt(lengths.length)];
                assertThat(Argon2idNative.hash(password, salt, memory, iterations, length))
                        .as("m=%d t=%d length=%d", memory, iterations, length)
                        .isEqualTo(bouncyCastle(password, salt, memory, iterations, length));
            }
        }
    }

    @Test
    void sameTagAsBouncyCastleWithTheProductionParameters() {
        byte[] password = "correct horse battery staple ✓".getBytes(StandardCharsets.UTF_8);
        byte[] salt = "sixteen byte slt".getBytes(StandardCharsets.UTF_8);
        assertThat(Argon2idNative.hash(password, salt, 19456, 2, 32))
                .isEqualTo(bouncyCastle(password, salt, 19456, 2, 32));
    }

    @Test
    void refusesParametersOutOfRange() {
        assertThatThrownBy(() -> Argon2idNative.hash(new byte[1], new byte[8], 7, 1, 32))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Argon2idNative.hash(new byte[1], new byte[8], 8, 0, 32))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void hashesOfEitherImplementationVerifyInTheOther() {
        PasswordHasher hasher = new PasswordHasher(1024, 2, 2, Duration.ofSeconds(5), new SimpleMeterRegistry());
        Argon2PasswordEncoder spring = new Argon2PasswordEncoder(16, 32, 1, 1024, 2);
        for (String password : new String[] {"", "x", "correct horse", "pässwörd ✓ 🔑"}) {
            String ours = hasher.encode(password);
            assertThat(spring.matches(password, ours)).isTrue();
            assertThat(spring.matches(password + "!", ours)).isFalse();
            String theirs = spring.encode(password);
            assertThat(hasher.matches(password, theirs)).isTrue();
            assertThat(hasher.matches(password + "!", theirs)).isFalse();
        }
        // forms this class does not compute go to Spring's encoder: other types, several lanes, another version
        Argon2PasswordEncoder twoLanes = new Argon2PasswordEncoder(16, 32, 2, 1024, 2);
        String lanes = twoLanes.encode("pw");
        assertThat(lanes).contains("p=2");
        assertThat(hasher.matches("pw", lanes)).isTrue();
        assertThat(hasher.matches("pw!", lanes)).isFalse();
        assertThat(hasher.matches("pw", "$argon2id$v=19$m=1024,t=2,p=1$not-base64$x")).isFalse();
        assertThat(hasher.matches("pw", "garbage")).isFalse();
        // a salt shorter than libargon2 takes (Bouncy Castle takes it): still judged, by Spring's encoder
        Argon2PasswordEncoder shortSalt = new Argon2PasswordEncoder(4, 32, 1, 1024, 2);
        String salted = shortSalt.encode("pw");
        assertThat(hasher.matches("pw", salted)).isTrue();
        assertThat(hasher.matches("pw!", salted)).isFalse();
    }
}
