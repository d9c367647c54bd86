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
package org.nettydivert.transport.bsd;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import org.junit.jupiter.api.Test;
import org.nettydivert.transport.unix.Os;

/** {@code struct kevent} and the kqueue constants, pinned to {@code docs/ABI.md#kqueue}. */
class KeventLayoutTest {

    @Test
    void freeBsdKeventIs64BytesWithExtension() {
        assertEquals(64, KeventLayout.FREEBSD.size);
        assertEquals(32, KeventLayout.EXT_OFFSET);
    }

    @Test
    void openBsdAndMacOsKeventsAre32Bytes() {
        assertEquals(32, KeventLayout.OPENBSD.size);
        assertEquals(32, KeventLayout.MACOS.size);
    }

    @Test
    void fieldOffsetsAreTheSameOnEverySystem() {
        assertEquals(0, KeventLayout.IDENT_OFFSET);
        assertEquals(8, KeventLayout.FILTER_OFFSET);
        assertEquals(10, KeventLayout.FLAGS_OFFSET);
        assertEquals(12, KeventLayout.FFLAGS_OFFSET);
        assertEquals(16, KeventLayout.DATA_OFFSET);
        assertEquals(24, KeventLayout.UDATA_OFFSET);
    }

    @Test
    void filtersHaveTheirBsdValues() {
        assertEquals(-1, KeventLayout.EVFILT_READ);
        assertEquals(-2, KeventLayout.EVFILT_WRITE);
        assertEquals(-7, KeventLayout.EVFILT_TIMER);
    }

    @Test
    void userFilterIsMinus11OnFreeBsdMinus10OnMacOsAndAbsentOnOpenBsd() {
        assertEquals(-11, KeventLayout.FREEBSD.userFilter);
        assertEquals(-10, KeventLayout.MACOS.userFilter);
        assertTrue(KeventLayout.FREEBSD.hasUserFilter());
        assertTrue(KeventLayout.MACOS.hasUserFilter());
        assertFalse(KeventLayout.OPENBSD.hasUserFilter());
    }

    @Test
    void flagsHaveTheirBsdValues() {
        assertEquals(0x1, KeventLayout.EV_ADD);
        assertEquals(0x2, KeventLayout.EV_DELETE);
        assertEquals(0x4, KeventLayout.EV_ENABLE);
        assertEquals(0x8, KeventLayout.EV_DISABLE);
        assertEquals(0x10, KeventLayout.EV_ONESHOT);
        assertEquals(0x20, KeventLayout.EV_CLEAR);
        assertEquals(0x40, KeventLayout.EV_RECEIPT);
        assertEquals(0x4000, KeventLayout.EV_ERROR);
        assertEquals(0x8000, KeventLayout.EV_EOF);
    }

    @Test
    void userFilterNotesHaveTheirBsdValues() {
        assertEquals(0x01000000, KeventLayout.NOTE_TRIGGER);
        assertEquals(0, KeventLayout.NOTE_FFNOP);
    }

    @Test
    void eachKqueueSystemHasItsLayoutAndOthersHaveNone() {
        assertSame(KeventLayout.FREEBSD, KeventLayout.of(Os.FREEBSD));
        assertSame(KeventLayout.OPENBSD, KeventLayout.of(Os.OPENBSD));
        // macOS has kqueue but no divert sockets: nothing runs there, the poller included.
        UnsupportedOperationException e =
                assertThrows(UnsupportedOperationException.class, () -> KeventLayout.of(Os.MACOS));
        assertTrue(e.getMessage().contains("macOS has no divert sockets"), e.getMessage());
        assertThrows(UnsupportedOperationException.class, () -> KeventLayout.of(Os.LINUX));
    }

    @Test
    void freeBsdEntryIsWrittenLittleEndianAtEveryOffsetAndExtensionZeroed() {
        ByteBuf buf = filled(2 * 64);
        try {
            KeventLayout.FREEBSD.write(
                    buf, 1, 0x0102030405060708L, (short) -11, 0x8041, 0x01000000, 0x1122334455667788L, 0x99L);
            int at = 64;
            assertBytes(buf, at, 0x08, 0x07, 0x06, 0x05, 0x04, 0x03, 0x02, 0x01);
            assertBytes(buf, at + 8, 0xf5, 0xff);
            assertBytes(buf, at + 10, 0x41, 0x80);
            assertBytes(buf, at + 12, 0x00, 0x00, 0x00, 0x01);
            assertBytes(buf, at + 16, 0x88, 0x77, 0x66, 0x55, 0x44, 0x33, 0x22, 0x11);
            assertBytes(buf, at + 24, 0x99, 0, 0, 0, 0, 0, 0, 0);
            for (int i = 32; i < 64; i++) {
                assertEquals(0, buf.getByte(at + i), "ext byte " + (i - 32));
            }
            // Entry 0 was not touched.
            assertEquals((byte) 0xA5, buf.getByte(63));
        } finally {
            buf.release();
        }
    }

    @Test
    void thirtyTwoByteEntryWritesNothingPastItsEnd() {
        for (KeventLayout layout : new KeventLayout[] {KeventLayout.OPENBSD, KeventLayout.MACOS}) {
            ByteBuf buf = filled(3 * 32);
            try {
                layout.write(buf, 1, 7, KeventLayout.EVFILT_WRITE, KeventLayout.EV_ADD, 0, 0, 0);
                assertEquals((byte) 0xA5, buf.getByte(31), layout.toString());
                assertEquals((byte) 0xA5, buf.getByte(64), layout.toString());
                assertBytes(buf, 32, 7, 0, 0, 0, 0, 0, 0, 0, 0xfe, 0xff, 0x01, 0x00);
            } finally {
                buf.release();
            }
        }
    }

    @Test
    void entryReadsBackWhatWasWritten() {
        for (KeventLayout layout :
                new KeventLayout[] {KeventLayout.FREEBSD, KeventLayout.OPENBSD, KeventLayout.MACOS}) {
            ByteBuf buf = filled(4 * layout.size);
            try {
                layout.write(
                        buf, 3, 42, KeventLayout.EVFILT_READ, KeventLayout.EV_ERROR | KeventLayout.EV_EOF, 5, -3, 9);
                assertEquals(42, layout.ident(buf, 3));
                assertEquals(KeventLayout.EVFILT_READ, layout.filter(buf, 3));
                assertEquals(0xC000, layout.flags(buf, 3), "flags read as an unsigned short");
                assertEquals(5, layout.fflags(buf, 3));
                assertEquals(-3, layout.data(buf, 3));
                assertEquals(9, layout.udata(buf, 3));
                assertEquals(3 * layout.size, layout.offset(3));
            } finally {
                buf.release();
            }
        }
    }

    static ByteBuf filled(int size) {
        ByteBuf buf = Unpooled.buffer(size, size);
        for (int i = 0; i < size; i++) {
            buf.setByte(i, 0xA5);
        }
        return buf;
    }

    static void assertBytes(ByteBuf buf, int at, int... expected) {
        for (int i = 0; i < expected.length; i++) {
            assertEquals((byte) expected[i], buf.getByte(at + i), "byte " + (at + i));
        }
    }
}
