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

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import org.junit.jupiter.api.Test;

/** The protocol table: which protocols get a view, and which checksums an address rewrite touches. */
class ProtocolTableTest {
    private static final int C = 0x8000;
    private static final int K = 0x2000;
    private static final int S = 0x1000;

    /** A GRE packet around a 20-byte inner payload; with C, its checksum over header and payload. */
    static byte[] gre(int flags, int key, int sequence) {
        int length = 4 + ((flags & C) != 0 ? 4 : 0) + ((flags & K) != 0 ? 4 : 0) + ((flags & S) != 0 ? 4 : 0);
        byte[] g = new byte[length + 20];
        TestPackets.put16(g, 0, flags);
        TestPackets.put16(g, 2, GreHeader.PROTOCOL_TYPE_IPV4);
        int at = 4 + ((flags & C) != 0 ? 4 : 0);
        if ((flags & K) != 0) {
            TestPackets.put32(g, at, key);
            at += 4;
        }
        if ((flags & S) != 0) {
            TestPackets.put32(g, at, sequence);
        }
        for (int i = length; i < g.length; i++) {
            g[i] = (byte) (i * 7);
        }
        if ((flags & C) != 0) {
            TestPackets.put16(g, 4, ReferenceChecksum.checksum(g));
        }
        return g;
    }

    @Test
    void greGetsAViewWithItsLengthFromTheFlags() {
        IpPacket p = IpPacket.decode(
                TestPackets.divert(TestPackets.ipv4(IpProtocol.GRE, "10.0.0.1", "10.0.0.2", gre(C | K | S, 7, 9))));
        try {
            GreHeader gre = p.transportHeader(GreHeader.class);
            assertNotNull(gre);
            assertNull(p.transportHeader(TcpHeader.class));
            assertEquals(16, gre.headerLength());
            assertEquals(p.transportOffset() + 16, p.payloadOffset());
            assertEquals(GreHeader.PROTOCOL_TYPE_IPV4, gre.protocolType());
            assertEquals(7, gre.key());
            assertEquals(9, gre.sequenceNumber());
            assertTrue(gre.hasChecksum());
            assertTrue(p.verifyChecksums());
            assertEquals("GRE", IpProtocol.name(IpProtocol.GRE));
        } finally {
            p.release();
        }
    }

    @Test
    void addressRewriteLeavesTheGreChecksumAlone() throws Exception {
        byte[][] datagrams = {
            TestPackets.ipv4(IpProtocol.GRE, "10.0.0.1", "10.0.0.2", gre(C | K, 0x01020304, 0)),
            TestPackets.ipv6(IpProtocol.GRE, "fd00::1", "fd00::2", gre(C, 0, 0))
        };
        for (byte[] d : datagrams) {
            IpPacket p = IpPacket.decode(TestPackets.divert(d));
            try {
                GreHeader gre = p.transportHeader(GreHeader.class);
                int before = gre.checksum();
                p.setSourceAddress(InetAddress.getByName(p.isIpv4() ? "192.0.2.7" : "2001:db8::7"));
                p.setDestinationAddress(InetAddress.getByName(p.isIpv4() ? "192.0.2.8" : "2001:db8::8"));
                assertEquals(before, gre.checksum(), "GRE's checksum covers no pseudo-header");
                assertTrue(p.verifyChecksums(), p.toString());
            } finally {
                p.release();
            }
        }
    }

    @Test
    void addressRewriteOfGreWithoutChecksumWritesNothingAfterTheIpHeader() throws Exception {
        byte[] d = TestPackets.ipv4(IpProtocol.GRE, "10.0.0.1", "10.0.0.2", gre(K, 0xCAFE, 0));
        IpPacket p = IpPacket.decode(TestPackets.divert(d));
        try {
            p.setDestinationAddress(InetAddress.getByName("192.0.2.8"));
            for (int i = 20; i < d.length; i++) {
                assertEquals(d[i], p.content().getByte(i), "byte " + i);
            }
            assertFalse(p.transportHeader(GreHeader.class).hasChecksum());
            assertTrue(p.verifyChecksums());
        } finally {
            p.release();
        }
    }

    @Test
    void greCutShortIsMalformed() {
        byte[] d = TestPackets.ipv4(IpProtocol.GRE, "10.0.0.1", "10.0.0.2", new byte[] {(byte) 0xB0, 0, 8, 0, 0, 0});
        assertEquals(
                MalformedReason.TRANSPORT_TRUNCATED,
                assertThrows(MalformedPacketException.class, () -> IpPacket.decode(TestPackets.divert(d)))
                        .reason());
    }

    @Test
    void icmpv6IsNotIcmp() {
        assertFalse(IcmpHeader.class.isAssignableFrom(Icmpv6Header.class));
        assertFalse(Icmpv6Header.class.isAssignableFrom(IcmpHeader.class));
        assertNotEquals(IcmpHeader.ECHO_REQUEST, Icmpv6Header.ECHO_REQUEST);
        assertEquals(128, Icmpv6Header.ECHO_REQUEST);
        assertEquals(8, IcmpHeader.ECHO_REQUEST);
    }

    @Test
    void icmpNumbersBelongToTheirIpVersion() {
        // ICMPv6 (58) over IPv4 and ICMPv4 (1) over IPv6 are no ICMP we know: no view, no misreading.
        byte[] v6overV4 = TestPackets.ipv4(
                IpProtocol.ICMPV6, "10.0.0.1", "10.0.0.2", TestPackets.icmpEcho(128, 1, 1, new byte[4]));
        byte[] v4overV6 =
                TestPackets.ipv6(IpProtocol.ICMP, "fd00::1", "fd00::2", TestPackets.icmpEcho(8, 1, 1, new byte[4]));
        for (byte[] d : new byte[][] {v6overV4, v4overV6}) {
            IpPacket p = IpPacket.decode(TestPackets.divert(d));
            try {
                assertFalse(p.hasTransportHeader(), p.toString());
                assertNull(p.icmp());
                assertNull(p.icmpv6());
            } finally {
                p.release();
            }
        }
        IpPacket p = IpPacket.decode(TestPackets.divert(TestPackets.ipv6(
                IpProtocol.ICMPV6, "fd00::1", "fd00::2", TestPackets.icmpEcho(128, 1, 1, new byte[4]))));
        try {
            assertNull(p.icmp());
            assertTrue(p.icmpv6().isEchoRequest());
        } finally {
            p.release();
        }
    }

    @Test
    void addressRewriteOfAnUnknownProtocolTouchesOnlyTheIpHeader() throws Exception {
        byte[] d = TestPackets.ipv4(132, "10.0.0.1", "10.0.0.2", TestPackets.bytes(1, 2, 3, 4, 5, 6, 7, 8));
        IpPacket p = IpPacket.decode(TestPackets.divert(d));
        try {
            p.setSourceAddress(InetAddress.getByName("192.0.2.1"));
            for (int i = 20; i < d.length; i++) {
                assertEquals(d[i], p.content().getByte(i));
            }
            assertTrue(p.verifyChecksums());
        } finally {
            p.release();
        }
    }
}
