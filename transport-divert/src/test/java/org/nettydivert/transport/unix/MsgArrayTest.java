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
package org.nettydivert.transport.unix;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import org.junit.jupiter.api.Test;
import org.nettydivert.transport.nfqueue.LinuxAbi;

/**
 * The bytes MsgArray lays out for the kernel, read back with the ABI's own offsets (Linux:
 * 64-byte mmsghdr, 8-byte iovlen and controllen; BSD: 56-byte mmsghdr, 4-byte ones), following
 * the pointers it wrote as the kernel would.
 */
class MsgArrayTest {
    // Offsets as the C structs have them (LinuxAbiTest and BsdAbiTest pin the same; docs/ABI.md).
    private static final int NAME = 0;
    private static final int NAMELEN = 8;
    private static final int IOV = 16;
    private static final int IOVLEN = 24;
    private static final int CONTROL = 32;
    private static final int CONTROLLEN = 40;

    @Test
    void linuxMessagesHaveTheirNameIovecsAndCountsAt64ByteStrides() {
        MsgArray array = new MsgArray(MsgLayout.LINUX, 4, 8);
        try {
            fillThreeMessages(array);

            assertEquals(3, array.count());
            assertEquals(array.address() + 64, array.msghdrAddress(1));
            assertEquals(array.address() + 128, array.msghdrAddress(2));
            assertThreeMessages(array, 64, 48, true);
        } finally {
            array.release();
        }
    }

    @Test
    void bsdMessagesHaveTheirNameIovecsAndCountsAt56ByteStrides() {
        MsgArray array = new MsgArray(MsgLayout.BSD, 4, 8);
        try {
            fillThreeMessages(array);

            assertEquals(3, array.count());
            assertEquals(array.address() + 56, array.msghdrAddress(1));
            assertEquals(array.address() + 112, array.msghdrAddress(2));
            assertThreeMessages(array, 56, 44, false);
        } finally {
            array.release();
        }
    }

    @Test
    void linuxLengthsAndFlagsTheKernelWritesAreReadFromTheirOffsets() {
        MsgArray array = new MsgArray(MsgLayout.LINUX, 2, 2);
        try {
            array.addMessage(16);
            array.addMessage(16);
            ByteBuf m = array.memory();
            int second = header(array, 1);
            m.setIntLE(second + 56, 1234); // mmsghdr.msg_len
            m.setIntLE(second + 48, LinuxAbi.MSG_TRUNC); // msg_flags
            m.setIntLE(second + NAMELEN, 12);

            assertEquals(1234, array.messageLength(1));
            assertEquals(LinuxAbi.MSG_TRUNC, array.flags(1));
            assertEquals(12, array.nameLength(1));
            assertEquals(0, array.messageLength(0));
        } finally {
            array.release();
        }
    }

    @Test
    void bsdLengthsAndFlagsTheKernelWritesAreReadFromTheirOffsets() {
        MsgArray array = new MsgArray(MsgLayout.BSD, 2, 2);
        try {
            array.addMessage(16);
            array.addMessage(16);
            ByteBuf m = array.memory();
            int second = header(array, 1);
            m.setIntLE(second + 48, 1500); // mmsghdr.msg_len
            m.setIntLE(second + 44, 0x10); // msg_flags (BSD MSG_TRUNC)
            m.setByte(second + NAMELEN, 16);

            assertEquals(1500, array.messageLength(1));
            assertEquals(0x10, array.flags(1));
            assertEquals(16, array.nameLength(1));
        } finally {
            array.release();
        }
    }

    @Test
    void aMessageWithoutANameHasANullNamePointer() {
        MsgArray array = new MsgArray(MsgLayout.LINUX, 1, 1);
        try {
            array.addMessage(0);

            assertEquals(0, array.memory().getLongLE(header(array, 0) + NAME));
            assertEquals(0, array.memory().getIntLE(header(array, 0) + NAMELEN));
        } finally {
            array.release();
        }
    }

    @Test
    void namesAreSeparateSpacesLargeEnoughForSockaddrIn6() {
        MsgArray array = new MsgArray(MsgLayout.LINUX, 3, 3);
        try {
            assertTrue(MsgArray.NAME_SIZE >= LinuxAbi.SOCKADDR_IN6_SIZE);
            assertEquals(MsgArray.NAME_SIZE, array.nameAddress(1) - array.nameAddress(0));
            assertEquals(array.nameAddress(1) - array.memory().memoryAddress(), array.nameIndex(1));
            // Past the headers: writing a name never touches a msghdr.
            assertTrue(array.nameAddress(0) >= array.msghdrAddress(2) + MsgLayout.LINUX.mmsghdrSize);
        } finally {
            array.release();
        }
    }

    @Test
    void clearStartsOverWithTheFirstMessageAndTheFirstIovec() {
        MsgArray array = new MsgArray(MsgLayout.LINUX, 2, 4);
        try {
            array.addMessage(0);
            array.addIovec(0x1000, 10);
            array.addIovec(0x2000, 20);
            long firstIovecs = array.memory().getLongLE(header(array, 0) + IOV);

            array.clear();
            array.addMessage(0);
            array.addIovec(0x3000, 30);

            assertEquals(1, array.count());
            assertEquals(3, array.iovecsLeft());
            assertEquals(firstIovecs, array.memory().getLongLE(header(array, 0) + IOV));
            assertEquals(1, array.memory().getLongLE(header(array, 0) + IOVLEN));
            assertEquals(0x3000, array.memory().getLongLE(iovec(array, firstIovecs, 0)));
        } finally {
            array.release();
        }
    }

    @Test
    void isFullAtMaxMessagesAndCountsIovecsLeft() {
        MsgArray array = new MsgArray(MsgLayout.BSD, 2, 3);
        try {
            assertEquals(2, array.maxMessages());
            array.addMessage(0);
            array.addIovec(1, 1);
            assertFalse(array.isFull());
            array.addMessage(0);
            array.addIovec(2, 2);

            assertTrue(array.isFull());
            assertEquals(1, array.iovecsLeft());
        } finally {
            array.release();
        }
    }

    /** Message 0: name of 16, two iovecs; message 1: no name, no iovec; message 2: name of 28, one iovec. */
    private static void fillThreeMessages(MsgArray array) {
        assertEquals(0, array.addMessage(16));
        array.addIovec(0x1111_0000_0000L, 100);
        array.addIovec(0x2222_0000_0000L, 200);
        assertEquals(1, array.addMessage(0));
        assertEquals(2, array.addMessage(28));
        array.addIovec(0x3333_0000_0000L, 65535);
    }

    private static void assertThreeMessages(MsgArray array, int stride, int flagsOffset, boolean wide) {
        ByteBuf m = array.memory();
        long[][] iovecs = {{0x1111_0000_0000L, 100, 0x2222_0000_0000L, 200}, {}, {0x3333_0000_0000L, 65535}};
        int[] nameLengths = {16, 0, 28};
        for (int i = 0; i < 3; i++) {
            int h = i * stride;
            String what = "message " + i;
            assertEquals(nameLengths[i] == 0 ? 0 : array.nameAddress(i), m.getLongLE(h + NAME), what + " name");
            assertEquals(nameLengths[i], m.getIntLE(h + NAMELEN), what + " namelen");
            int count = iovecs[i].length / 2;
            if (wide) {
                assertEquals(count, m.getLongLE(h + IOVLEN), what + " iovlen (size_t)");
                assertEquals(0, m.getLongLE(h + CONTROLLEN), what + " controllen (size_t)");
            } else {
                assertEquals(count, m.getIntLE(h + IOVLEN), what + " iovlen (int)");
                assertEquals(0, m.getIntLE(h + CONTROLLEN), what + " controllen (socklen_t)");
            }
            assertEquals(0, m.getLongLE(h + CONTROL), what + " control");
            assertEquals(0, m.getIntLE(h + flagsOffset), what + " flags");
            long iov = m.getLongLE(h + IOV);
            for (int v = 0; v < count; v++) {
                assertEquals(iovecs[i][2 * v], m.getLongLE(iovec(array, iov, v)), what + " iov_base " + v);
                assertEquals(iovecs[i][2 * v + 1], m.getLongLE(iovec(array, iov, v) + 8), what + " iov_len " + v);
            }
        }
        // The iovecs of consecutive messages follow each other in the shared pool.
        assertEquals(m.getLongLE(IOV) + 2 * 16, m.getLongLE(stride + IOV));
        assertEquals(m.getLongLE(IOV) + 2 * 16, m.getLongLE(2 * stride + IOV));
        assertEquals(8 - 3, array.iovecsLeft());
    }

    private static int header(MsgArray array, int i) {
        return (int) (array.msghdrAddress(i) - array.memory().memoryAddress());
    }

    /** Index in the array's memory of iovec {@code v} of an iovec array at address {@code iov}. */
    private static int iovec(MsgArray array, long iov, int v) {
        return (int) (iov - array.memory().memoryAddress()) + v * 16;
    }
}
