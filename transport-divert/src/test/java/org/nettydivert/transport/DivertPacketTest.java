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
package org.nettydivert.transport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import org.junit.jupiter.api.Test;
import org.nettydivert.transport.DivertAddress.Direction;

class DivertPacketTest {
    private static final DivertAddress READ = new DivertAddress(3, Direction.INBOUND, "lo", null, 17, 0);

    @Test
    void theAddressIsBothSenderAndRecipient() {
        DivertPacket packet = new DivertPacket(Unpooled.buffer(20), READ);
        try {
            assertSame(READ, packet.address());
            assertSame(READ, packet.recipient());
            assertSame(READ, packet.sender());
        } finally {
            packet.release();
        }
    }

    @Test
    void referenceCountingIsTheContents() {
        ByteBuf content = Unpooled.directBuffer(20);
        DivertPacket packet = new DivertPacket(content, READ);

        assertSame(packet, packet.retain());
        assertEquals(2, content.refCnt());
        assertSame(packet, packet.retain(2));
        assertEquals(4, packet.refCnt());
        assertFalse(packet.release(3));
        assertEquals(1, content.refCnt());
        assertTrue(packet.release());
        assertEquals(0, content.refCnt());
    }

    @Test
    void touchReturnsThePacket() {
        DivertPacket packet = new DivertPacket(Unpooled.buffer(1), READ);
        try {
            assertSame(packet, packet.touch());
            assertSame(packet, packet.touch("hint"));
        } finally {
            packet.release();
        }
    }

    @Test
    void replaceKeepsTheAddressAndLeavesTheOldContentAlone() {
        ByteBuf old = Unpooled.buffer(20);
        ByteBuf fresh = Unpooled.buffer(40);
        DivertPacket packet = new DivertPacket(old, READ);

        DivertPacket replaced = packet.replace(fresh);

        assertSame(READ, replaced.address());
        assertSame(fresh, replaced.content());
        assertEquals(1, old.refCnt());
        packet.release();
        replaced.release();
        assertEquals(0, fresh.refCnt());
    }

    @Test
    void withAddressSharesTheContentWithoutRetainingIt() {
        ByteBuf content = Unpooled.buffer(20);
        DivertPacket packet = new DivertPacket(content, READ);

        DivertPacket injected = packet.withAddress(DivertAddress.outbound());

        assertSame(content, injected.content());
        assertSame(DivertAddress.outbound(), injected.address());
        assertEquals(1, content.refCnt(), "one owner: release either packet, once");
        injected.release();
        assertEquals(0, packet.refCnt());
    }

    @Test
    void toStringShowsTheAddressAndTheReadableBytes() {
        ByteBuf content = Unpooled.buffer(64).writeZero(60);
        content.readerIndex(10);
        DivertPacket packet = new DivertPacket(content, READ);
        try {
            assertEquals("DivertPacket(" + READ + ", 50 bytes)", packet.toString());
        } finally {
            packet.release();
        }
    }

    @Test
    void aTruncatedPacketKeepsItsWholeLengthThroughReplaceAndWithAddress() {
        DivertPacket packet = new DivertPacket(Unpooled.buffer(1000).writeZero(1000), READ, 2028);
        try {
            assertTrue(packet.isTruncated());
            assertEquals(2028, packet.originalLength());
            DivertPacket moved = packet.withAddress(DivertAddress.outbound());
            assertTrue(moved.isTruncated());
            assertEquals(2028, moved.originalLength());
            DivertPacket replaced = packet.replace(Unpooled.EMPTY_BUFFER);
            assertEquals(2028, replaced.originalLength());
            assertTrue(packet.toString().contains("1000 bytes of 2028, truncated"), packet.toString());
        } finally {
            packet.release();
        }
    }

    @Test
    void aWholePacketsOriginalLengthIsItsContentsLength() {
        DivertPacket packet = new DivertPacket(Unpooled.buffer(60).writeZero(60), READ);
        try {
            assertFalse(packet.isTruncated());
            assertEquals(60, packet.originalLength());
            packet.content().readerIndex(20);
            assertEquals(40, packet.originalLength(), "what the packet is now");
        } finally {
            packet.release();
        }
    }

    @Test
    void channelIdsAreUniqueAndNeedNoHardwareAddress() {
        DivertChannel a = new DivertChannel();
        DivertChannel b = new DivertChannel();
        assertTrue(a.id() instanceof DivertChannelId, a.id().getClass().getName());
        assertFalse(a.id().equals(b.id()));
        assertTrue(a.id().compareTo(b.id()) != 0);
        assertTrue(
                a.id().asLongText()
                        .startsWith("divert-" + ProcessHandle.current().pid() + "-"),
                a.id().asLongText());
    }
}
