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

/**
 * A view of a TCP header (RFC 9293); see {@link HeaderView} for the rules every view follows. Read
 * options with {@link TcpOptions}.
 */
public final class TcpHeader extends PortHeader<TcpHeader> {
    /** The length of a header without options. */
    public static final int MIN_LENGTH = 20;
    /** The length of a header with the most options (data offset 15). */
    public static final int MAX_LENGTH = 60;

    /** FIN flag bit. */
    public static final int FIN = 0x01;
    /** SYN flag bit. */
    public static final int SYN = 0x02;
    /** RST flag bit. */
    public static final int RST = 0x04;
    /** PSH flag bit. */
    public static final int PSH = 0x08;
    /** ACK flag bit. */
    public static final int ACK = 0x10;
    /** URG flag bit. */
    public static final int URG = 0x20;
    /** ECE flag bit (RFC 3168). */
    public static final int ECE = 0x40;
    /** CWR flag bit (RFC 3168). */
    public static final int CWR = 0x80;

    static final int SEQUENCE_OFFSET = 4;
    static final int ACKNOWLEDGMENT_OFFSET = 8;
    static final int DATA_OFFSET_FLAGS_OFFSET = 12;
    static final int FLAGS_OFFSET = 13;
    static final int WINDOW_OFFSET = 14;
    static final int CHECKSUM_OFFSET = 16;
    static final int URGENT_POINTER_OFFSET = 18;

    /** A view to {@link #wrap} later. */
    public TcpHeader() {
        super(CHECKSUM_OFFSET, MIN_LENGTH);
    }

    /** The length of the TCP header at {@code offset} (from its data offset), or -1 when it does not fit or is impossible. */
    static int headerLengthAt(ByteBuf buf, int offset, int room) {
        if (room < MIN_LENGTH) {
            return -1;
        }
        int length = (buf.getUnsignedByte(offset + DATA_OFFSET_FLAGS_OFFSET) >>> 4) << 2;
        return length < MIN_LENGTH || length > room ? -1 : length;
    }

    @Override
    TcpHeader self() {
        return this;
    }

    /** The sequence number, unsigned 32 bits in an int (compare with {@link Integer#compareUnsigned}). */
    public int sequenceNumber() {
        return buf.getInt(offset + SEQUENCE_OFFSET);
    }

    /** Sets the sequence number; the checksum is not updated. */
    public TcpHeader setSequenceNumber(int sequenceNumber) {
        buf.setInt(offset + SEQUENCE_OFFSET, sequenceNumber);
        return this;
    }

    /** Sets the sequence number, updating the checksum incrementally. */
    public TcpHeader setSequenceNumberUpdatingChecksum(int sequenceNumber) {
        setIntUpdatingChecksum(SEQUENCE_OFFSET, sequenceNumber);
        return this;
    }

    /** The acknowledgment number, unsigned 32 bits in an int. */
    public int acknowledgmentNumber() {
        return buf.getInt(offset + ACKNOWLEDGMENT_OFFSET);
    }

    /** Sets the acknowledgment number; the checksum is not updated. */
    public TcpHeader setAcknowledgmentNumber(int acknowledgmentNumber) {
        buf.setInt(offset + ACKNOWLEDGMENT_OFFSET, acknowledgmentNumber);
        return this;
    }

    /** Sets the acknowledgment number, updating the checksum incrementally. */
    public TcpHeader setAcknowledgmentNumberUpdatingChecksum(int acknowledgmentNumber) {
        setIntUpdatingChecksum(ACKNOWLEDGMENT_OFFSET, acknowledgmentNumber);
        return this;
    }

    /** The data offset field in 32-bit words (5 to 15 for a valid header). */
    public int dataOffset() {
        return buf.getUnsignedByte(offset + DATA_OFFSET_FLAGS_OFFSET) >>> 4;
    }

    @Override
    public int headerLength() {
        return dataOffset() << 2;
    }

    /** The absolute index of the first option byte. */
    public int optionsStart() {
        return offset + MIN_LENGTH;
    }

    /** The absolute index just past the options, where the payload starts. */
    public int optionsEnd() {
        return offset + headerLength();
    }

    /** The eight flag bits (CWR down to FIN); test them with the constants, e.g. {@code (flags() & SYN) != 0}. */
    public int flags() {
        return buf.getUnsignedByte(offset + FLAGS_OFFSET);
    }

    /** Whether every bit of {@code flagBits} is set. */
    public boolean hasFlags(int flagBits) {
        return (flags() & flagBits) == flagBits;
    }

    /** Sets the eight flag bits; the checksum is not updated. */
    public TcpHeader setFlags(int flags) {
        buf.setByte(offset + FLAGS_OFFSET, flags);
        return this;
    }

    /** Sets the eight flag bits, updating the checksum incrementally. */
    public TcpHeader setFlagsUpdatingChecksum(int flags) {
        int word = buf.getUnsignedShort(offset + DATA_OFFSET_FLAGS_OFFSET);
        setWordUpdatingChecksum(DATA_OFFSET_FLAGS_OFFSET, (word & 0xFF00) | (flags & 0xFF));
        return this;
    }

    /** The receive window, unscaled. */
    public int window() {
        return buf.getUnsignedShort(offset + WINDOW_OFFSET);
    }

    /** Sets the window; the checksum is not updated. */
    public TcpHeader setWindow(int window) {
        buf.setShort(offset + WINDOW_OFFSET, window);
        return this;
    }

    /** Sets the window, updating the checksum incrementally (what an MSS or window clamp does). */
    public TcpHeader setWindowUpdatingChecksum(int window) {
        setWordUpdatingChecksum(WINDOW_OFFSET, window);
        return this;
    }

    /** The urgent pointer. */
    public int urgentPointer() {
        return buf.getUnsignedShort(offset + URGENT_POINTER_OFFSET);
    }

    /** Sets the urgent pointer; the checksum is not updated. */
    public TcpHeader setUrgentPointer(int urgentPointer) {
        buf.setShort(offset + URGENT_POINTER_OFFSET, urgentPointer);
        return this;
    }

    /** Appends the flags as tcpdump prints them: {@code S}, {@code S.}, {@code P.}, {@code F.}, {@code R}... */
    public StringBuilder appendFlags(StringBuilder sb) {
        int f = flags();
        int start = sb.length();
        appendIf(sb, f, FIN, 'F');
        appendIf(sb, f, SYN, 'S');
        appendIf(sb, f, RST, 'R');
        appendIf(sb, f, PSH, 'P');
        appendIf(sb, f, URG, 'U');
        appendIf(sb, f, ECE, 'E');
        appendIf(sb, f, CWR, 'W');
        appendIf(sb, f, ACK, '.');
        if (sb.length() == start) {
            sb.append("none");
        }
        return sb;
    }

    private static void appendIf(StringBuilder sb, int flags, int bit, char c) {
        if ((flags & bit) != 0) {
            sb.append(c);
        }
    }

    @Override
    public String toString() {
        return appendFlags(new StringBuilder("TcpHeader(")
                        .append(sourcePort())
                        .append(" > ")
                        .append(destinationPort())
                        .append(" ["))
                .append("] seq ")
                .append(Integer.toUnsignedString(sequenceNumber()))
                .append(')')
                .toString();
    }
}
