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

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBufUtil;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class PcapReaderTest {
    private static final int RECORDS_IN_EACH_CAPTURE = 33;

    @Test
    void readsEthernetCapturesOfLoopback() throws IOException {
        try (PcapReader reader = new PcapReader(Captures.open(Captures.ETHERNET))) {
            assertEquals(PcapReader.LINKTYPE_ETHERNET, reader.linkType());
            assertFalse(reader.nanosecondResolution());
        }
        assertEquals(
                RECORDS_IN_EACH_CAPTURE, Captures.datagrams(Captures.ETHERNET).size());
    }

    @Test
    void everyLinkTypeYieldsTheSameDatagrams() {
        List<byte[]> ethernet = Captures.datagrams(Captures.ETHERNET);
        for (String other : List.of(Captures.SLL, Captures.SLL2, Captures.ETHERNET_NANOS)) {
            List<byte[]> datagrams = Captures.datagrams(other);
            assertEquals(ethernet.size(), datagrams.size(), other);
            for (int i = 0; i < ethernet.size(); i++) {
                assertArrayEquals(ethernet.get(i), datagrams.get(i), other + " record " + i);
            }
        }
    }

    @Test
    void linuxCookedCapturesAreRecognised() throws IOException {
        try (PcapReader v1 = new PcapReader(Captures.open(Captures.SLL));
                PcapReader v2 = new PcapReader(Captures.open(Captures.SLL2))) {
            assertEquals(PcapReader.LINKTYPE_LINUX_SLL, v1.linkType());
            assertEquals(PcapReader.LINKTYPE_LINUX_SLL2, v2.linkType());
        }
    }

    @Test
    void nanosecondTimestampsAgreeWithMicrosecondOnes() throws IOException {
        try (PcapReader micro = new PcapReader(Captures.open(Captures.ETHERNET));
                PcapReader nano = new PcapReader(Captures.open(Captures.ETHERNET_NANOS))) {
            assertTrue(nano.nanosecondResolution());
            boolean sawSubMicro = false;
            PcapRecord m;
            while ((m = micro.next()) != null) {
                PcapRecord n = nano.next();
                long microNanos = m.epochNanos();
                long nanoNanos = n.epochNanos();
                m.release();
                n.release();
                assertEquals(0, microNanos % 1000);
                // Two capture sockets, two timestamps of the same packet: within a few microseconds.
                assertTrue(Math.abs(microNanos - nanoNanos) < 50_000, microNanos + " vs " + nanoNanos);
                sawSubMicro |= nanoNanos % 1000 != 0;
            }
            assertTrue(sawSubMicro);
        }
    }

    @Test
    void writerOutputReadsBackRecordForRecord() throws IOException {
        List<byte[]> datagrams = Captures.datagrams(Captures.SLL2);
        ByteArrayOutputStream file = new ByteArrayOutputStream();
        try (PcapWriter writer = new PcapWriter(file)) {
            long t = 1_700_000_000_123_456L;
            for (byte[] d : datagrams) {
                writer.write(TestPackets.buf(d), 0, d.length, t++);
            }
            assertEquals(datagrams.size(), writer.records());
        }
        try (PcapReader reader = new PcapReader(new ByteArrayInputStream(file.toByteArray()))) {
            assertEquals(PcapReader.LINKTYPE_RAW, reader.linkType());
            long t = 1_700_000_000_123_456L;
            for (byte[] d : datagrams) {
                PcapRecord r = reader.next();
                assertArrayEquals(d, ByteBufUtil.getBytes(r.content()));
                assertEquals(t++ * 1000, r.epochNanos());
                assertEquals(d.length, r.originalLength());
                r.release();
            }
            assertNull(reader.next());
        }
    }

    /** A pcap file in little-endian order, as most capturing hosts write it, with nanosecond stamps. */
    private static byte[] littleEndianFile(int linkType, byte[]... frames) {
        ByteBuffer b = ByteBuffer.allocate(24
                        + frames.length * 16
                        + java.util.Arrays.stream(frames)
                                .mapToInt(f -> f.length)
                                .sum())
                .order(ByteOrder.LITTLE_ENDIAN);
        b.putInt(0xA1B23C4D)
                .putShort((short) 2)
                .putShort((short) 4)
                .putInt(0)
                .putInt(0)
                .putInt(65535)
                .putInt(linkType);
        int i = 0;
        for (byte[] f : frames) {
            b.putInt(1000 + i)
                    .putInt(999_999_999)
                    .putInt(f.length)
                    .putInt(f.length)
                    .put(f);
            i++;
        }
        return b.array();
    }

    @Test
    void readsLittleEndianNanosecondFiles() throws IOException {
        byte[] d = TestPackets.ipv4(IpProtocol.UDP, "10.0.0.1", "10.0.0.2", TestPackets.udp(1, 2, new byte[3]));
        try (PcapReader reader =
                new PcapReader(new ByteArrayInputStream(littleEndianFile(PcapReader.LINKTYPE_IPV4, d)))) {
            assertTrue(reader.nanosecondResolution());
            PcapRecord r = reader.next();
            assertEquals(1000L * 1_000_000_000L + 999_999_999L, r.epochNanos());
            assertArrayEquals(d, ByteBufUtil.getBytes(r.content()));
            r.release();
        }
    }

    private static byte[] ethernet(int etherType, byte[] payload, int... vlanTypes) {
        byte[] header = new byte[12];
        List<byte[]> parts = new ArrayList<>();
        parts.add(header);
        for (int vlan : vlanTypes) {
            parts.add(ReferenceChecksum.concat(TestPackets.u16(vlan), TestPackets.u16(100)));
        }
        parts.add(TestPackets.u16(etherType));
        parts.add(payload);
        return ReferenceChecksum.concat(parts.toArray(new byte[0][]));
    }

    @Test
    void skipsVlanTagsAndNonIpFramesOnEthernet() throws IOException {
        byte[] v6 = TestPackets.ipv6(IpProtocol.UDP, "fd00::1", "fd00::2", TestPackets.udp(1, 2, new byte[0]));
        byte[] v4 = TestPackets.ipv4(IpProtocol.UDP, "10.0.0.1", "10.0.0.2", TestPackets.udp(1, 2, new byte[0]));
        byte[] file = littleEndianFile(
                PcapReader.LINKTYPE_ETHERNET,
                ethernet(0x0806, new byte[28]), // ARP
                ethernet(0x86DD, v6, 0x88A8, 0x8100), // QinQ
                ethernet(0x0800, v4, 0x8100));
        try (PcapReader reader = new PcapReader(new ByteArrayInputStream(file))) {
            PcapRecord first = reader.next();
            assertArrayEquals(v6, ByteBufUtil.getBytes(first.content()));
            PcapRecord second = reader.next();
            assertArrayEquals(v4, ByteBufUtil.getBytes(second.content()));
            assertNull(reader.next());
            assertEquals(1, reader.skipped());
            first.release();
            second.release();
        }
    }

    @Test
    void readsBsdLoopbackCaptures() throws IOException {
        byte[] v4 = TestPackets.ipv4(IpProtocol.UDP, "10.0.0.1", "10.0.0.2", TestPackets.udp(1, 2, new byte[0]));
        byte[] frame = ReferenceChecksum.concat(TestPackets.bytes(2, 0, 0, 0), v4);
        try (PcapReader reader =
                new PcapReader(new ByteArrayInputStream(littleEndianFile(PcapReader.LINKTYPE_NULL, frame)))) {
            PcapRecord r = reader.next();
            assertArrayEquals(v4, ByteBufUtil.getBytes(r.content()));
            r.release();
        }
    }

    @Test
    void refusesPcapng() {
        byte[] pcapng = TestPackets.bytes(
                0x0A, 0x0D, 0x0D, 0x0A, 0, 0, 0, 28, 0x1A, 0x2B, 0x3C, 0x4D, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0);
        IOException e = assertThrows(IOException.class, () -> new PcapReader(new ByteArrayInputStream(pcapng)));
        assertTrue(e.getMessage().contains("pcapng"), e.getMessage());
    }

    @Test
    void refusesUnknownLinkTypes() {
        assertThrows(IOException.class, () -> new PcapReader(new ByteArrayInputStream(littleEndianFile(147))));
    }

    @Test
    void recordCutShortIsAnError() throws IOException {
        byte[] d = TestPackets.ipv4(IpProtocol.UDP, "10.0.0.1", "10.0.0.2", TestPackets.udp(1, 2, new byte[3]));
        byte[] file = littleEndianFile(PcapReader.LINKTYPE_RAW, d);
        byte[] cut = java.util.Arrays.copyOf(file, file.length - 5);
        try (PcapReader reader = new PcapReader(new ByteArrayInputStream(cut))) {
            assertThrows(EOFException.class, reader::next);
        }
    }
}
