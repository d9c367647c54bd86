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
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.UnpooledByteBufAllocator;
import java.io.BufferedInputStream;
import java.io.Closeable;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Objects;

/**
 * Reads the IP datagrams of a capture file, classic pcap or pcapng (told apart by the magic
 * number at its start), whatever the link layer the capture used: raw IP (101, 228, 229), Ethernet
 * (1, VLAN tags skipped), Linux cooked captures (SLL 113, SLL2 276) and BSD loopback (0, 108).
 * Classic files: microsecond and nanosecond, either byte order. pcapng files: any number of
 * sections (either byte order) and interfaces, each with its own link type and {@code if_tsresol};
 * enhanced and simple packet blocks are read, all other blocks skipped. Frames that carry no IPv4
 * or IPv6 datagram (ARP, for one) are skipped and counted.
 *
 * <p>Memory stays bounded whatever the file says: a record or block longer than 256 KiB is an
 * error, reported with the offset of the record or block in the file. Not thread-safe.
 */
public final class PcapReader implements Closeable {
    /** BSD loopback: a 4-byte address family in the capturing host's byte order. */
    public static final int LINKTYPE_NULL = 0;
    /** Ethernet II. */
    public static final int LINKTYPE_ETHERNET = 1;
    /** Raw IP, the version nibble tells which; what {@link PcapWriter} writes. */
    public static final int LINKTYPE_RAW = 101;
    /** OpenBSD loopback: a 4-byte address family in network byte order. */
    public static final int LINKTYPE_LOOP = 108;
    /** Linux cooked capture v1 ({@code tcpdump -i any}). */
    public static final int LINKTYPE_LINUX_SLL = 113;
    /** Raw IPv4. */
    public static final int LINKTYPE_IPV4 = 228;
    /** Raw IPv6. */
    public static final int LINKTYPE_IPV6 = 229;
    /** Linux cooked capture v2. */
    public static final int LINKTYPE_LINUX_SLL2 = 276;

    private static final int ETHERTYPE_IPV4 = 0x0800;
    private static final int ETHERTYPE_IPV6 = 0x86DD;
    private static final int ETHERTYPE_VLAN = 0x8100;
    private static final int ETHERTYPE_QINQ = 0x88A8;
    private static final int ETHERTYPE_VLAN_OLD_QINQ = 0x9100;
    private static final int ETHERNET_HEADER_LENGTH = 14;
    private static final int VLAN_TAG_LENGTH = 4;
    private static final int SLL_HEADER_LENGTH = 16;
    private static final int SLL_PROTOCOL_OFFSET = 14;
    private static final int SLL2_HEADER_LENGTH = 20;
    private static final int LOOPBACK_HEADER_LENGTH = 4;
    /** The largest snap length tools use; a classic record longer than this is corruption. */
    private static final int MAX_RECORD = 256 * 1024;

    private static final int PCAPNG_MAGIC = PcapngParser.BLOCK_SECTION_HEADER;

    private final InputStream in;
    private final ByteBufAllocator alloc;
    private final byte[] header = new byte[PcapWriter.RECORD_HEADER_LENGTH];
    private final PcapngParser pcapng;
    private final boolean swapped;
    private final boolean nanos;
    private final int linkType;
    private long offset;
    private long skipped;

    /** A reader of {@code in}, which it owns; reads the file header now. Records are heap buffers. */
    public PcapReader(InputStream in) throws IOException {
        this(in, UnpooledByteBufAllocator.DEFAULT);
    }

    /**
     * A reader of {@code in}, which it owns, allocating records from {@code alloc}; reads the file
     * header (for pcapng, the first section header) now.
     */
    public PcapReader(InputStream in, ByteBufAllocator alloc) throws IOException {
        this.in = Objects.requireNonNull(in, "in");
        this.alloc = Objects.requireNonNull(alloc, "alloc");
        byte[] global = new byte[PcapWriter.GLOBAL_HEADER_LENGTH];
        readFully(global, 4, true);
        int magic = getInt(global, 0, false);
        if (magic == PCAPNG_MAGIC) {
            pcapng = new PcapngParser(in, alloc);
            swapped = false;
            nanos = false;
            linkType = -1;
            return;
        }
        pcapng = null;
        if (magic == PcapWriter.MAGIC_MICROS || magic == PcapWriter.MAGIC_NANOS) {
            swapped = false;
        } else if (Integer.reverseBytes(magic) == PcapWriter.MAGIC_MICROS
                || Integer.reverseBytes(magic) == PcapWriter.MAGIC_NANOS) {
            swapped = true;
            magic = Integer.reverseBytes(magic);
        } else {
            throw new IOException("neither a pcap nor a pcapng file: magic 0x" + Integer.toHexString(magic));
        }
        readFully(global, 4, global.length - 4, true);
        nanos = magic == PcapWriter.MAGIC_NANOS;
        // The link type's upper bits carry FCS information (pcap "LinkType and additional information").
        linkType = getInt(global, 20, swapped) & 0x0FFF_FFFF;
        if (ipOffset(null, linkType) == Integer.MIN_VALUE) {
            throw new IOException("unsupported pcap link type " + linkType);
        }
    }

    /** A reader of the file at {@code path}. */
    public static PcapReader open(Path path) throws IOException {
        return new PcapReader(new BufferedInputStream(Files.newInputStream(path)));
    }

    /** Which format the file is in. */
    public PcapFormat format() {
        return pcapng == null ? PcapFormat.PCAP : PcapFormat.PCAPNG;
    }

    /**
     * The file's link type, e.g. {@link #LINKTYPE_ETHERNET}. A pcapng file has one per interface:
     * this is the first interface's, or -1 before the reader has seen one.
     */
    public int linkType() {
        return pcapng == null ? linkType : pcapng.firstLinkType();
    }

    /**
     * Whether the file has timestamps finer than microseconds (for pcapng, those of the first
     * interface).
     */
    public boolean nanosecondResolution() {
        return pcapng == null ? nanos : pcapng.firstFinerThanMicros();
    }

    /**
     * How many records carried no IP datagram (or, in pcapng, came from an interface of a link
     * type this reader does not know) and were skipped so far.
     */
    public long skipped() {
        return pcapng == null ? skipped : pcapng.skipped();
    }

    /**
     * The next record that carries an IP datagram, or {@code null} at the end of the file.
     *
     * @throws EOFException when the file ends inside a record or block
     * @throws IOException when a record or block is corrupt: the message names its offset
     */
    public PcapRecord next() throws IOException {
        if (pcapng != null) {
            return pcapng.next();
        }
        while (true) {
            long at = offset;
            if (!readFully(header, 0, header.length, false)) {
                return null;
            }
            long seconds = getInt(header, 0, swapped) & 0xFFFF_FFFFL;
            long fraction = getInt(header, 4, swapped) & 0xFFFF_FFFFL;
            int captured = getInt(header, 8, swapped);
            int original = getInt(header, 12, swapped);
            if (captured < 0 || captured > MAX_RECORD) {
                throw new IOException("pcap record at offset " + at + ": impossible captured length "
                        + (captured & 0xFFFF_FFFFL) + " (at most " + MAX_RECORD + ")");
            }
            ByteBuf frame = alloc.buffer(captured);
            try {
                while (frame.writerIndex() < captured) {
                    int n = frame.writeBytes(in, captured - frame.writerIndex());
                    if (n < 0) {
                        throw new EOFException("pcap record at offset " + at + ": the file ends inside it");
                    }
                    offset += n;
                }
            } catch (IOException | RuntimeException e) {
                frame.release();
                throw e;
            }
            long epochNanos = seconds * 1_000_000_000L + (nanos ? fraction : fraction * 1000);
            PcapRecord record = toRecord(frame, linkType, epochNanos, original);
            if (record != null) {
                return record;
            }
            skipped++;
        }
    }

    /**
     * {@code frame} as a record readable from its IP header, or {@code null} (and {@code frame}
     * released) when it carries no IP datagram or {@code linkType} is not supported.
     */
    static PcapRecord toRecord(ByteBuf frame, int linkType, long epochNanos, int original) {
        int ip = ipOffset(frame, linkType);
        if (ip < 0 || ip >= frame.writerIndex() || !isIpVersion(frame.getUnsignedByte(ip) >>> 4)) {
            frame.release();
            return null;
        }
        frame.readerIndex(ip);
        return new PcapRecord(frame, epochNanos, original);
    }

    /**
     * Where the IP header starts in {@code frame} for {@code linkType}: -1 when the frame carries no
     * IP, {@link Integer#MIN_VALUE} when the link type is not supported. With a {@code null} frame,
     * only says whether the link type is supported.
     */
    static int ipOffset(ByteBuf frame, int linkType) {
        switch (linkType) {
            case LINKTYPE_RAW:
            case LINKTYPE_IPV4:
            case LINKTYPE_IPV6:
                return 0;
            case LINKTYPE_NULL:
            case LINKTYPE_LOOP:
                // The family's value differs between BSDs; the version nibble is the reliable test.
                return LOOPBACK_HEADER_LENGTH;
            case LINKTYPE_ETHERNET:
                return frame == null ? 0 : ethernetPayload(frame);
            case LINKTYPE_LINUX_SLL:
                return frame == null ? 0 : ifIp(frame, SLL_PROTOCOL_OFFSET, SLL_HEADER_LENGTH);
            case LINKTYPE_LINUX_SLL2:
                return frame == null ? 0 : ifIp(frame, 0, SLL2_HEADER_LENGTH);
            default:
                return Integer.MIN_VALUE;
        }
    }

    private static int ethernetPayload(ByteBuf frame) {
        int typeAt = ETHERNET_HEADER_LENGTH - 2;
        while (typeAt + 2 <= frame.writerIndex()) {
            int type = frame.getUnsignedShort(typeAt);
            if (type == ETHERTYPE_VLAN || type == ETHERTYPE_QINQ || type == ETHERTYPE_VLAN_OLD_QINQ) {
                typeAt += VLAN_TAG_LENGTH;
                continue;
            }
            return isIpEthertype(type) ? typeAt + 2 : -1;
        }
        return -1;
    }

    private static int ifIp(ByteBuf frame, int protocolAt, int headerLength) {
        if (frame.writerIndex() < headerLength) {
            return -1;
        }
        return isIpEthertype(frame.getUnsignedShort(protocolAt)) ? headerLength : -1;
    }

    private static boolean isIpEthertype(int type) {
        return type == ETHERTYPE_IPV4 || type == ETHERTYPE_IPV6;
    }

    private static boolean isIpVersion(int version) {
        return version == 4 || version == 6;
    }

    /** Reads {@code length} bytes to {@code b[from]}; {@code false} at a clean end of file before the first byte. */
    private boolean readFully(byte[] b, int from, int length, boolean required) throws IOException {
        int n = 0;
        while (n < length) {
            int r = in.read(b, from + n, length - n);
            if (r < 0) {
                if (n == 0 && !required) {
                    return false;
                }
                throw new EOFException("pcap file ends inside the header at offset " + (offset - n));
            }
            n += r;
            offset += r;
        }
        return true;
    }

    private boolean readFully(byte[] b, int length, boolean required) throws IOException {
        return readFully(b, 0, length, required);
    }

    private static int getInt(byte[] b, int at, boolean swapped) {
        int v = (b[at] & 0xFF) << 24 | (b[at + 1] & 0xFF) << 16 | (b[at + 2] & 0xFF) << 8 | (b[at + 3] & 0xFF);
        return swapped ? Integer.reverseBytes(v) : v;
    }

    @Override
    public void close() throws IOException {
        in.close();
    }
}
