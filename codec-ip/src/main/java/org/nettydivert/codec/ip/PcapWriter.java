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
import java.util.Objects;

/**
 * Writes IP datagrams to a classic pcap file: LINKTYPE_RAW (101), microsecond timestamps, big-endian
 * headers. Wireshark and tcpdump read it as is. Thread-safe: records are written whole.
 */
public final class PcapWriter implements Closeable {
    static final int MAGIC_MICROS = 0xA1B2C3D4;
    static final int MAGIC_NANOS = 0xA1B23C4D;
    static final int GLOBAL_HEADER_LENGTH = 24;
    static final int RECORD_HEADER_LENGTH = 16;
    private static final int SNAPLEN = 262_144;

    private final OutputStream out;
    private final byte[] recordHeader = new byte[RECORD_HEADER_LENGTH];
    private long records;

    /** A writer that writes the file header to {@code out} now and takes ownership of it. */
    public PcapWriter(OutputStream out) throws IOException {
        this.out = Objects.requireNonNull(out, "out");
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

    /** A writer to a new (or truncated) file at {@code path}. */
    public static PcapWriter create(Path path) throws IOException {
        return new PcapWriter(new BufferedOutputStream(Files.newOutputStream(path)));
    }

    /** Writes the readable bytes of {@code datagram}, stamped now; the buffer's indexes do not move. */
    public void write(ByteBuf datagram) throws IOException {
        write(datagram, datagram.readerIndex(), datagram.readableBytes(), System.currentTimeMillis() * 1000);
    }

    /** Writes {@code length} bytes from absolute index {@code offset}, stamped {@code epochMicros}. */
    public synchronized void write(ByteBuf buf, int offset, int length, long epochMicros) throws IOException {
        int captured = Math.min(length, SNAPLEN);
        putInt(recordHeader, 0, (int) (epochMicros / 1_000_000));
        putInt(recordHeader, 4, (int) (epochMicros % 1_000_000));
        putInt(recordHeader, 8, captured);
        putInt(recordHeader, 12, length);
        out.write(recordHeader);
        buf.getBytes(offset, out, captured);
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
