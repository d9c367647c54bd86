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
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import org.junit.jupiter.api.Test;

class Ipv6HeaderTest {
    private static final String SRC = "2001:db8::1";
    private static final String DST = "2001:db8::2";
    private static final byte[] UDP = TestPackets.udp(5353, 53, TestPackets.ascii("hello"));

    private static Ipv6Header walked(byte[] datagram) {
        ByteBuf buf = TestPackets.buf(datagram);
        Ipv6Header ip = new Ipv6Header().wrap(buf, 0);
        assertNull(ip.walkExtensions(datagram.length));
        return ip;
    }

    private static MalformedReason walkOf(byte[] datagram, int end) {
        return new Ipv6Header().wrap(TestPackets.buf(datagram), 0).walkExtensions(end);
    }

    @Test
    void readsTheFixedHeader() {
        Ipv6Header ip = walked(TestPackets.ipv6(IpProtocol.UDP, SRC, DST, UDP));
        assertEquals(6, ip.version());
        assertEquals(0, ip.trafficClass());
        assertEquals(0x12345, ip.flowLabel());
        assertEquals(UDP.length, ip.payloadLength());
        assertEquals(IpProtocol.UDP, ip.nextHeader());
        assertEquals(64, ip.hopLimit());
        assertEquals("2001:db8:0:0:0:0:0:1", ip.sourceInetAddress().getHostAddress());
        assertEquals(0x2001_0db8_0000_0000L, ip.sourceAddressHigh());
        assertEquals(2L, ip.destinationAddressLow());
    }

    @Test
    void withoutExtensionsTheTransportFollowsTheFixedHeader() {
        Ipv6Header ip = walked(TestPackets.ipv6(IpProtocol.UDP, SRC, DST, UDP));
        assertEquals(IpProtocol.UDP, ip.transportProtocol());
        assertEquals(40, ip.transportOffset());
        assertFalse(ip.isFragment());
    }

    @Test
    void walksHopByHopRoutingAndDestinationOptions() {
        byte[] ext = ReferenceChecksum.concat(
                TestPackets.extension(IpProtocol.ROUTING, 0),
                TestPackets.extension(IpProtocol.DESTINATION_OPTIONS, 1),
                TestPackets.extension(IpProtocol.UDP, 0));
        Ipv6Header ip = walked(TestPackets.ipv6(IpProtocol.HOP_BY_HOP, SRC, DST, ext, IpProtocol.UDP, UDP));
        assertEquals(IpProtocol.UDP, ip.transportProtocol());
        assertEquals(40 + 8 + 16 + 8, ip.transportOffset());
    }

    @Test
    void authenticationHeaderLengthCountsFourByteUnitsMinusTwo() {
        byte[] ext = TestPackets.authenticationHeader(IpProtocol.UDP, 4); // (4 + 2) * 4 = 24 bytes
        Ipv6Header ip = walked(TestPackets.ipv6(IpProtocol.AH, SRC, DST, ext, IpProtocol.UDP, UDP));
        assertEquals(IpProtocol.UDP, ip.transportProtocol());
        assertEquals(40 + 24, ip.transportOffset());
    }

    @Test
    void espEndsTheWalk() {
        byte[] esp = new byte[24];
        Ipv6Header ip = walked(TestPackets.ipv6(IpProtocol.ESP, SRC, DST, new byte[0], IpProtocol.ESP, esp));
        assertEquals(IpProtocol.ESP, ip.transportProtocol());
        assertEquals(40, ip.transportOffset());
    }

    @Test
    void noNextHeaderEndsTheWalk() {
        byte[] ext = TestPackets.extension(IpProtocol.NO_NEXT_HEADER, 0);
        Ipv6Header ip = walked(TestPackets.ipv6(IpProtocol.DESTINATION_OPTIONS, SRC, DST, ext, 59, new byte[0]));
        assertEquals(IpProtocol.NO_NEXT_HEADER, ip.transportProtocol());
        assertEquals(48, ip.transportOffset());
    }

    @Test
    void firstFragmentIsWalkedIntoItsTransport() {
        byte[] frag = TestPackets.fragmentHeader(IpProtocol.UDP, 0, true, 0xCAFE);
        Ipv6Header ip = walked(TestPackets.ipv6(IpProtocol.FRAGMENT, SRC, DST, frag, IpProtocol.UDP, UDP));
        assertTrue(ip.isFragment());
        assertEquals(40, ip.fragmentHeaderOffset());
        assertEquals(0, ip.fragmentOffset());
        assertTrue(ip.moreFragments());
        assertEquals(0xCAFE, ip.fragmentIdentification());
        assertEquals(IpProtocol.UDP, ip.transportProtocol());
        assertEquals(48, ip.transportOffset());
    }

    @Test
    void laterFragmentStopsAtTheFragmentHeader() {
        byte[] frag = TestPackets.fragmentHeader(IpProtocol.UDP, 1248, false, 7);
        byte[] data = new byte[16];
        Ipv6Header ip = walked(TestPackets.ipv6(IpProtocol.FRAGMENT, SRC, DST, frag, -1, data));
        assertEquals(1248, ip.fragmentOffset());
        assertFalse(ip.moreFragments());
        assertEquals(48, ip.transportOffset());
    }

    @Test
    void hopByHopAnywhereButFirstBreaksTheChain() {
        byte[] ext = ReferenceChecksum.concat(
                TestPackets.extension(IpProtocol.HOP_BY_HOP, 0), TestPackets.extension(IpProtocol.UDP, 0));
        byte[] datagram = TestPackets.ipv6(IpProtocol.DESTINATION_OPTIONS, SRC, DST, ext, IpProtocol.UDP, UDP);
        assertEquals(MalformedReason.BAD_EXTENSION_CHAIN, walkOf(datagram, datagram.length));
    }

    @Test
    void extensionRunningPastTheEndBreaksTheChain() {
        byte[] ext = TestPackets.extension(IpProtocol.UDP, 0);
        ext[1] = 10; // claims 88 bytes
        byte[] datagram = TestPackets.ipv6(IpProtocol.DESTINATION_OPTIONS, SRC, DST, ext, IpProtocol.UDP, UDP);
        assertEquals(MalformedReason.BAD_EXTENSION_CHAIN, walkOf(datagram, datagram.length));
    }

    @Test
    void extensionHeaderCutShortBreaksTheChain() {
        byte[] datagram = TestPackets.ipv6(IpProtocol.ROUTING, SRC, DST, new byte[0], -1, new byte[0]);
        assertEquals(MalformedReason.BAD_EXTENSION_CHAIN, walkOf(datagram, datagram.length));
    }

    @Test
    void twoFragmentHeadersBreakTheChain() {
        byte[] ext = ReferenceChecksum.concat(
                TestPackets.fragmentHeader(IpProtocol.FRAGMENT, 0, true, 1),
                TestPackets.fragmentHeader(IpProtocol.UDP, 0, true, 1));
        byte[] datagram = TestPackets.ipv6(IpProtocol.FRAGMENT, SRC, DST, ext, IpProtocol.UDP, UDP);
        assertEquals(MalformedReason.BAD_EXTENSION_CHAIN, walkOf(datagram, datagram.length));
    }

    @Test
    void trafficClassAndFlowLabelSettersKeepTheVersion() {
        Ipv6Header ip = walked(TestPackets.ipv6(IpProtocol.UDP, SRC, DST, UDP));
        ip.setTrafficClass(0xB8).setFlowLabel(0xFFFFF).setHopLimit(1);
        assertEquals(6, ip.version());
        assertEquals(0xB8, ip.trafficClass());
        assertEquals(46, ip.dscp());
        assertEquals(0xFFFFF, ip.flowLabel());
        assertEquals(1, ip.hopLimit());
    }
}
