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
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * pcapng reading and writing. The files under captures/ ending in .pcapng were made by tshark and
 * mergecap from the classic captures beside them (see the README there), so these tests need
 * neither.
 */
class PcapngTest {
    private static final byte[] UDP =
            TestPackets.ipv4(IpProtocol.UDP, "10.0.0.1", "10.0.0.2", TestPackets.udp(1, 2, new byte[3]));
    private static final byte[] UDP6 =
            TestPackets.ipv6(IpProtocol.UDP, "fd00::1", "fd00::2", TestPackets.udp(3, 4, new byte[5]));

    record Stamped(long epochNanos, byte[] datagram) {}

    static List<Stamped> read(PcapReader reader) throws IOException {
        List<Stamped> out = new ArrayList<>();
        PcapRecord r;
        while ((r = reader.next()) != null) {
            out.add(new Stamped(r.epochNanos(), ByteBufUtil.getBytes(r.content())));
            r.release();
        }
        return out;
    }

    static List<Stamped> read(Path file) throws IOException {
        try (PcapReader reader = PcapReader.open(file)) {
            return read(reader);
        }
    }

    private static List<Stamped> read(byte[] file) throws IOException {
        try (PcapReader reader = new PcapReader(new ByteArrayInputStream(file))) {
            return read(reader);
        }
    }

    private static void assertSame(List<Stamped> expected, List<Stamped> actual) {
        assertEquals(expected.size(), actual.size());
        for (int i = 0; i < expected.size(); i++) {
            assertEquals(expected.get(i).epochNanos(), actual.get(i).epochNanos(), "record " + i);
            assertArrayEquals(expected.get(i).datagram(), actual.get(i).datagram(), "record " + i);
        }
    }

    @Test
    void aTsharkConversionReadsLikeTheClassicFile() throws IOException {
        try (PcapReader reader = PcapReader.open(Captures.path(Captures.ETHERNET_PCAPNG))) {
            assertEquals(PcapFormat.PCAPNG, reader.format());
            List<Stamped> records = read(reader);
            assertEquals(PcapReader.LINKTYPE_ETHERNET, reader.linkType());
            assertSame(read(Captures.path(Captures.ETHERNET)), records);
        }
    }

    @Test
    void severalInterfacesEachWithItsLinkTypeAndResolution() throws IOException {
        // mergecap put the nanosecond Ethernet capture on interface 0 and the microsecond SLL2
        // capture on interface 1, interleaved by time.
        List<Stamped> expected = new ArrayList<>(read(Captures.path(Captures.ETHERNET_NANOS)));
        expected.addAll(read(Captures.path(Captures.SLL2)));
        Comparator<Stamped> order =
                Comparator.comparingLong(Stamped::epochNanos).thenComparing(Stamped::datagram, Arrays::compare);
        expected.sort(order);
        try (PcapReader reader = PcapReader.open(Captures.path(Captures.MERGED_PCAPNG))) {
            List<Stamped> records = read(reader);
            assertTrue(reader.nanosecondResolution());
            records.sort(order);
            assertSame(expected, records);
        }
    }

    @Test
    void writerOutputReadsBackInBothFormats() throws IOException {
        List<Stamped> input = read(Captures.path(Captures.ETHERNET_NANOS));
        for (PcapFormat format : PcapFormat.values()) {
            ByteArrayOutputStream file = new ByteArrayOutputStream();
            try (PcapWriter writer = new PcapWriter(file, format)) {
                for (Stamped s : input) {
                    writer.writeNanos(TestPackets.buf(s.datagram()), 0, s.datagram().length, s.epochNanos());
                }
            }
            List<Stamped> expected = input;
            if (format == PcapFormat.PCAP) {
                expected = input.stream()
                        .map(s -> new Stamped(s.epochNanos() / 1000 * 1000, s.datagram()))
                        .toList();
            }
            try (PcapReader reader = new PcapReader(new ByteArrayInputStream(file.toByteArray()))) {
                assertEquals(format, reader.format());
                assertSame(expected, read(reader));
                assertEquals(PcapReader.LINKTYPE_RAW, reader.linkType());
            }
        }
    }

    @Test
    void theFormatFollowsTheFileName() {
        assertEquals(PcapFormat.PCAPNG, PcapFormat.forFileName(Path.of("/tmp/x.pcapng")));
        assertEquals(PcapFormat.PCAPNG, PcapFormat.forFileName(Path.of("X.PCAPNG")));
        assertEquals(PcapFormat.PCAP, PcapFormat.forFileName(Path.of("x.pcap")));
        assertEquals(PcapFormat.PCAP, PcapFormat.forFileName(Path.of("x")));
    }

    /** Builds pcapng files block by block, in either byte order. */
    static final class Ng {
        private final ByteArrayOutputStream out = new ByteArrayOutputStream();
        private ByteOrder order;

        Ng(ByteOrder order) {
            section(order);
        }

        Ng section(ByteOrder order) {
            this.order = order;
            return block(0x0A0D0D0A, b -> b.putInt(0x1A2B3C4D)
                    .putShort((short) 1)
                    .putShort((short) 0)
                    .putLong(-1));
        }

        /** An interface with options given as (code, value) pairs. */
        Ng iface(int linkType, int snapLength, Object... options) {
            return block(1, b -> {
                b.putShort((short) linkType).putShort((short) 0).putInt(snapLength);
                for (int i = 0; i < options.length; i += 2) {
                    byte[] v = (byte[]) options[i + 1];
                    b.putShort((short) (int) (Integer) options[i]).putShort((short) v.length);
                    b.put(v).put(new byte[-v.length & 3]);
                }
                if (options.length > 0) {
                    b.putInt(0);
                }
            });
        }

        Ng epb(int iface, long ts, byte[] frame) {
            return block(6, b -> b.putInt(iface)
                    .putInt((int) (ts >>> 32))
                    .putInt((int) ts)
                    .putInt(frame.length)
                    .putInt(frame.length)
                    .put(frame)
                    .put(new byte[-frame.length & 3])
                    // an opt_comment, then opt_endofopt
                    .putShort((short) 1)
                    .putShort((short) 2)
                    .put(new byte[] {'h', 'i', 0, 0})
                    .putInt(0));
        }

        Ng spb(byte[] frame) {
            return block(3, b -> b.putInt(frame.length).put(frame).put(new byte[-frame.length & 3]));
        }

        Ng block(int type, java.util.function.Consumer<ByteBuffer> body) {
            ByteBuffer b = ByteBuffer.allocate(4096).order(order);
            body.accept(b);
            int length = 12 + b.position();
            raw(type, length, Arrays.copyOf(b.array(), b.position()), length);
            return this;
        }

        Ng raw(int type, int length, byte[] body, int trailer) {
            ByteBuffer b = ByteBuffer.allocate(12 + body.length).order(order);
            b.putInt(type).putInt(length).put(body).putInt(trailer);
            out.writeBytes(b.array());
            return this;
        }

        byte[] bytes() {
            return out.toByteArray();
        }
    }

    @Test
    void readsHandBuiltFilesOfBothByteOrders() throws IOException {
        for (ByteOrder order : List.of(ByteOrder.BIG_ENDIAN, ByteOrder.LITTLE_ENDIAN)) {
            byte[] file = new Ng(order)
                    .block(0x0BAD, b -> b.putInt(42)) // unknown: skipped
                    .iface(PcapReader.LINKTYPE_RAW, 0) // microseconds by default
                    .iface(PcapReader.LINKTYPE_IPV6, 0, 9, new byte[] {3}) // milliseconds
                    .iface(PcapReader.LINKTYPE_IPV4, 0, 9, new byte[] {(byte) 0x8A}) // 2^-10 s
                    .iface(PcapReader.LINKTYPE_RAW, 0, 9, new byte[] {9}, 14, longIn(order, 100)) // offset 100 s
                    .epb(0, 1_000_000L * 5 + 7, UDP)
                    .spb(UDP)
                    .block(5, b -> b.putInt(0).putLong(0)) // interface statistics: skipped
                    .epb(1, 5_001, UDP6)
                    .epb(2, 3 * 1024 + 512, UDP)
                    .epb(3, 1_000_000_001L, UDP)
                    .bytes();
            List<Stamped> r = read(file);
            assertEquals(5, r.size(), order.toString());
            assertEquals(5_000_007_000L, r.get(0).epochNanos());
            assertArrayEquals(UDP, r.get(0).datagram());
            // A simple packet block has no timestamp of its own.
            assertEquals(5_000_007_000L, r.get(1).epochNanos());
            assertArrayEquals(UDP, r.get(1).datagram());
            assertEquals(5_001_000_000L, r.get(2).epochNanos());
            assertArrayEquals(UDP6, r.get(2).datagram());
            assertEquals(3_500_000_000L, r.get(3).epochNanos());
            assertEquals(101_000_000_001L, r.get(4).epochNanos());
        }
    }

    @Test
    void binaryResolutionsOfAnyExponent() throws IOException {
        byte[] file = new Ng(ByteOrder.LITTLE_ENDIAN)
                .iface(PcapReader.LINKTYPE_RAW, 0, 9, new byte[] {(byte) (0x80 | 40)}) // 2^-40 s
                .iface(PcapReader.LINKTYPE_RAW, 0, 9, new byte[] {(byte) (0x80 | 100)}) // 2^-100 s
                .iface(PcapReader.LINKTYPE_RAW, 0, 9, new byte[] {(byte) (0x80 | 20)}) // 2^-20 s
                .epb(0, 5L << 40 | 1L << 39, UDP)
                .epb(1, -1, UDP)
                .epb(2, 3L << 20 | 1L << 18, UDP)
                .bytes();
        List<Stamped> r = read(file);
        assertEquals(5_500_000_000L, r.get(0).epochNanos());
        // 2^64 - 1 units of 2^-100 s: under a nanosecond.
        assertEquals(0, r.get(1).epochNanos());
        assertEquals(3_250_000_000L, r.get(2).epochNanos());
    }

    private static byte[] longIn(ByteOrder order, long v) {
        return ByteBuffer.allocate(8).order(order).putLong(v).array();
    }

    @Test
    void aNewSectionMayChangeByteOrderAndForgetsInterfaces() throws IOException {
        byte[] file = new Ng(ByteOrder.LITTLE_ENDIAN)
                .iface(PcapReader.LINKTYPE_ETHERNET, 0)
                .iface(PcapReader.LINKTYPE_RAW, 0)
                .epb(1, 1, UDP)
                .section(ByteOrder.BIG_ENDIAN)
                .iface(PcapReader.LINKTYPE_RAW, 0)
                .epb(0, 2, UDP6)
                .epb(1, 3, UDP)
                .bytes();
        IOException e = assertThrows(IOException.class, () -> read(file));
        assertTrue(e.getMessage().contains("interface 1, but the section describes 1"), e.getMessage());
        int offset = file.length - (12 + 20 + UDP.length + (-UDP.length & 3) + 12);
        assertTrue(e.getMessage().contains("offset " + offset), e.getMessage());
    }

    @Test
    void framesOfUnknownLinkTypesAreSkippedNotFatal() throws IOException {
        byte[] file = new Ng(ByteOrder.LITTLE_ENDIAN)
                .iface(147, 0) // LINKTYPE_USER0
                .iface(PcapReader.LINKTYPE_RAW, 0)
                .epb(0, 1, UDP)
                .epb(1, 2, UDP6)
                .bytes();
        try (PcapReader reader = new PcapReader(new ByteArrayInputStream(file))) {
            List<Stamped> r = read(reader);
            assertEquals(1, r.size());
            assertEquals(1, reader.skipped());
        }
    }

    @Test
    void corruptFilesFailNamingTheOffset() {
        byte[] good = new Ng(ByteOrder.LITTLE_ENDIAN)
                .iface(PcapReader.LINKTYPE_RAW, 0)
                .bytes();
        int at = good.length;
        assertCorrupt(
                cat(
                        good,
                        new Ng(ByteOrder.LITTLE_ENDIAN)
                                .raw(6, 0x7FFF_FFF0, new byte[0], 0)
                                .bytes(),
                        28),
                "offset " + at + ": impossible block length 2147483632");
        assertCorrupt(
                cat(
                        good,
                        new Ng(ByteOrder.LITTLE_ENDIAN)
                                .raw(6, 0xFFFF_FFF0, new byte[0], 0)
                                .bytes(),
                        28),
                "offset " + at + ": impossible block length 4294967280");
        assertCorrupt(
                cat(
                        good,
                        new Ng(ByteOrder.LITTLE_ENDIAN)
                                .raw(6, 33, new byte[21], 33)
                                .bytes(),
                        28),
                "offset " + at + ": impossible block length 33");
        assertCorrupt(
                cat(
                        good,
                        new Ng(ByteOrder.LITTLE_ENDIAN)
                                .raw(99, 16, new byte[4], 20)
                                .bytes(),
                        28),
                "offset " + at + ": block length 16 at its start but 20 at its end");
        byte[] absurdCapture = ByteBuffer.allocate(24)
                .order(ByteOrder.LITTLE_ENDIAN)
                .putInt(0)
                .putLong(0)
                .putInt(Integer.MAX_VALUE)
                .putInt(0)
                .putInt(0)
                .array();
        assertCorrupt(
                cat(
                        good,
                        new Ng(ByteOrder.LITTLE_ENDIAN)
                                .raw(6, 36, absurdCapture, 36)
                                .bytes(),
                        28),
                "offset " + at
                        + ": enhanced packet block says 2147483647 bytes captured, but the block has room for 4");
        byte[] withPacket = new Ng(ByteOrder.LITTLE_ENDIAN)
                .iface(PcapReader.LINKTYPE_RAW, 0)
                .epb(0, 1, UDP)
                .bytes();
        EOFException eof =
                assertThrows(EOFException.class, () -> read(Arrays.copyOf(withPacket, withPacket.length - 10)));
        assertTrue(eof.getMessage().contains("offset " + at + ": the file ends inside the block"), eof.getMessage());
        byte[] badMagic = good.clone();
        badMagic[8] = 0x55;
        assertCorrupt(badMagic, "offset 0: section header with an unknown byte-order magic");
        byte[] notACapture = "hello, world, not a capture".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        assertCorrupt(notACapture, "neither a pcap nor a pcapng file");
    }

    @Test
    void classicRecordsOfAbsurdLengthFailNamingTheOffset() throws IOException {
        ByteArrayOutputStream file = new ByteArrayOutputStream();
        try (PcapWriter writer = new PcapWriter(file)) {
            writer.write(TestPackets.buf(UDP), 0, UDP.length, 1);
        }
        byte[] b = file.toByteArray();
        int at = b.length;
        b = Arrays.copyOf(b, b.length + 16);
        ByteBuffer.wrap(b, at + 8, 4).putInt(1 << 30);
        assertCorrupt(b, "pcap record at offset " + at + ": impossible captured length 1073741824");
    }

    private static byte[] cat(byte[] a, byte[] b, int skipOfB) {
        // b starts with its own section header: drop it so that the block follows a's interface.
        byte[] out = Arrays.copyOf(a, a.length + b.length - skipOfB);
        System.arraycopy(b, skipOfB, out, a.length, b.length - skipOfB);
        return out;
    }

    private static void assertCorrupt(byte[] file, String message) {
        IOException e = assertThrows(IOException.class, () -> read(file));
        assertTrue(e.getMessage().contains(message), e.getMessage());
    }

    @Test
    void readsNothingFromAnEmptySection() throws IOException {
        try (PcapReader reader = new PcapReader(new ByteArrayInputStream(new Ng(ByteOrder.BIG_ENDIAN).bytes()))) {
            assertEquals(-1, reader.linkType());
            assertNull(reader.next());
        }
    }
}
