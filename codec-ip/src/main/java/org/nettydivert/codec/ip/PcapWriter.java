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
import java.io.BufferedOutputStream;
import java.io.Closeable;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Objects;

/**
 * Writes IP datagrams to a capture file, classic pcap or pcapng (see {@link PcapFormat}). Classic
 * files are LINKTYPE_RAW (101) with microsecond timestamps; pcapng files hold one interface,
 * LINKTYPE_RAW, with nanosecond timestamps ({@code if_tsresol} 9), in enhanced packet blocks.
 * Headers are big-endian. Wireshark and tcpdump read both as they are. Thread-safe: records are
 * written whole.
 */
public final class PcapWriter implements Closeable {
    static final int MAGIC_MICROS = 0xA1B2C3D4;
    static final int MAGIC_NANOS = 0xA1B23C4D;
    static final int GLOBAL_HEADER_LENGTH = 24;
    static final int RECORD_HEADER_LENGTH = 16;
    private static final int SNAPLEN = 262_144;
    private static final int EPB_HEADER_LENGTH = 28;
    private static final byte[] PADDING = new byte[3];

    private final OutputStream out;
    private final PcapFormat format;
    private final byte[] recordHeader = new byte[EPB_HEADER_LENGTH];
    private long records;

    /** A classic pcap writer that writes the file header to {@code out} now and takes ownership of it. */
    public PcapWriter(OutputStream out) throws IOException {
        this(out, PcapFormat.PCAP);
    }

    /**
     * A writer of {@code format} that writes the file header (for pcapng, the section header and
     * the one interface description) to {@code out} now and takes ownership of it.
     */
    public PcapWriter(OutputStream out, PcapFormat format) throws IOException {
        this.out = Objects.requireNonNull(out, "out");
        this.format = Objects.requireNonNull(format, "format");
        if (format == PcapFormat.PCAPNG) {
            writePcapngHeader();
            return;
        }
        byte[] header = new byte[GLOBAL_HEADER_LENGTH];
        putInt(header, 0, MAGIC_MICROS);
        header[4] = 0; // version 2.4
        header[5] = 2;
        header[6] = 0;
        header[7] = 4;
        // thiszone and sigfigs stay 0
        putInt(header, 16, SNAPLEN);
        putInt(header, 20, PcapReader.LINKTYPE_RAW);
        out.write(header);
    }

    private void writePcapngHeader() throws IOException {
        // Section header: no options, section length unknown (-1), as streaming writers do.
        byte[] shb = new byte[28];
        putInt(shb, 0, PcapngParser.BLOCK_SECTION_HEADER);
        putInt(shb, 4, shb.length);
        putInt(shb, 8, PcapngParser.BYTE_ORDER_MAGIC);
        shb[13] = 1; // version 1.0
        putInt(shb, 16, -1);
        putInt(shb, 20, -1);
        putInt(shb, 24, shb.length);
        out.write(shb);
        // Interface description: LINKTYPE_RAW, and if_tsresol 9 (nanoseconds), then opt_endofopt.
        byte[] idb = new byte[32];
        putInt(idb, 0, PcapngParser.BLOCK_INTERFACE_DESCRIPTION);
        putInt(idb, 4, idb.length);
        idb[8] = 0;
        idb[9] = (byte) PcapReader.LINKTYPE_RAW;
        putInt(idb, 12, SNAPLEN);
        idb[16] = 0;
        idb[17] = PcapngParser.OPTION_IF_TSRESOL;
        idb[19] = 1;
        idb[20] = 9;
        // idb[21..23] pad the option, idb[24..27] are opt_endofopt
        putInt(idb, 28, idb.length);
        out.write(idb);
    }

    /** A classic pcap writer to a new (or truncated) file at {@code path}. */
    public static PcapWriter create(Path path) throws IOException {
        return create(path, PcapFormat.PCAP);
    }

    /** A writer of {@code format} to a new (or truncated) file at {@code path}. */
    public static PcapWriter create(Path path, PcapFormat format) throws IOException {
        return new PcapWriter(new BufferedOutputStream(Files.newOutputStream(path)), format);
    }

    /** The format this writer writes. */
    public PcapFormat format() {
        return format;
    }

    /** Writes the readable bytes of {@code datagram}, stamped now; the buffer's indexes do not move. */
    public void write(ByteBuf datagram) throws IOException {
        Instant now = Instant.now();
        writeNanos(
                datagram,
                datagram.readerIndex(),
                datagram.readableBytes(),
                now.getEpochSecond() * 1_000_000_000L + now.getNano());
    }

    /** Writes {@code length} bytes from absolute index {@code offset}, stamped {@code epochMicros}. */
    public void write(ByteBuf buf, int offset, int length, long epochMicros) throws IOException {
        writeNanos(buf, offset, length, epochMicros * 1000);
    }

    /**
     * Writes {@code length} bytes from absolute index {@code offset}, stamped {@code epochNanos}
     * (classic pcap files keep the microseconds).
     */
    public synchronized void writeNanos(ByteBuf buf, int offset, int length, long epochNanos) throws IOException {
        int captured = Math.min(length, SNAPLEN);
        if (format == PcapFormat.PCAPNG) {
            int padding = -captured & 3;
            int total = EPB_HEADER_LENGTH + captured + padding + 4;
            putInt(recordHeader, 0, PcapngParser.BLOCK_ENHANCED_PACKET);
            putInt(recordHeader, 4, total);
            putInt(recordHeader, 8, 0); // interface 0
            putInt(recordHeader, 12, (int) (epochNanos >>> 32));
            putInt(recordHeader, 16, (int) epochNanos);
            putInt(recordHeader, 20, captured);
            putInt(recordHeader, 24, length);
            out.write(recordHeader, 0, EPB_HEADER_LENGTH);
            buf.getBytes(offset, out, captured);
            out.write(PADDING, 0, padding);
            putInt(recordHeader, 0, total);
            out.write(recordHeader, 0, 4);
        } else {
            long epochMicros = Math.floorDiv(epochNanos, 1000);
            putInt(recordHeader, 0, (int) (epochMicros / 1_000_000));
            putInt(recordHeader, 4, (int) (epochMicros % 1_000_000));
            putInt(recordHeader, 8, captured);
            putInt(recordHeader, 12, length);
            out.write(recordHeader, 0, RECORD_HEADER_LENGTH);
            buf.getBytes(offset, out, captured);
        }
        records++;
    }
    /** How many records were written. */
    public synchronized long records() {
        return records;
    }

    /** Flushes buffered records to the file. */
    public synchronized void flush() throws IOException {
        out.flush();
    }

    @Override
    public synchronized void close() throws IOException {
        out.close();
    }

    private static void putInt(byte[] b, int at, int v) {
        b[at] = (byte) (v >>> 24);
        b[at + 1] = (byte) (v >>> 16);
        b[at + 2] = (byte) (v >>> 8);
        b[at + 3] = (byte) v;
    }
}
