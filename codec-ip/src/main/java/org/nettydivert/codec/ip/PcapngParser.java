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
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;

/**
 * The pcapng half of {@link PcapReader}: walks the blocks of a pcapng stream and hands back the
 * frames of enhanced and simple packet blocks with their interface's link type. Sections may
 * change byte order; interface descriptions give each interface its link type and timestamp
 * resolution; every other block type, and every option but {@code if_tsresol} and {@code
 * if_tsoffset}, is skipped unread.
 *
 * <p>Nothing is allocated from a length the file gives before it is checked against {@link
 * #MAX_BLOCK}: a corrupt or hostile file costs at most one block's worth of memory, and fails with
 * the offset of the block that is wrong.
 */
final class PcapngParser {
    static final int BLOCK_SECTION_HEADER = 0x0A0D0D0A;
    static final int BLOCK_INTERFACE_DESCRIPTION = 1;
    static final int BLOCK_SIMPLE_PACKET = 3;
    static final int BLOCK_ENHANCED_PACKET = 6;
    static final int BYTE_ORDER_MAGIC = 0x1A2B3C4D;
    static final byte OPTION_IF_TSRESOL = 9;
    private static final int OPTION_END = 0;
    private static final int OPTION_IF_TSOFFSET = 14;
    /**
     * The largest block read. A packet block holds one frame: 64 KiB of IP plus link headers in
     * practice, 256 KiB at the largest snap length tools use, so this refuses nothing real.
     */
    static final int MAX_BLOCK = 256 * 1024 + 64;
    /** Interface descriptions kept per section; each costs a little memory, so a file cannot ask for millions. */
    private static final int MAX_INTERFACES = 65_536;

    private static final int SECTION_HEADER_MIN = 28;
    private static final int EPB_FIXED = 20;

    /** An interface of the current section. */
    private record Interface(int linkType, int snapLength, boolean binary, int exponent, long offsetSeconds) {
        long toEpochNanos(long ts) {
            long nanos;
            if (binary) {
                int e = exponent;
                long seconds = e >= 64 ? 0 : ts >>> e;
                long fraction = e >= 64 ? ts : ts & ((1L << e) - 1);
                // Keep fraction * 10^9 within a long: drop the bits finer than 2^-33 s.
                // (Java shifts by the distance mod 64: a distance of 64 or more must give 0 here.)
                if (e > 33) {
                    fraction = e - 33 >= 64 ? 0 : fraction >>> (e - 33);
                    e = 33;
                }
                nanos = seconds * 1_000_000_000L + (fraction * 1_000_000_000L >>> e);
            } else if (exponent <= 9) {
                nanos = ts * POWERS_OF_TEN[9 - exponent];
            } else {
                nanos = exponent - 9 > 18 ? 0 : Long.divideUnsigned(ts, POWERS_OF_TEN[exponent - 9]);
            }
            return nanos + offsetSeconds * 1_000_000_000L;
        }

        boolean finerThanMicros() {
            return binary ? exponent > 19 : exponent > 6;
        }
    }

    private static final long[] POWERS_OF_TEN = new long[19];

    static {
        POWERS_OF_TEN[0] = 1;
        for (int i = 1; i < POWERS_OF_TEN.length; i++) {
            POWERS_OF_TEN[i] = POWERS_OF_TEN[i - 1] * 10;
        }
    }

    private final InputStream in;
    private final ByteBufAllocator alloc;
    private final byte[] scratch = new byte[8192];
    private final List<Interface> interfaces = new ArrayList<>();
    private boolean swapped;
    private long offset;
    private long lastEpochNanos;
    private Interface first;
    private long skipped;

    /**
     * A parser of {@code in}, whose first four bytes (the section header's block type) were read
     * already; reads the rest of the first section header now.
     */
    PcapngParser(InputStream in, ByteBufAllocator alloc) throws IOException {
        this.in = in;
        this.alloc = alloc;
        offset = 4;
        readSectionHeader(0);
    }

    /** The link type of the file's first interface, or -1 before one was described. */
    int firstLinkType() {
        return first == null ? -1 : first.linkType;
    }

    /** Whether the first interface's timestamps are finer than microseconds. */
    boolean firstFinerThanMicros() {
        return first != null && first.finerThanMicros();
    }

    /** Packet blocks that held no IP datagram, or came from an interface of an unsupported link type. */
    long skipped() {
        return skipped;
    }

    /** The next packet that carries an IP datagram, or {@code null} at the end of the file. */
    PcapRecord next() throws IOException {
        byte[] head = new byte[4];
        while (true) {
            long at = offset;
            if (!read(head, 4, at, false)) {
                return null;
            }
            // The section header's type reads the same in both byte orders; its length does not,
            // and is read once the byte-order magic is known.
            int type = getInt(head, 0);
            if (type == BLOCK_SECTION_HEADER) {
                readSectionHeader(at);
                continue;
            }
            read(head, 4, at, true);
            int length = getInt(head, 0);
            checkLength(at, length, 12);
            PcapRecord record;
            switch (type) {
                case BLOCK_INTERFACE_DESCRIPTION:
                    readInterface(at, length);
                    record = null;
                    break;
                case BLOCK_ENHANCED_PACKET:
                    record = readEnhancedPacket(at, length);
                    break;
                case BLOCK_SIMPLE_PACKET:
                    record = readSimplePacket(at, length);
                    break;
                default:
                    // Name resolution, statistics, custom, decryption secrets...: nothing to replay.
                    skip(length - 12, at);
                    record = null;
                    break;
            }
            try {
                readTrailer(at, length);
            } catch (IOException | RuntimeException e) {
                if (record != null) {
                    record.release();
                }
                throw e;
            }
            if (record != null) {
                return record;
            }
        }
    }

    private void readSectionHeader(long at) throws IOException {
        // Block length, byte-order magic, version, section length: 20 bytes after the type.
        byte[] b = new byte[20];
        read(b, b.length, at, true);
        int magic = getIntBigEndian(b, 4);
        if (magic == BYTE_ORDER_MAGIC) {
            swapped = false;
        } else if (magic == Integer.reverseBytes(BYTE_ORDER_MAGIC)) {
            swapped = true;
        } else {
            throw error(at, "section header with an unknown byte-order magic 0x" + Integer.toHexString(magic));
        }
        int length = getInt(b, 0);
        checkLength(at, length, SECTION_HEADER_MIN);
        int major = getShort(b, 8);
        int minor = getShort(b, 10);
        if (major != 1) {
            throw error(at, "pcapng version " + major + "." + minor + " is not supported (only 1.x)");
        }
        // The options (shb_hardware, shb_os, shb_userappl) say nothing replay needs.
        skip(length - SECTION_HEADER_MIN, at);
        readTrailer(at, length);
        interfaces.clear();
    }

    private void readInterface(long at, int length) throws IOException {
        if (length < 20) {
            throw error(at, "interface description block of " + length + " bytes, shorter than its 20 fixed");
        }
        byte[] body = new byte[length - 12];
        read(body, body.length, at, true);
        int linkType = getShort(body, 0);
        int snapLength = getInt(body, 4);
        boolean binary = false;
        int exponent = 6;
        long offsetSeconds = 0;
        int o = 8;
        while (o + 4 <= body.length) {
            int code = getShort(body, o);
            int optionLength = getShort(body, o + 2);
            int value = o + 4;
            if (code == OPTION_END) {
                break;
            }
            if (value + optionLength > body.length) {
                throw error(at, "interface option " + code + " of " + optionLength + " bytes runs past the block");
            }
            if (code == OPTION_IF_TSRESOL && optionLength >= 1) {
                int r = body[value] & 0xFF;
                binary = (r & 0x80) != 0;
                exponent = r & 0x7F;
            } else if (code == OPTION_IF_TSOFFSET && optionLength >= 8) {
                offsetSeconds = (long) getInt(body, value) << 32 | getInt(body, value + 4) & 0xFFFF_FFFFL;
                if (swapped) {
                    // Stored as one 64-bit integer in the section's order, not as two 32-bit halves.
                    offsetSeconds = Long.rotateLeft(offsetSeconds, 32);
                }
            }
            o = value + (optionLength + 3 & ~3);
        }
        if (interfaces.size() == MAX_INTERFACES) {
            throw error(at, "more than " + MAX_INTERFACES + " interfaces in one section");
        }
        Interface i = new Interface(linkType, snapLength, binary, exponent, offsetSeconds);
        interfaces.add(i);
        if (first == null) {
            first = i;
        }
    }

    private PcapRecord readEnhancedPacket(long at, int length) throws IOException {
        if (length < 12 + EPB_FIXED) {
            throw error(at, "enhanced packet block of " + length + " bytes, shorter than its 32 fixed");
        }
        byte[] fixed = new byte[EPB_FIXED];
        read(fixed, EPB_FIXED, at, true);
        int id = getInt(fixed, 0);
        Interface i = interfaceFor(at, id);
        long ts = (long) getInt(fixed, 4) << 32 | getInt(fixed, 8) & 0xFFFF_FFFFL;
        int captured = getInt(fixed, 12);
        int original = getInt(fixed, 16);
        int room = length - 12 - EPB_FIXED;
        if (captured < 0 || captured > room) {
            throw error(
                    at,
                    "enhanced packet block says " + (captured & 0xFFFF_FFFFL)
                            + " bytes captured, but the block has room for " + room);
        }
        long epochNanos = i.toEpochNanos(ts);
        lastEpochNanos = epochNanos;
        return readFrame(at, i, captured, room - captured, epochNanos, original);
    }

    private PcapRecord readSimplePacket(long at, int length) throws IOException {
        if (length < 16) {
            throw error(at, "simple packet block of " + length + " bytes, shorter than its 16 fixed");
        }
        Interface i = interfaceFor(at, 0);
        byte[] fixed = new byte[4];
        read(fixed, 4, at, true);
        int original = getInt(fixed, 0);
        int room = length - 16;
        // The captured length is implied: the original cut at the snap length, padded to the block.
        long captured = original & 0xFFFF_FFFFL;
        if (i.snapLength > 0) {
            captured = Math.min(captured, i.snapLength & 0xFFFF_FFFFL);
        }
        captured = Math.min(captured, room);
        // Simple packet blocks have no timestamp: they inherit the last one seen, so that a
        // replay's clock does not jump back to 1970.
        return readFrame(at, i, (int) captured, room - (int) captured, lastEpochNanos, original);
    }

    private PcapRecord readFrame(long at, Interface i, int captured, int rest, long epochNanos, int original)
            throws IOException {
        ByteBuf frame = alloc.buffer(captured);
        try {
            while (frame.writerIndex() < captured) {
                int n = frame.writeBytes(in, captured - frame.writerIndex());
                if (n < 0) {
                    throw new EOFException(where(at) + "the file ends inside the block");
                }
                offset += n;
            }
            // Padding and the packet's options (flags, hashes, comments): not needed.
            skip(rest, at);
        } catch (IOException | RuntimeException e) {
            frame.release();
            throw e;
        }
        PcapRecord record = PcapReader.toRecord(frame, i.linkType, epochNanos, original);
        if (record == null) {
            skipped++;
        }
        return record;
    }

    private Interface interfaceFor(long at, int id) throws IOException {
        if (id < 0 || id >= interfaces.size()) {
            throw error(
                    at,
                    "packet of interface " + (id & 0xFFFF_FFFFL) + ", but the section describes " + interfaces.size());
        }
        return interfaces.get(id);
    }

    private void checkLength(long at, int length, int min) throws IOException {
        if (length < min || length > MAX_BLOCK || (length & 3) != 0) {
            throw error(
                    at,
                    "impossible block length " + (length & 0xFFFF_FFFFL) + " (a multiple of 4 from " + min + " to "
                            + MAX_BLOCK + " expected)");
        }
    }

    private void readTrailer(long at, int length) throws IOException {
        byte[] b = new byte[4];
        read(b, 4, at, true);
        int trailer = getInt(b, 0);
        if (trailer != length) {
            throw error(at, "block length " + length + " at its start but " + (trailer & 0xFFFF_FFFFL) + " at its end");
        }
    }

    private void skip(int n, long at) throws IOException {
        int left = n;
        while (left > 0) {
            int r = in.read(scratch, 0, Math.min(left, scratch.length));
            if (r < 0) {
                throw new EOFException(where(at) + "the file ends inside the block");
            }
            left -= r;
            offset += r;
        }
    }

    /** Reads {@code length} bytes; {@code false} at a clean end of file before the first byte. */
    private boolean read(byte[] b, int length, long at, boolean required) throws IOException {
        int n = 0;
        while (n < length) {
            int r = in.read(b, n, length - n);
            if (r < 0) {
                if (n == 0 && !required) {
                    return false;
                }
                throw new EOFException(where(at) + "the file ends inside the block");
            }
            n += r;
            offset += r;
        }
        return true;
    }

    private static IOException error(long at, String what) {
        return new IOException(where(at) + what);
    }

    private static String where(long at) {
        return "pcapng block at offset " + at + ": ";
    }

    private int getInt(byte[] b, int at) {
        int v = getIntBigEndian(b, at);
        return swapped ? Integer.reverseBytes(v) : v;
    }

    private int getShort(byte[] b, int at) {
        int v = (b[at] & 0xFF) << 8 | (b[at + 1] & 0xFF);
        return swapped ? Integer.reverseBytes(v) >>> 16 : v;
    }

    private static int getIntBigEndian(byte[] b, int at) {
        return (b[at] & 0xFF) << 24 | (b[at + 1] & 0xFF) << 16 | (b[at + 2] & 0xFF) << 8 | (b[at + 3] & 0xFF);
    }
}
