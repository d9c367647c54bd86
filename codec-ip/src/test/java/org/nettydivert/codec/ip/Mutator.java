/*
 * Copyright 2026 The netty-divert Authors
 *
 * Licensed under the Apache License, Version 2.0 (the "License"); you may not use this file
 * except in compliance with the License. You may obtain a copy of the License at
 *
 *   https://www.apache.org/licenses/LICENSE-2.0
 *
 * Unless required by applicable law or agreed to in writing, software distributed under the
 * License is distributed on an "AS IS" BASIS, WITHOUT WARRANTIES OR CONDITIONS OF ANY KIND,
 * either express or implied. See the License for the specific language governing permissions
 * and limitations under the License.
 */
package org.nettydivert.codec.ip;

import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Makes fuzz inputs from valid seeds by the mutations that find parser bugs: bit flips, random
 * and boundary bytes, length fields set to boundary values, bytes inserted and deleted, ranges
 * duplicated, truncation, and splices of two seeds. Deterministic for a given random source.
 */
final class Mutator {
    private static final int[] INTERESTING_16 = {
        0, 1, 7, 8, 19, 20, 39, 40, 0x7F, 0x80, 0xFF, 0x100, 0x7FFF, 0x8000, 0xFFF8, 0xFFFF
    };
    private static final int[] INTERESTING_32 = {
        0, 1, 0x7FFF_FFFF, 0x8000_0000, 0xFFFF_FFFF, 1 << 24, (1 << 24) + 1, 65535
    };
    /** Where IP headers keep their lengths, flags and offsets: tampered with more often than other bytes. */
    private static final int[] LENGTH_FIELDS = {0, 2, 4, 6, 20, 24, 40, 42, 44};

    private final SplittableRandom random;
    private final List<byte[]> seeds;

    Mutator(long seed, List<byte[]> seeds) {
        this.random = new SplittableRandom(seed);
        this.seeds = seeds;
    }

    SplittableRandom random() {
        return random;
    }

    /** A mutant of a random seed. */
    byte[] next() {
        return mutate(seeds.get(random.nextInt(seeds.size())));
    }

    /** {@code seed} with one to four mutations. */
    byte[] mutate(byte[] seed) {
        byte[] b = seed.clone();
        int n = 1 + random.nextInt(4);
        for (int i = 0; i < n; i++) {
            b = once(b);
        }
        return b;
    }

    private byte[] once(byte[] b) {
        switch (random.nextInt(10)) {
            case 0:
                if (b.length > 0) {
                    b[random.nextInt(b.length)] ^= (byte) (1 << random.nextInt(8));
                }
                return b;
            case 1:
                if (b.length > 0) {
                    b[random.nextInt(b.length)] = (byte) random.nextInt(256);
                }
                return b;
            case 2:
            case 3: {
                // A 16-bit field near a header start: the length, fragment and version fields.
                int at = random.nextBoolean()
                        ? LENGTH_FIELDS[random.nextInt(LENGTH_FIELDS.length)]
                        : random.nextInt(Math.max(1, Math.min(b.length, 64)));
                if (at + 2 <= b.length) {
                    int v = random.nextInt(3) == 0
                            ? (((b[at] & 0xFF) << 8) | (b[at + 1] & 0xFF)) + random.nextInt(33) - 16
                            : INTERESTING_16[random.nextInt(INTERESTING_16.length)];
                    b[at] = (byte) (v >>> 8);
                    b[at + 1] = (byte) v;
                }
                return b;
            }
            case 4: {
                if (b.length >= 4) {
                    int at = random.nextInt(b.length - 3);
                    int v = INTERESTING_32[random.nextInt(INTERESTING_32.length)];
                    if (random.nextBoolean()) {
                        v = Integer.reverseBytes(v);
                    }
                    b[at] = (byte) (v >>> 24);
                    b[at + 1] = (byte) (v >>> 16);
                    b[at + 2] = (byte) (v >>> 8);
                    b[at + 3] = (byte) v;
                }
                return b;
            }
            case 5: {
                int at = random.nextInt(b.length + 1);
                int n = 1 + random.nextInt(16);
                byte[] out = new byte[b.length + n];
                System.arraycopy(b, 0, out, 0, at);
                for (int i = 0; i < n; i++) {
                    out[at + i] = (byte) random.nextInt(256);
                }
                System.arraycopy(b, at, out, at + n, b.length - at);
                return out;
            }
            case 6: {
                if (b.length == 0) {
                    return b;
                }
                int at = random.nextInt(b.length);
                int n = 1 + random.nextInt(Math.min(16, b.length - at));
                byte[] out = new byte[b.length - n];
                System.arraycopy(b, 0, out, 0, at);
                System.arraycopy(b, at + n, out, at, b.length - at - n);
                return out;
            }
            case 7:
                return Arrays.copyOf(b, random.nextInt(b.length + 1));
            case 8: {
                if (b.length < 2) {
                    return b;
                }
                int from = random.nextInt(b.length);
                int n = 1 + random.nextInt(Math.min(64, b.length - from));
                int to = random.nextInt(b.length + 1);
                byte[] out = new byte[b.length + n];
                System.arraycopy(b, 0, out, 0, to);
                System.arraycopy(b, from, out, to, n);
                System.arraycopy(b, to, out, to + n, b.length - to);
                return out;
            }
            default: {
                byte[] other = seeds.get(random.nextInt(seeds.size()));
                int cut = random.nextInt(b.length + 1);
                int from = random.nextInt(other.length + 1);
                byte[] out = Arrays.copyOf(b, cut + other.length - from);
                System.arraycopy(other, from, out, cut, other.length - from);
                return out;
            }
        }
    }
}
