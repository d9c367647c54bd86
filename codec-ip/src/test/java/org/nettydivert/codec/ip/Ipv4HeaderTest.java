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

class Ipv4HeaderTest {
    private static final byte[] OPTIONS = TestPackets.bytes(0x94, 0x04, 0x00, 0x00); // Router Alert
    private final byte[] datagram = TestPackets.ipv4(
            IpProtocol.UDP, "192.0.2.1", "198.51.100.7", OPTIONS, TestPackets.udp(1234, 53, TestPackets.ascii("q")));
    private final ByteBuf buf = TestPackets.buf(datagram);
    private final Ipv4Header ip = new Ipv4Header().wrap(buf, 0);

    @Test
    void readsEveryFixedField() {
        assertEquals(4, ip.version());
        assertEquals(6, ip.ihl());
        assertEquals(24, ip.headerLength());
        assertEquals(datagram.length, ip.totalLength());
        assertEquals(0x1c46, ip.identification());
        assertTrue(ip.dontFragment());
        assertFalse(ip.moreFragments());
        assertEquals(0, ip.fragmentOffset());
        assertFalse(ip.isFragment());
        assertEquals(64, ip.ttl());
        assertEquals(IpProtocol.UDP, ip.protocol());
        assertEquals("192.0.2.1", ip.sourceInetAddress().getHostAddress());
        assertEquals("198.51.100.7", ip.destinationInetAddress().getHostAddress());
        assertEquals(0xC000_0201, ip.sourceAddress());
    }

    @Test
    void optionsLieBetweenTheFixedHeaderAndThePayload() {
        assertEquals(20, ip.optionsStart());
        assertEquals(24, ip.optionsEnd());
        assertEquals(0x94, buf.getUnsignedByte(ip.optionsStart()));
    }

    @Test
    void checksumOfABuiltHeaderVerifies() {
        assertTrue(ip.verifyChecksum());
    }

    @Test
    void dscpAndEcnShareTheTosByte() {
        ip.setDscp(46).setEcn(3);
        assertEquals(46, ip.dscp());
        assertEquals(3, ip.ecn());
        assertEquals((46 << 2) | 3, buf.getUnsignedByte(1));
    }

    @Test
    void fragmentationWordRoundTrips() {
        ip.setFragmentation(false, true, 1480);
        assertFalse(ip.dontFragment());
        assertTrue(ip.moreFragments());
        assertEquals(1480, ip.fragmentOffset());
        assertTrue(ip.isFragment());
    }

    @Test
    void updatingSettersKeepTheHeaderChecksumRight() {
        ip.setTtlUpdatingChecksum(1);
        assertTrue(ip.verifyChecksum());
        ip.setSourceAddressUpdatingChecksum(0x0A00_0001);
        assertTrue(ip.verifyChecksum());
        ip.setDestinationAddressUpdatingChecksum(0xFFFF_FFFF);
        assertTrue(ip.verifyChecksum());
        ip.setDontFragmentUpdatingChecksum(false);
        assertTrue(ip.verifyChecksum());
        ip.setPayloadLengthUpdatingChecksum(100);
        assertEquals(124, ip.totalLength());
        assertTrue(ip.verifyChecksum());
        assertEquals(1, ip.ttl());
        assertFalse(ip.dontFragment());
    }

    @Test
    void plainSettersLeaveTheChecksumForUpdateChecksum() {
        int before = ip.checksum();
        ip.setTtl(3).setIdentification(7);
        assertEquals(before, ip.checksum());
        assertFalse(ip.verifyChecksum());
        ip.updateChecksum();
        assertTrue(ip.verifyChecksum());
    }

    @Test
    void viewsNeverMoveTheBufferIndexes() {
        buf.readerIndex(2);
        ip.setTtlUpdatingChecksum(9);
        ip.sourceInetAddress();
        assertEquals(2, buf.readerIndex());
        assertEquals(datagram.length, buf.writerIndex());
    }

    @Test
    void oneViewCanBeRewrappedAtAnotherOffset() {
        ByteBuf two = io.netty.buffer.Unpooled.wrappedBuffer(new byte[7], datagram);
        assertEquals(IpProtocol.UDP, ip.wrap(two, 7).protocol());
        assertEquals(7, ip.offset());
    }
}
