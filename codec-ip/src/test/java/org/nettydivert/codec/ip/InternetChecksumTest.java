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
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.util.Random;
import org.junit.jupiter.api.Test;

class InternetChecksumTest {
    private static final long SEED = 0x5EED_1071L;

    @Test
    void sumsTheRfc1071Example() {
        // RFC 1071 section 3: 00 01 f2 03 f4 f5 f6 f7 sums to ddf2.
        ByteBuf buf = Unpooled.wrappedBuffer(TestPackets.bytes(0x00, 0x01, 0xf2, 0x03, 0xf4, 0xf5, 0xf6, 0xf7));
        assertEquals(0xddf2, InternetChecksum.sum(buf, 0, 8));
        assertEquals(0x220d, InternetChecksum.finish(InternetChecksum.sum(buf, 0, 8)));
    }

    @Test
    void adjustsTheRfc1624Example() {
        // RFC 1624 section 4: HC 0xDD2F, m 0x5555 becomes m' 0x3285, HC' is 0x0000 by equation 3.
        assertEquals(0x0000, InternetChecksum.adjust16(0xDD2F, 0x5555, 0x3285));
    }

    @Test
    void computesAKnownIpv4HeaderChecksum() {
        // A widely quoted example header whose checksum is b861.
        byte[] header = TestPackets.bytes(
                0x45, 0x00, 0x00, 0x73, 0x00, 0x00, 0x40, 0x00, 0x40, 0x11, 0xb8, 0x61, 0xc0, 0xa8, 0x00, 0x01, 0xc0,
                0xa8, 0x00, 0xc7);
        ByteBuf buf = Unpooled.wrappedBuffer(header);
        assertEquals(0xb861, InternetChecksum.ipv4HeaderChecksum(buf, 0, 20));
        assertTrue(InternetChecksum.verifies(InternetChecksum.sum(buf, 0, 20)));
    }

    @Test
    void sumMatchesTheByteAtATimeReferenceForEveryOffsetAndLength() {
        Random random = new Random(SEED);
        byte[] data = new byte[1600];
        random.nextBytes(data);
        ByteBuf heap = Unpooled.wrappedBuffer(data);
        ByteBuf direct = Unpooled.directBuffer(data.length).writeBytes(data);
        // Neither an array nor one memory region: the copying path without a shortcut.
        ByteBuf composite = Unpooled.wrappedBuffer(
                Unpooled.wrappedBuffer(data, 0, 700), Unpooled.wrappedBuffer(data, 700, data.length - 700));
        ByteBuf readOnly = Unpooled.wrappedBuffer(data).asReadOnly();
        try {
            for (int i = 0; i < 2000; i++) {
                int from = random.nextInt(64);
                int length = random.nextInt(data.length - from);
                int expected = ReferenceChecksum.sum(data, from, length);
                assertEquals(
                        expected, normalize(InternetChecksum.sum(heap, from, length)), "heap " + from + "+" + length);
                assertEquals(
                        expected,
                        normalize(InternetChecksum.sum(direct, from, length)),
                        "direct " + from + "+" + length);
                assertEquals(
                        expected,
                        normalize(InternetChecksum.sum(composite, from, length)),
                        "composite " + from + "+" + length);
                assertEquals(
                        expected,
                        normalize(InternetChecksum.sum(readOnly, from, length)),
                        "read-only " + from + "+" + length);
            }
        } finally {
            direct.release();
            composite.release();
        }
    }

    @Test
    void ipv4HeaderSumIsTheSumForEveryHeaderLengthAndOffset() {
        Random random = new Random(SEED);
        byte[] data = new byte[128];
        ByteBuf direct = Unpooled.directBuffer(data.length);
        try {
            for (int round = 0; round < 200; round++) {
                random.nextBytes(data);
                direct.clear().writeBytes(data);
                int offset = random.nextInt(8);
                // 0 to 60: malformed short headers too, which fall back to the plain sum.
                for (int length = 0; length <= Ipv4Header.MAX_LENGTH; length++) {
                    int expected = ReferenceChecksum.sum(data, offset, length);
                    assertEquals(
                            expected,
                            normalize(InternetChecksum.ipv4HeaderSum(direct, offset, length)),
                            offset + "+" + length);
                }
            }
        } finally {
            direct.release();
        }
    }

    @Test
    void sumOfAllOnesDoesNotOverflowAtTheLargestDatagram() {
        byte[] data = new byte[65535];
        java.util.Arrays.fill(data, (byte) 0xFF);
        assertEquals(
                ReferenceChecksum.sum(data, 0, data.length),
                InternetChecksum.sum(Unpooled.wrappedBuffer(data), 0, data.length));
        ByteBuf direct = Unpooled.directBuffer(data.length).writeBytes(data);
        try {
            assertEquals(ReferenceChecksum.sum(data, 0, data.length), InternetChecksum.sum(direct, 0, data.length));
        } finally {
            direct.release();
        }
    }

    @Test
    void sumDoesNotMoveTheBufferIndexes() {
        ByteBuf buf = Unpooled.wrappedBuffer(new byte[40]);
        buf.readerIndex(3);
        InternetChecksum.sum(buf, 0, 40);
        assertEquals(3, buf.readerIndex());
        assertEquals(40, buf.writerIndex());
    }

    @Test
    void incrementalAdjustmentAgreesWithAFullRecompute() {
        Random random = new Random(SEED);
        for (int i = 0; i < 5000; i++) {
            byte[] data = new byte[2 + 2 * random.nextInt(40)];
            random.nextBytes(data);
            data[0] = 0;
            data[1] = 0;
            int checksum = ReferenceChecksum.checksum(data);
            TestPackets.put16(data, 0, checksum);
            int at = 2 + 2 * random.nextInt((data.length - 2) / 2 + 1);
            if (at + 2 > data.length) {
                continue;
            }
            int old = (data[at] & 0xFF) << 8 | (data[at + 1] & 0xFF);
            int fresh = random.nextInt(0x10000);
            TestPackets.put16(data, at, fresh);
            int adjusted = InternetChecksum.adjust16(checksum, old, fresh);
            TestPackets.put16(data, 0, adjusted);
            // Either zero representation is a valid checksum; what matters is that it verifies.
            assertEquals(0xFFFF, ReferenceChecksum.sum(data, 0, data.length), "round " + i);
        }
    }

    @Test
    void adjust32IsTwoAdjust16s() {
        Random random = new Random(SEED);
        for (int i = 0; i < 1000; i++) {
            int hc = random.nextInt(0x10000);
            int a = random.nextInt();
            int b = random.nextInt();
            int twice = InternetChecksum.adjust16(
                    InternetChecksum.adjust16(hc, a >>> 16, b >>> 16), a & 0xFFFF, b & 0xFFFF);
            assertEquals(normalize(~twice & 0xFFFF), normalize(~InternetChecksum.adjust32(hc, a, b) & 0xFFFF));
        }
    }

    @Test
    void computedChecksumMatchesTheReference() {
        Random random = new Random(SEED);
        for (int i = 0; i < 500; i++) {
            byte[] data = new byte[4 + random.nextInt(300)];
            random.nextBytes(data);
            ByteBuf buf = Unpooled.wrappedBuffer(data);
            int pseudo = random.nextInt(0x10000);
            int computed = InternetChecksum.checksum(buf, 0, data.length, 2, pseudo);
            data[2] = 0;
            data[3] = 0;
            int expected = ~InternetChecksum.add(ReferenceChecksum.sum(data, 0, data.length), pseudo) & 0xFFFF;
            assertEquals(normalize(~expected & 0xFFFF), normalize(~computed & 0xFFFF));
        }
    }

    /** One's complement has two zeros; compare sums with 0xFFFF and 0 taken as equal. */
    private static int normalize(int sum) {
        return sum == 0xFFFF ? 0 : sum;
    }
}
