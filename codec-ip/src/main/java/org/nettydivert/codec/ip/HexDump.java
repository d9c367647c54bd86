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

/** Hex dumps of packet bytes, for people: logs, test failures, the examples. */
public final class HexDump {
    private static final int BYTES_PER_LINE = 16;
    private static final char[] HEX = "0123456789abcdef".toCharArray();

    private HexDump() {}

    /**
     * A dump of {@code length} bytes from absolute index {@code offset}, sixteen a line: the offset
     * from the start, the bytes in hex (two groups of eight) and as ASCII with dots for the rest.
     *
     * <pre>
     * 0000  45 00 00 3c 1c 46 40 00  40 06 b1 e6 ac 10 0a 63  E..&lt;.F@.@......c
     * </pre>
     */
    public static String dump(ByteBuf buf, int offset, int length) {
        StringBuilder sb = new StringBuilder((length / BYTES_PER_LINE + 1) * 76);
        for (int line = 0; line < length; line += BYTES_PER_LINE) {
            int n = Math.min(BYTES_PER_LINE, length - line);
            appendHex4(sb, line).append("  ");
            for (int i = 0; i < BYTES_PER_LINE; i++) {
                if (i < n) {
                    appendByte(sb, buf.getUnsignedByte(offset + line + i)).append(' ');
                } else {
                    sb.append("   ");
                }
                if (i == 7) {
                    sb.append(' ');
                }
            }
            sb.append(' ');
            for (int i = 0; i < n; i++) {
                int b = buf.getUnsignedByte(offset + line + i);
                sb.append(b >= 0x20 && b < 0x7F ? (char) b : '.');
            }
            sb.append('\n');
        }
        return sb.toString();
    }

    /** A dump of the readable bytes of {@code buf}. */
    public static String dump(ByteBuf buf) {
        return dump(buf, buf.readerIndex(), buf.readableBytes());
    }

    /**
     * The first {@code maxBytes} bytes from absolute index {@code offset} up to the writer index, in
     * hex on one line, with {@code ...} when there were more: {@code "45000054 a1b20000 ..."}.
     */
    public static String oneLine(ByteBuf buf, int offset, int maxBytes) {
        int available = Math.max(0, buf.writerIndex() - offset);
        int n = Math.min(maxBytes, available);
        StringBuilder sb = new StringBuilder(n * 2 + n / 4 + 4);
        for (int i = 0; i < n; i++) {
            if (i > 0 && (i & 3) == 0) {
                sb.append(' ');
            }
            appendByte(sb, buf.getUnsignedByte(offset + i));
        }
        if (available > n) {
            sb.append(" ...");
        }
        return sb.toString();
    }

    private static StringBuilder appendByte(StringBuilder sb, int b) {
        return sb.append(HEX[b >>> 4]).append(HEX[b & 0x0F]);
    }

    private static StringBuilder appendHex4(StringBuilder sb, int value) {
        return appendByte(appendByte(sb, (value >>> 8) & 0xFF), value & 0xFF);
    }
}
