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

/** The Internet checksum the slow, obvious way, one byte at a time, to check the fast one against. */
final class ReferenceChecksum {
    private ReferenceChecksum() {}

    /** One's complement sum of {@code data[from, from+length)}, words starting at {@code from}. */
    static int sum(byte[] data, int from, int length) {
        long acc = 0;
        for (int i = 0; i < length; i++) {
            int b = data[from + i] & 0xFF;
            acc += (i % 2 == 0) ? b << 8 : b;
        }
        while ((acc >>> 16) != 0) {
            acc = (acc & 0xFFFF) + (acc >>> 16);
        }
        return (int) acc;
    }

    /** The checksum of {@code data} taken as it is (checksum field already zero). */
    static int checksum(byte[] data) {
        return ~sum(data, 0, data.length) & 0xFFFF;
    }

    static byte[] concat(byte[]... parts) {
        int n = 0;
        for (byte[] p : parts) {
            n += p.length;
        }
        byte[] out = new byte[n];
        int at = 0;
        for (byte[] p : parts) {
            System.arraycopy(p, 0, out, at, p.length);
            at += p.length;
        }
        return out;
    }
}
