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

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.netty.buffer.ByteBuf;
import org.junit.jupiter.api.Test;

class HexDumpTest {
    private final ByteBuf buf = TestPackets.buf(TestPackets.bytes(
            0x45, 0x00, 0x00, 0x3c, 0x1c, 0x46, 0x40, 0x00, 0x40, 0x06, 0xb1, 0xe6, 0xac, 0x10, 0x0a, 0x63, 0x47, 0x45,
            0x54));

    @Test
    void dumpShowsOffsetHexAndAscii() {
        assertEquals(
                "0000  45 00 00 3c 1c 46 40 00  40 06 b1 e6 ac 10 0a 63  E..<.F@.@......c\n"
                        + "0010  47 45 54                                          GET\n",
                HexDump.dump(buf));
    }

    @Test
    void dumpOfNothingIsEmpty() {
        assertEquals("", HexDump.dump(buf, 0, 0));
    }

    @Test
    void oneLineGroupsFourBytesAndMarksTheRest() {
        assertEquals("4500003c 1c464000 ...", HexDump.oneLine(buf, 0, 8));
        assertEquals("474554", HexDump.oneLine(buf, 16, 8));
    }

    @Test
    void dumpingNeverMovesTheIndexes() {
        buf.readerIndex(3);
        HexDump.dump(buf);
        HexDump.oneLine(buf, 0, 4);
        assertEquals(3, buf.readerIndex());
    }
}
