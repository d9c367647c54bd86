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

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.nettydivert.transport.FakeNfqueueBed.udp4;

import io.netty.buffer.Unpooled;
import io.netty.util.IllegalReferenceCountException;
import java.net.NetworkInterface;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@link PacketMetadata} as the NFQUEUE parser reads it from the packet messages of {@link
 * FakeNfqueueKernel}, whose encoder writes every metadata attribute (nested ones included) as
 * nfnetlink_queue does. No root needed.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class NfqueueMetadataFakeKernelTest {
    private final FakeNfqueueBed bed = new FakeNfqueueBed();

    @AfterEach
    void tearDown() {
        try {
            assertEquals(List.of(), bed.kernel.refused(), "no packet got a second verdict");
        } finally {
            bed.close();
        }
    }

    private PacketMetadata readOne(FakeNfqueueKernel.Packet queued) throws Exception {
        DivertPacket p = bed.take(1).get(0);
        try {
            return p.metadata();
        } finally {
            p.release();
        }
    }

    @Test
    void aPacketWithoutMetadataAttributesReadsAbsentEverywhere() throws Exception {
        bed.bind();
        FakeNfqueueKernel.Packet q = bed.kernel.queue(udp4(1, 10), k -> {
            k.hook = 3;
        });
        PacketMetadata m = readOne(q);
        assertEquals(PacketMetadata.Hook.LOCAL_OUT, m.hook());
        assertEquals(0, m.inInterfaceIndex());
        assertEquals(0, m.outInterfaceIndex());
        assertNull(m.inInterface());
        assertNull(m.outInterface());
        assertEquals(0, m.physInInterfaceIndex());
        assertEquals(0, m.physOutInterfaceIndex());
        assertNull(m.hardwareAddress());
        assertFalse(m.hasTimestamp());
        assertEquals(-1, m.timestampMicros());
        assertNull(m.timestamp());
        assertEquals(0, m.priority());
        assertEquals(-1, m.vlanTci());
        assertEquals(-1, m.vlanId());
        assertEquals(0, m.vlanProtocol());
        assertEquals(-1, m.uid());
        assertEquals(-1, m.gid());
        assertNull(m.conntrackState());
        assertEquals(-1, m.conntrackId());
        assertEquals(0, m.conntrackMark());
        assertEquals(0, m.conntrackStatus());
        assertNull(m.securityContext());
    }

    /**
     * A packet's metadata lives in its pooled content's object until asked for: the snapshot
     * taken while the packet is owned stays as it was after the content is reused, a packet that
     * never asked leaves nothing to the next, and asking after release fails as reading a
     * released buffer does.
     */
    @Test
    void metadataAskedForWhileOwnedOutlivesTheReuseOfItsContent() throws Exception {
        bed.bind();
        FakeNfqueueKernel.Packet q1 = bed.kernel.queue(udp4(1, 10));
        q1.hook = 1;
        q1.uid = 1000;
        q1.priority = 5;
        DivertPacket p1 = bed.take(1).get(0);
        PacketMetadata kept = p1.metadata();
        assertSame(kept, p1.metadata(), "taken once");
        p1.release();

        FakeNfqueueKernel.Packet q2 = bed.kernel.queue(udp4(2, 10));
        q2.hook = 3;
        q2.ctMark = 9;
        DivertPacket p2 = bed.take(1).get(0);
        assertSame(p1.content(), p2.content(), "the same pooled content");
        p2.release(); // metadata never asked for

        FakeNfqueueKernel.Packet q3 = bed.kernel.queue(udp4(3, 10));
        q3.hook = 4;
        DivertPacket p3 = bed.take(1).get(0);
        PacketMetadata m3 = p3.metadata();
        p3.release();
        assertThrows(IllegalReferenceCountException.class, p2::metadata, "asked after release");

        assertEquals(PacketMetadata.Hook.LOCAL_IN, kept.hook());
        assertEquals(1000, kept.uid());
        assertEquals(5, kept.priority());
        assertEquals(0, kept.conntrackMark());
        assertEquals(PacketMetadata.Hook.POST_ROUTING, m3.hook());
        assertEquals(-1, m3.uid(), "nothing of the first packet");
        assertEquals(0, m3.priority());
        assertEquals(0, m3.conntrackMark(), "nor of the second");
    }

    @Test
    void aReplacedPacketKeepsAStableCopyOfTheMetadata() throws Exception {
        bed.bind();
        FakeNfqueueKernel.Packet q = bed.kernel.queue(udp4(1, 10));
        q.uid = 77;
        DivertPacket p = bed.take(1).get(0);
        DivertPacket replaced = p.replace(Unpooled.buffer(4));
        p.release(); // the original content goes back to the pool first
        FakeNfqueueKernel.Packet next = bed.kernel.queue(udp4(2, 10));
        next.uid = 88;
        bed.take(1).get(0).release();
        assertEquals(77, replaced.metadata().uid());
        replaced.release();
    }

    @Test
    void everyHookIsNamed() throws Exception {
        bed.bind();
        for (int h = 0; h < 5; h++) {
            int hook = h;
            bed.kernel.queue(udp4(hook, 10), k -> k.hook = hook);
        }
        List<DivertPacket> packets = bed.take(5);
        for (int hook = 0; hook < 5; hook++) {
            assertEquals(
                    PacketMetadata.Hook.values()[hook],
                    packets.get(hook).metadata().hook());
            packets.get(hook).release();
        }
    }

    @Test
    void bothDevicesAreReadAndNamedWhenAsked() throws Exception {
        bed.bind();
        int lo = NetworkInterface.getByName("lo").getIndex();
        FakeNfqueueKernel.Packet q = bed.kernel.queue(udp4(1, 10), k -> {
            k.hook = 2; // FORWARD: both devices
            k.inIndex = lo;
            k.outIndex = 999_999; // no such device
            k.physInIndex = 7;
            k.physOutIndex = 8;
        });
        PacketMetadata m = readOne(q);
        assertEquals(PacketMetadata.Hook.FORWARD, m.hook());
        assertEquals(lo, m.inInterfaceIndex());
        assertEquals("lo", m.inInterface());
        assertEquals(999_999, m.outInterfaceIndex());
        assertNull(m.outInterface());
        assertEquals(7, m.physInInterfaceIndex());
        assertEquals(8, m.physOutInterfaceIndex());
    }

    @Test
    void hardwareAddressTimestampPriorityAndVlan() throws Exception {
        bed.bind();
        FakeNfqueueKernel.Packet q = bed.kernel.queue(udp4(1, 10), k -> {
            k.hwAddress = new byte[] {2, 0, 0, (byte) 0xAB, (byte) 0xCD, (byte) 0xEF};
            k.timestampSeconds = 1_700_000_000L;
            k.timestampMicros = 123_456;
            k.priority = 6;
            k.vlanProto = 0x8100;
            k.vlanTci = 0x6000 | 42; // priority 3, VLAN 42
        });
        PacketMetadata m = readOne(q);
        assertArrayEquals(new byte[] {2, 0, 0, (byte) 0xAB, (byte) 0xCD, (byte) 0xEF}, m.hardwareAddress());
        assertTrue(m.hasTimestamp());
        assertEquals(1_700_000_000_123_456L, m.timestampMicros());
        assertEquals(Instant.ofEpochSecond(1_700_000_000L, 123_456_000), m.timestamp());
        assertEquals(6, m.priority());
        assertEquals(0x6000 | 42, m.vlanTci());
        assertEquals(42, m.vlanId());
        assertEquals(0x8100, m.vlanProtocol());
    }

    @Test
    void ownerConntrackAndSecurityContext() throws Exception {
        bed.bind();
        FakeNfqueueKernel.Packet q = bed.kernel.queue(udp4(1, 10), k -> {
            k.uid = 65534;
            k.gid = 4_000_000_000L; // an unsigned 32-bit id above Integer.MAX_VALUE
            k.ctInfo = 2;
            k.ctId = 0xF000_0001L;
            k.ctMark = 0x77;
            k.ctStatus = 0x188; // IPS_CONFIRMED | IPS_SRC_NAT_DONE | IPS_DST_NAT_DONE
            k.secctx = "system_u:object_r:unlabeled_t:s0";
        });
        PacketMetadata m = readOne(q);
        assertEquals(65534, m.uid());
        assertEquals(4_000_000_000L, m.gid());
        assertEquals(PacketMetadata.ConntrackState.NEW, m.conntrackState());
        assertEquals("IP_CT_NEW", m.conntrackState().kernelName());
        assertEquals(0xF000_0001L, m.conntrackId());
        assertEquals(0x77, m.conntrackMark());
        assertEquals(0x188, m.conntrackStatus());
        assertEquals("system_u:object_r:unlabeled_t:s0", m.securityContext());
    }

    @Test
    void everyConntrackStateHasTheKernelsNumber() throws Exception {
        bed.bind();
        for (int i = 0; i < 5; i++) {
            int info = i;
            FakeNfqueueKernel.Packet q = bed.kernel.queue(udp4(info, 10), k -> {
                k.ctInfo = info;
                k.ctId = info + 1;
            });
        }
        List<DivertPacket> packets = bed.take(5);
        String[] names = {
            "IP_CT_ESTABLISHED", "IP_CT_RELATED", "IP_CT_NEW", "IP_CT_ESTABLISHED_REPLY", "IP_CT_RELATED_REPLY"
        };
        for (int info = 0; info < 5; info++) {
            PacketMetadata.ConntrackState state = packets.get(info).metadata().conntrackState();
            assertEquals(names[info], state.kernelName());
            assertEquals(info, state.value());
            assertEquals(info + 1, packets.get(info).metadata().conntrackId());
            packets.get(info).release();
        }
    }

    @Test
    void metadataStaysWithThePacketThroughReplaceAndWithAddress() throws Exception {
        bed.bind();
        FakeNfqueueKernel.Packet q = bed.kernel.queue(udp4(1, 10), k -> {
            k.uid = 1000;
            k.gid = 1000;
        });
        DivertPacket p = bed.take(1).get(0);
        try {
            PacketMetadata m = p.metadata();
            assertSame(m, p.withAddress(p.address()).metadata());
            DivertPacket replaced = p.replace(Unpooled.EMPTY_BUFFER);
            assertSame(m, replaced.metadata());
        } finally {
            p.release();
        }
    }

    @Test
    void aPacketMadeByTheProgramHasNone() {
        DivertPacket p = new DivertPacket(Unpooled.EMPTY_BUFFER, DivertAddress.outbound());
        assertSame(PacketMetadata.NONE, p.metadata());
        assertNull(p.metadata().hook());
        assertEquals(-1, p.metadata().uid());
    }
}
