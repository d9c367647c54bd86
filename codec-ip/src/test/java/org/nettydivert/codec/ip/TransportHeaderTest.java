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
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import org.junit.jupiter.api.Test;

class TransportHeaderTest {
    @Test
    void udpReadsPortsAndLength() {
        byte[] udp = TestPackets.udp(5353, 53, TestPackets.ascii("abc"));
        UdpHeader h = new UdpHeader().wrap(TestPackets.buf(udp), 0);
        assertEquals(5353, h.sourcePort());
        assertEquals(53, h.destinationPort());
        assertEquals(11, h.length());
    }

    @Test
    void udpChecksumZeroMeansNoneAndIsLeftAlone() {
        byte[] datagram = TestPackets.ipv4(IpProtocol.UDP, "10.0.0.1", "10.0.0.2", TestPackets.udp(1, 2, new byte[4]));
        ByteBuf buf = TestPackets.buf(datagram);
        UdpHeader udp = new UdpHeader().wrap(buf, 20);
        udp.setChecksum(0);
        assertTrue(udp.verifyChecksum(0x1234, 12), "0 is 'no checksum' over IPv4");
        udp.setDestinationPortUpdatingChecksum(99);
        assertEquals(0, udp.checksum());
        assertFalse(udp.hasChecksum());
    }

    @Test
    void udpComputedZeroIsSentAsAllOnes() {
        // Choose a payload word that makes the sum 0xFFFF, so the checksum would be 0.
        byte[] datagram = TestPackets.ipv4(IpProtocol.UDP, "10.0.0.1", "10.0.0.2", TestPackets.udp(1, 2, new byte[2]));
        ByteBuf buf = TestPackets.buf(datagram);
        Ipv4Header ip = new Ipv4Header().wrap(buf, 0);
        UdpHeader udp = new UdpHeader().wrap(buf, 20);
        udp.setChecksum(0);
        int pseudo = ip.pseudoHeaderSum(IpProtocol.UDP, 10);
        int sumWithoutPayload = InternetChecksum.add(InternetChecksum.sum(buf, 20, 10), pseudo);
        buf.setShort(28, ~sumWithoutPayload & 0xFFFF);
        udp.updateChecksum(pseudo, 10);
        assertEquals(0xFFFF, udp.checksum());
        assertTrue(udp.verifyChecksum(pseudo, 10));
    }

    @Test
    void icmpEchoFieldsAndIdentifierRewrite() {
        byte[] datagram = TestPackets.ipv4(
                IpProtocol.ICMP,
                "10.0.0.1",
                "10.0.0.2",
                TestPackets.icmpEcho(IcmpHeader.ECHO_REQUEST, 0x1234, 7, new byte[5]));
        IcmpHeader icmp = new IcmpHeader().wrap(TestPackets.buf(datagram), 20);
        assertTrue(icmp.isEchoRequest());
        assertEquals(0x1234, icmp.identifier());
        assertEquals(7, icmp.sequenceNumber());
        assertTrue(icmp.verifyChecksum(0, 13));
        icmp.setIdentifierUpdatingChecksum(0xBEEF);
        icmp.setTypeUpdatingChecksum(IcmpHeader.ECHO_REPLY);
        assertTrue(icmp.isEchoReply());
        assertTrue(icmp.verifyChecksum(0, 13));
    }

    @Test
    void icmpv6ChecksumCoversThePseudoHeader() {
        byte[] l4 = TestPackets.icmpEcho(Icmpv6Header.ECHO_REQUEST, 1, 2, new byte[3]);
        ByteBuf buf = TestPackets.buf(TestPackets.ipv6(IpProtocol.ICMPV6, "fe80::1", "ff02::1", l4));
        Icmpv6Header icmp = new Icmpv6Header().wrap(buf, 40);
        int pseudo = new Ipv6Header().wrap(buf, 0).pseudoHeaderSum(IpProtocol.ICMPV6, l4.length);
        assertTrue(icmp.isEchoRequest());
        assertTrue(icmp.verifyChecksum(pseudo, l4.length));
        assertFalse(icmp.verifyChecksum(0, l4.length));
    }
}
