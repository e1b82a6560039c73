package com.skyyrose.hub.security;

import de.mkammerer.argon2.Argon2Advanced;
import de.mkammerer.argon2.Argon2Factory;
import de.mkammerer.argon2.Argon2Version;
import org.bouncycastle.crypto.generators.Argon2BytesGenerator;
import org.bouncycastle.crypto.params.Argon2Parameters;

/**
 * Argon2id (RFC 9106, version 0x13, one lane) computed by the reference C library (libargon2, through argon2-jvm),
 * so its working memory lives outside the Java heap: allocated when a hash starts and freed when it ends. Bouncy
 * Castle's generator (behind Spring's Argon2PasswordEncoder) allocates its 19 MiB as ~19,000 small heap objects per
 * hash; under load they outlive a young collection, are promoted, and every sign-in burst then forced a full
 * collection of the old generation (issue 21, bench/footprint.sh): the heap had to be sized for that garbage.
 * Same output as Bouncy Castle for the same parameters ({@code Argon2idNativeTest} compares them).
 */
final class Argon2idNative {

    private static final Argon2Advanced ARGON2 = Argon2Factory.createAdvanced(Argon2Factory.Argon2Types.ARGON2id);

    private Argon2idNative() {
    }

    /**
     * The Argon2id tag of {@code password} with one lane.
     *
     * @param memoryKib  memory in KiB (blocks), at least 8
     * @param iterations passes over memory, at least 1
     */
    static byte[] hash(byte[] password, byte[] salt, int memoryKib, int iterations, int tagLength) {
        if (memoryKib < 8 || iterations < 1 || tagLength < 4) {
            throw new IllegalArgumentException("Argon2 parameters out of range");
        }
        if (password.length == 0) {
            // argon2-jvm cannot pass an empty buffer to the library; an empty password is rare enough for the heap
            Argon2BytesGenerator generator = new Argon2BytesGenerator();
            generator.init(new Argon2Parameters.Builder(Argon2Parameters.ARGON2_id)
                    .withVersion(Argon2Parameters.ARGON2_VERSION_13).withParallelism(1).withSalt(salt)
                    .withMemoryAsKB(memoryKib).withIterations(iterations).build());
            byte[] tag = new byte[tagLength];
            generator.generateBytes(password, tag);
            return tag;
        }
        return ARGON2.rawHashAdvanced(iterations, memoryKib, 1, password, salt, null, null, tagLength,
                Argon2Version.V13);
    }
}
