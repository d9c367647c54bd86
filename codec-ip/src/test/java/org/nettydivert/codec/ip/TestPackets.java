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

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.net.InetAddress;
import java.net.UnknownHostException;
import org.nettydivert.transport.DivertAddress;
import org.nettydivert.transport.DivertPacket;

/**
 * Builds datagrams byte by byte, with checksums from {@link ReferenceChecksum}, independently of
 * the code under test.
 */
final class TestPackets {
    static final DivertAddress INBOUND = new DivertAddress(8668, DivertAddress.Direction.INBOUND, "em0", null, 42, 0);

    private TestPackets() {}

    static byte[] addr(String literal) {
        try {
            return InetAddress.getByName(literal).getAddress();
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException(e);
        }
    }

    static byte[] tcp(int sport, int dport, int seq, int ack, int flags, int window, byte[] options, byte[] payload) {
        byte[] h = new byte[20 + options.length];
        put16(h, 0, sport);
        put16(h, 2, dport);
        put32(h, 4, seq);
        put32(h, 8, ack);
        h[12] = (byte) (((20 + options.length) / 4) << 4);
        h[13] = (byte) flags;
        put16(h, 14, window);
        System.arraycopy(options, 0, h, 20, options.length);
        return ReferenceChecksum.concat(h, payload);
    }

    static byte[] udp(int sport, int dport, byte[] payload) {
        byte[] h = new byte[8];
        put16(h, 0, sport);
        put16(h, 2, dport);
        put16(h, 4, 8 + payload.length);
        return ReferenceChecksum.concat(h, payload);
    }

    static byte[] icmpEcho(int type, int id, int seq, byte[] payload) {
        byte[] h = new byte[8];
        h[0] = (byte) type;
        put16(h, 4, id);
        put16(h, 6, seq);
        return ReferenceChecksum.concat(h, payload);
    }

    /** An IPv4 datagram (TTL 64, DF, id 0x1c46) around {@code l4}, every checksum filled in. */
    static byte[] ipv4(int protocol, String src, String dst, byte[] l4) {
        return ipv4(protocol, src, dst, new byte[0], l4);
    }

    static byte[] ipv4(int protocol, String src, String dst, byte[] options, byte[] l4) {
        byte[] h = new byte[20 + options.length];
        h[0] = (byte) (0x40 | (h.length / 4));
        put16(h, 2, h.length + l4.length);
        put16(h, 4, 0x1c46);
        put16(h, 6, 0x4000);
        h[8] = 64;
        h[9] = (byte) protocol;
        System.arraycopy(addr(src), 0, h, 12, 4);
        System.arraycopy(addr(dst), 0, h, 16, 4);
        System.arraycopy(options, 0, h, 20, options.length);
        put16(h, 10, ReferenceChecksum.checksum(h));
        byte[] l4copy = l4.clone();
        fillL4Checksum(
                protocol,
                ReferenceChecksum.concat(addr(src), addr(dst), new byte[] {0, (byte) protocol}, u16(l4.length)),
                l4copy);
        return ReferenceChecksum.concat(h, l4copy);
    }

    /** An IPv6 datagram (hop limit 64) with {@code extensions} before {@code l4}, the upper-layer checksum filled in. */
    static byte[] ipv6(int firstNext, String src, String dst, byte[] extensions, int protocol, byte[] l4) {
        byte[] h = new byte[40];
        put32(h, 0, 0x6000_0000 | 0x12345);
        put16(h, 4, extensions.length + l4.length);
        h[6] = (byte) firstNext;
        h[7] = 64;
        System.arraycopy(addr(src), 0, h, 8, 16);
        System.arraycopy(addr(dst), 0, h, 24, 16);
        byte[] l4copy = l4.clone();
        fillL4Checksum(
                protocol,
                ReferenceChecksum.concat(addr(src), addr(dst), u32(l4.length), new byte[] {0, 0, 0, (byte) protocol}),
                l4copy);
        return ReferenceChecksum.concat(h, extensions, l4copy);
    }

    static byte[] ipv6(int protocol, String src, String dst, byte[] l4) {
        return ipv6(protocol, src, dst, new byte[0], protocol, l4);
    }

    /** An extension header with the 8-byte length rule: next header, length, then {@code 8 * (units + 1) - 2} bytes. */
    static byte[] extension(int next, int units) {
        byte[] e = new byte[(units + 1) * 8];
        e[0] = (byte) next;
        e[1] = (byte) units;
        return e;
    }

    /** An AH header: length in 4-byte units minus 2. */
    static byte[] authenticationHeader(int next, int payloadLen) {
        byte[] e = new byte[(payloadLen + 2) * 4];
        e[0] = (byte) next;
        e[1] = (byte) payloadLen;
        return e;
    }

    static byte[] fragmentHeader(int next, int offsetBytes, boolean more, int id) {
        byte[] e = new byte[8];
        e[0] = (byte) next;
        put16(e, 2, offsetBytes | (more ? 1 : 0));
        put32(e, 4, id);
        return e;
    }

    private static void fillL4Checksum(int protocol, byte[] pseudo, byte[] l4) {
        int at;
        switch (protocol) {
            case IpProtocol.TCP:
                at = 16;
                break;
            case IpProtocol.UDP:
                at = 6;
                break;
            case IpProtocol.ICMP:
                at = 2;
                pseudo = new byte[0];
                break;
            case IpProtocol.ICMPV6:
                at = 2;
                break;
            default:
                return;
        }
        if (l4.length < at + 2) {
            return;
        }
        int c = ReferenceChecksum.checksum(ReferenceChecksum.concat(pseudo, l4));
        if (protocol == IpProtocol.UDP && c == 0) {
            c = 0xFFFF;
        }
        put16(l4, at, c);
    }

    static ByteBuf buf(byte[] datagram) {
        return Unpooled.wrappedBuffer(datagram);
    }

    static DivertPacket divert(byte[] datagram) {
        return new DivertPacket(Unpooled.buffer(datagram.length).writeBytes(datagram), INBOUND);
    }

    static byte[] u16(int v) {
        byte[] b = new byte[2];
        put16(b, 0, v);
        return b;
    }

    static byte[] u32(int v) {
        byte[] b = new byte[4];
        put32(b, 0, v);
        return b;
    }

    static void put16(byte[] b, int at, int v) {
        b[at] = (byte) (v >>> 8);
        b[at + 1] = (byte) v;
    }

    static void put32(byte[] b, int at, int v) {
        put16(b, at, v >>> 16);
        put16(b, at + 2, v);
    }

    static byte[] bytes(int... values) {
        byte[] b = new byte[values.length];
        for (int i = 0; i < values.length; i++) {
            b[i] = (byte) values[i];
        }
        return b;
    }

    static byte[] ascii(String s) {
        return s.getBytes(java.nio.charset.StandardCharsets.US_ASCII);
    }
}
