package com.skyyrose.hub.security;

import java.lang.reflect.Field;
import org.bouncycastle.crypto.digests.Blake2bDigest;

/**
 * Argon2id (RFC 9106, version 0x13, one lane) whose working memory lives outside the Java heap: allocated when a
 * hash starts, wiped and freed when it ends. Bouncy Castle's generator (behind Spring's Argon2PasswordEncoder)
 * allocates its 19 MiB as ~19,000 small heap objects per hash; under load they outlive a young collection, are
 * promoted, and every sign-in burst then forced a full collection of the old generation (issue 21,
 * bench/footprint.sh): the heap had to be sized for that garbage. Same output as Bouncy Castle for the same
 * parameters ({@code Argon2idNativeTest} compares them, and the RFC's test vector).
 */
final class Argon2idNative {

    private static final int BLOCK_LONGS = 128;
    private static final int BLOCK_BYTES = 1024;
    private static final int SYNC_POINTS = 4;
    private static final int VERSION = 0x13;
    private static final int TYPE_ID = 2;
    private static final sun.misc.Unsafe UNSAFE = unsafe();
    private static final long LONGS_BASE = UNSAFE.arrayBaseOffset(long[].class);

    private Argon2idNative() {
    }

    /**
     * The Argon2id tag of {@code password} with one lane.
     *
     * @param memoryKib  memory in KiB (blocks), at least 8
     * @param iterations passes over memory, at least 1
     */
    static byte[] hash(byte[] password, byte[] salt, int memoryKib, int iterations, int tagLength) {
        if (memoryKib < 2 * SYNC_POINTS || iterations < 1 || tagLength < 4) {
            throw new IllegalArgumentException("Argon2 parameters out of range");
        }
        int blocks = memoryKib / SYNC_POINTS * SYNC_POINTS; // m' = 4 p floor(m / 4p), p = 1
        int segment = blocks / SYNC_POINTS;
        byte[] h0 = initialHash(password, salt, memoryKib, iterations, tagLength);
        long memory = UNSAFE.allocateMemory((long) blocks * BLOCK_BYTES);
        try {
            long[] prev = new long[BLOCK_LONGS];
            long[] ref = new long[BLOCK_LONGS];
            long[] cur = new long[BLOCK_LONGS];
            long[] work = new long[BLOCK_LONGS];
            long[] permuted = new long[BLOCK_LONGS];
            long[] between = new long[BLOCK_LONGS];
            long[] input = new long[BLOCK_LONGS];
            long[] addresses = new long[BLOCK_LONGS];
            long[] zero = new long[BLOCK_LONGS];
            // B[0][0], B[0][1]
            for (int i = 0; i < 2; i++) {
                byte[] seed = new byte[h0.length + 8];
                System.arraycopy(h0, 0, seed, 0, h0.length);
                le32(seed, h0.length, i);
                le32(seed, h0.length + 4, 0);
                bytesToLongs(longHash(seed, BLOCK_BYTES), cur);
                store(memory, i, cur);
            }
            System.arraycopy(cur, 0, prev, 0, BLOCK_LONGS);
            for (int pass = 0; pass < iterations; pass++) {
                for (int slice = 0; slice < SYNC_POINTS; slice++) {
                    boolean independent = pass == 0 && slice < SYNC_POINTS / 2;
                    int start = pass == 0 && slice == 0 ? 2 : 0;
                    if (independent) {
                        java.util.Arrays.fill(input, 0);
                        input[0] = pass;
                        input[1] = 0; // lane
                        input[2] = slice;
                        input[3] = blocks;
                        input[4] = iterations;
                        input[5] = TYPE_ID;
                        if (start != 0) { // the first segment starts at block 2: its addresses are needed now
                            nextAddresses(input, addresses, zero, between, work, permuted);
                        }
                    }
                    for (int idx = start; idx < segment; idx++) {
                        int index = slice * segment + idx;
                        long pseudoRandom;
                        if (independent) {
                            if (idx % BLOCK_LONGS == 0) {
                                nextAddresses(input, addresses, zero, between, work, permuted);
                            }
                            pseudoRandom = addresses[idx % BLOCK_LONGS];
                        } else {
                            pseudoRandom = prev[0];
                        }
                        long j1 = pseudoRandom & 0xFFFFFFFFL;
                        // one lane: the reference block is always in this lane
                        long area = pass == 0 ? (long) slice * segment + idx - 1 : (long) blocks - segment + idx - 1;
                        long x = (j1 * j1) >>> 32;
                        long y = (area * x) >>> 32;
                        long relative = area - 1 - y;
                        long startPosition = pass == 0 || slice == SYNC_POINTS - 1 ? 0 : (long) (slice + 1) * segment;
                        int refIndex = (int) ((startPosition + relative) % blocks);
                        load(memory, refIndex, ref);
                        if (pass == 0) {
                            compress(prev, ref, cur, work, permuted, null);
                        } else {
                            load(memory, index, cur);
                            compress(prev, ref, cur, work, permuted, cur);
                        }
                        store(memory, index, cur);
                        long[] t = prev;
                        prev = cur;
                        cur = t;
                    }
                }
            }
            // one lane: the final block is the last block, which prev holds
            byte[] last = new byte[BLOCK_BYTES];
            for (int i = 0; i < BLOCK_LONGS; i++) {
                long v = prev[i];
                for (int b = 0; b < 8; b++) {
                    last[i * 8 + b] = (byte) (v >>> (8 * b));
                }
            }
            byte[] tag = longHash(last, tagLength);
            java.util.Arrays.fill(last, (byte) 0);
            java.util.Arrays.fill(prev, 0);
            java.util.Arrays.fill(cur, 0);
            java.util.Arrays.fill(ref, 0);
            java.util.Arrays.fill(work, 0);
            java.util.Arrays.fill(permuted, 0);
            return tag;
        } finally {
            UNSAFE.setMemory(memory, (long) blocks * BLOCK_BYTES, (byte) 0);
            UNSAFE.freeMemory(memory);
            java.util.Arrays.fill(h0, (byte) 0);
        }
    }

    /** H0 = BLAKE2b-512 over the parameters, password and salt (no secret, no associated data). */
    private static byte[] initialHash(byte[] password, byte[] salt, int memoryKib, int iterations, int tagLength) {
        Blake2bDigest digest = new Blake2bDigest(512);
        int[] head = {1, tagLength, memoryKib, iterations, VERSION, TYPE_ID};
        byte[] four = new byte[4];
        for (int v : head) {
            le32(four, 0, v);
            digest.update(four, 0, 4);
        }
        le32(four, 0, password.length);
        digest.update(four, 0, 4);
        digest.update(password, 0, password.length);
        le32(four, 0, salt.length);
        digest.update(four, 0, 4);
        digest.update(salt, 0, salt.length);
        le32(four, 0, 0); // secret
        digest.update(four, 0, 4);
        digest.update(four, 0, 4); // associated data
        byte[] h0 = new byte[64];
        digest.doFinal(h0, 0);
        return h0;
    }

    /** H' (variable-length BLAKE2b) of {@code input}, {@code length} bytes. */
    private static byte[] longHash(byte[] input, int length) {
        byte[] out = new byte[length];
        byte[] len = new byte[4];
        le32(len, 0, length);
        if (length <= 64) {
            Blake2bDigest d = new Blake2bDigest(length * 8);
            d.update(len, 0, 4);
            d.update(input, 0, input.length);
            d.doFinal(out, 0);
            return out;
        }
        Blake2bDigest d = new Blake2bDigest(512);
        byte[] v = new byte[64];
        d.update(len, 0, 4);
        d.update(input, 0, input.length);
        d.doFinal(v, 0);
        int r = (length + 31) / 32 - 2;
        int at = 0;
        System.arraycopy(v, 0, out, at, 32);
        at += 32;
        for (int i = 2; i <= r; i++) {
            d.update(v, 0, 64);
            d.doFinal(v, 0); // doFinal resets the digest
            System.arraycopy(v, 0, out, at, 32);
            at += 32;
        }
        int lastLength = length - 32 * r;
        Blake2bDigest tail = new Blake2bDigest(lastLength * 8);
        tail.update(v, 0, 64);
        tail.doFinal(out, at);
        return out;
    }

    /** The next block of pseudo-random addresses: G(0, G(0, input)) with the counter advanced. */
    private static void nextAddresses(long[] input, long[] addresses, long[] zero, long[] between, long[] work,
            long[] permuted) {
        input[6]++;
        compress(zero, input, between, work, permuted, null);
        compress(zero, between, addresses, work, permuted, null);
    }

    /**
     * out = P(x ^ y) ^ (x ^ y) [^ old]: Argon2's compression G (with version 0x13's XOR into the block it
     * overwrites when {@code old} is given; {@code old} may be {@code out}).
     */
    private static void compress(long[] x, long[] y, long[] out, long[] r, long[] z, long[] old) {
        for (int i = 0; i < BLOCK_LONGS; i++) {
            r[i] = x[i] ^ y[i];
        }
        System.arraycopy(r, 0, z, 0, BLOCK_LONGS);
        for (int i = 0; i < 8; i++) { // rows
            int b = 16 * i;
            permute(z, b, b + 1, b + 2, b + 3, b + 4, b + 5, b + 6, b + 7, b + 8, b + 9, b + 10, b + 11, b + 12,
                    b + 13, b + 14, b + 15);
        }
        for (int i = 0; i < 8; i++) { // columns
            int b = 2 * i;
            permute(z, b, b + 1, b + 16, b + 17, b + 32, b + 33, b + 48, b + 49, b + 64, b + 65, b + 80, b + 81,
                    b + 96, b + 97, b + 112, b + 113);
        }
        if (old != null) {
            for (int i = 0; i < BLOCK_LONGS; i++) {
                out[i] = z[i] ^ r[i] ^ old[i];
            }
        } else {
            for (int i = 0; i < BLOCK_LONGS; i++) {
                out[i] = z[i] ^ r[i];
            }
        }
    }

    private static void permute(long[] v, int v0, int v1, int v2, int v3, int v4, int v5, int v6, int v7, int v8,
            int v9, int v10, int v11, int v12, int v13, int v14, int v15) {
        mix(v, v0, v4, v8, v12);
        mix(v, v1, v5, v9, v13);
        mix(v, v2, v6, v10, v14);
        mix(v, v3, v7, v11, v15);
        mix(v, v0, v5, v10, v15);
        mix(v, v1, v6, v11, v12);
        mix(v, v2, v7, v8, v13);
        mix(v, v3, v4, v9, v14);
    }

    private static void mix(long[] v, int a, int b, int c, int d) {
        v[a] = fBlaMka(v[a], v[b]);
        v[d] = Long.rotateRight(v[d] ^ v[a], 32);
        v[c] = fBlaMka(v[c], v[d]);
        v[b] = Long.rotateRight(v[b] ^ v[c], 24);
        v[a] = fBlaMka(v[a], v[b]);
        v[d] = Long.rotateRight(v[d] ^ v[a], 16);
        v[c] = fBlaMka(v[c], v[d]);
        v[b] = Long.rotateRight(v[b] ^ v[c], 63);
    }

    private static long fBlaMka(long x, long y) {
        return x + y + 2 * (x & 0xFFFFFFFFL) * (y & 0xFFFFFFFFL);
    }

    private static void load(long memory, int index, long[] block) {
        UNSAFE.copyMemory(null, memory + (long) index * BLOCK_BYTES, block, LONGS_BASE, BLOCK_BYTES);
    }

    private static void store(long memory, int index, long[] block) {
        UNSAFE.copyMemory(block, LONGS_BASE, null, memory + (long) index * BLOCK_BYTES, BLOCK_BYTES);
    }

    private static void bytesToLongs(byte[] bytes, long[] longs) {
        for (int i = 0; i < BLOCK_LONGS; i++) {
            long v = 0;
            for (int b = 7; b >= 0; b--) {
                v = (v << 8) | (bytes[i * 8 + b] & 0xFFL);
            }
            longs[i] = v;
        }
    }

    private static void le32(byte[] out, int at, int v) {
        out[at] = (byte) v;
        out[at + 1] = (byte) (v >>> 8);
        out[at + 2] = (byte) (v >>> 16);
        out[at + 3] = (byte) (v >>> 24);
    }

    private static sun.misc.Unsafe unsafe() {
        try {
            Field f = sun.misc.Unsafe.class.getDeclaredField("theUnsafe");
            f.setAccessible(true);
            return (sun.misc.Unsafe) f.get(null);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }
}
