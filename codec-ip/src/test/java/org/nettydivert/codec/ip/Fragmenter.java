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

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/** Cuts test datagrams into fragments the way a sending host does, independently of the code under test. */
final class Fragmenter {
    private Fragmenter() {}

    /**
     * Cuts an IPv4 datagram into fragments whose data are {@code sizes} bytes long (multiples of
     * 8), the last one taking the rest; every fragment repeats the whole header.
     */
    static List<byte[]> ipv4(byte[] whole, int... sizes) {
        int headerLength = (whole[0] & 0x0F) * 4;
        List<byte[]> out = new ArrayList<>();
        int at = headerLength;
        for (int i = 0; i <= sizes.length; i++) {
            int size = i < sizes.length ? sizes[i] : whole.length - at;
            out.add(ipv4Fragment(whole, at - headerLength, size, i < sizes.length));
            at += size;
        }
        return out;
    }

    /** One IPv4 fragment of {@code whole}: its data {@code [offset, offset + size)}, More Fragments as given. */
    static byte[] ipv4Fragment(byte[] whole, int offset, int size, boolean more) {
        int headerLength = (whole[0] & 0x0F) * 4;
        byte[] f = new byte[headerLength + size];
        System.arraycopy(whole, 0, f, 0, headerLength);
        System.arraycopy(whole, headerLength + offset, f, headerLength, size);
        TestPackets.put16(f, 2, f.length);
        TestPackets.put16(f, 6, (more ? 0x2000 : 0) | (offset / 8));
        fixIpv4Checksum(f, headerLength);
        return f;
    }

    /** {@code whole} with the flags and offset word cleared (as a reassembler leaves it) and the checksum fixed. */
    static byte[] withoutDontFragment(byte[] whole) {
        byte[] w = whole.clone();
        TestPackets.put16(w, 6, 0);
        fixIpv4Checksum(w, (w[0] & 0x0F) * 4);
        return w;
    }

    private static void fixIpv4Checksum(byte[] f, int headerLength) {
        TestPackets.put16(f, 10, 0);
        TestPackets.put16(f, 10, ReferenceChecksum.checksum(Arrays.copyOf(f, headerLength)));
    }

    /**
     * Cuts an IPv6 datagram whose first {@code unfragmentable} bytes (fixed header and the
     * extension headers that stay in every fragment) end with the Next Header byte at {@code
     * nextIndex} into fragments of {@code sizes} bytes, the last one taking the rest.
     */
    static List<byte[]> ipv6(byte[] whole, int unfragmentable, int nextIndex, int id, int... sizes) {
        List<byte[]> out = new ArrayList<>();
        int at = unfragmentable;
        for (int i = 0; i <= sizes.length; i++) {
            int size = i < sizes.length ? sizes[i] : whole.length - at;
            out.add(ipv6Fragment(whole, unfragmentable, nextIndex, id, at - unfragmentable, size, i < sizes.length));
            at += size;
        }
        return out;
    }

    static byte[] ipv6Fragment(
            byte[] whole, int unfragmentable, int nextIndex, int id, int offset, int size, boolean more) {
        byte[] f = new byte[unfragmentable + 8 + size];
        System.arraycopy(whole, 0, f, 0, unfragmentable);
        f[nextIndex] = 44;
        TestPackets.put16(f, 4, f.length - 40);
        byte[] fragmentHeader = TestPackets.fragmentHeader(whole[nextIndex] & 0xFF, offset, more, id);
        System.arraycopy(fragmentHeader, 0, f, unfragmentable, 8);
        System.arraycopy(whole, unfragmentable + offset, f, unfragmentable + 8, size);
        return f;
    }
}
