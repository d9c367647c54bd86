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
package org.nettydivert.transport;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.nettydivert.transport.nfqueue.LinuxAbi;
import org.nettydivert.transport.nfqueue.NfqueueMessages;

/**
 * {@link NfqueueMessages} byte for byte: the flyweight reads packet messages written by {@link
 * FakeNfqueueKernel}'s independent encoder, and the verdict messages have the lengths, types and
 * fields the kernel expects.
 */
class NfqueueMessagesTest {
    private static final int QUEUE = 300;
    private final ByteBuf buf = Unpooled.directBuffer(4096);

    @AfterEach
    void tearDown() {
        buf.release();
    }

    private NfqueueMessages.PacketView parse(FakeNfqueueKernel.Packet p) {
        byte[] message = FakeNfqueueKernel.packetMessage(p, QUEUE);
        buf.clear().writeBytes(new byte[8]).writeBytes(message); // not at the start of the buffer
        NfqueueMessages.PacketView view = new NfqueueMessages.PacketView();
        view.parse(buf, 8, message.length);
        return view;
    }

    @Test
    void thePacketViewReadsEveryField() {
        byte[] bytes = FakeNfqueueBed.udp4(1, 41);
        FakeNfqueueKernel.Packet p = new FakeNfqueueKernel.Packet(0xFFFFFFFEL, bytes);
        p.hook = 1;
        p.mark = -7;
        p.inIndex = 3;
        p.outIndex = 4;
        p.skbInfo = 1;
        NfqueueMessages.PacketView v = parse(p);
        assertEquals(0xFFFFFFFEL, v.id, "an unsigned 32-bit id");
        assertEquals(1, v.hook);
        assertTrue(v.isInbound());
        assertEquals(-7, v.mark);
        assertEquals(3, v.inIndex);
        assertEquals(4, v.outIndex);
        assertEquals(1, v.skbInfo);
        assertEquals(bytes.length, v.payloadLength);
        assertArrayEquals(bytes, ByteBufUtil.getBytes(buf, v.payload, v.payloadLength));
        assertFalse(v.isTruncated());
        assertEquals(0, v.capLength);
    }

    @Test
    void aFreshParseForgetsThePreviousMessage() {
        FakeNfqueueKernel.Packet first = new FakeNfqueueKernel.Packet(1, FakeNfqueueBed.udp4(1, 10));
        first.mark = 9;
        first.inIndex = 2;
        NfqueueMessages.PacketView v = parse(first);
        FakeNfqueueKernel.Packet second = new FakeNfqueueKernel.Packet(2, FakeNfqueueBed.udp4(2, 10));
        byte[] message = FakeNfqueueKernel.packetMessage(second, QUEUE);
        buf.clear().writeBytes(message);
        v.parse(buf, 0, message.length);
        assertEquals(2, v.id);
        assertEquals(0, v.mark);
        assertEquals(0, v.inIndex);
        assertFalse(v.isInbound(), "LOCAL_OUT");
    }

    @Test
    void aTruncatedPacketCarriesItsWholeLength() {
        FakeNfqueueKernel.Packet p = new FakeNfqueueKernel.Packet(5, FakeNfqueueBed.udp4(5, 500));
        p.copied = 100;
        NfqueueMessages.PacketView v = parse(p);
        assertEquals(100, v.payloadLength);
        assertEquals(528, v.capLength);
        assertTrue(v.isTruncated());
    }

    @Test
    void aMessageWithoutPayloadSaysSo() {
        FakeNfqueueKernel.Packet p = new FakeNfqueueKernel.Packet(5, FakeNfqueueBed.udp4(5, 10));
        p.withPayload = false;
        NfqueueMessages.PacketView v = parse(p);
        assertEquals(5, v.id);
        assertEquals(-1, v.payload);
    }

    @Test
    void anAttributeRunningPastTheMessageEndsTheParse() {
        FakeNfqueueKernel.Packet p = new FakeNfqueueKernel.Packet(5, FakeNfqueueBed.udp4(5, 10));
        byte[] message = FakeNfqueueKernel.packetMessage(p, QUEUE);
        buf.clear().writeBytes(message);
        buf.setShortLE(20, 0x7FFF); // the packet header attribute claims more than there is
        NfqueueMessages.PacketView v = new NfqueueMessages.PacketView();
        v.parse(buf, 0, message.length);
        assertEquals(-1, v.id);
        assertEquals(-1, v.payload);
    }

    @Test
    void packetIdFindsTheIdAlone() {
        FakeNfqueueKernel.Packet p = new FakeNfqueueKernel.Packet(77, FakeNfqueueBed.udp4(1, 10));
        byte[] message = FakeNfqueueKernel.packetMessage(p, QUEUE);
        buf.clear().writeBytes(message);
        assertEquals(77, NfqueueMessages.packetId(buf, 0, message.length));
        assertEquals(-1, NfqueueMessages.packetId(buf, 0, 20), "no attributes");
    }

    @Test
    void aBareVerdictIsThirtyTwoBytesWithTheVerdictAndIdBigEndian() {
        NfqueueMessages.putBareVerdict(buf, QUEUE, 0x01020304L, LinuxAbi.NF_DROP);
        assertEquals(NfqueueMessages.BARE_VERDICT, buf.readableBytes());
        assertEquals(NfqueueMessages.BARE_VERDICT, buf.getIntLE(0));
        assertEquals(NfqueueMessages.VERDICT_TYPE, buf.getUnsignedShortLE(4));
        assertEquals(QUEUE, buf.getUnsignedShort(18), "res_id, big-endian");
        assertEquals(LinuxAbi.NFQA_VERDICT_HDR, buf.getUnsignedShortLE(22));
        assertEquals(LinuxAbi.NF_DROP, buf.getInt(24));
        assertEquals(0x01020304, buf.getInt(28));
    }

    @Test
    void aBatchVerdictNamesTheLastId() {
        NfqueueMessages.putBatchVerdict(buf, QUEUE, 99, LinuxAbi.NF_ACCEPT);
        assertEquals(NfqueueMessages.VERDICT_BATCH_TYPE, buf.getUnsignedShortLE(4));
        assertEquals(LinuxAbi.NF_ACCEPT, buf.getInt(24));
        assertEquals(99, buf.getInt(28));
    }

    @Test
    void anAcceptCountsItsPayloadAndPaddingWithoutWritingThem() {
        int start = NfqueueMessages.putAcceptHeaders(buf, QUEUE, 7, true, 0x11, 13);
        assertEquals(0, start);
        int headers = buf.readableBytes();
        assertEquals(NfqueueMessages.VERDICT_HEADER - 12 - 40, headers, "all but the conntrack attributes");
        assertEquals(headers + 16, buf.getIntLE(0), "13 payload bytes padded to 16");
        assertEquals(LinuxAbi.NFQA_MARK, buf.getUnsignedShortLE(34));
        assertEquals(0x11, buf.getInt(36));
        assertEquals(4 + 13, buf.getUnsignedShortLE(40), "the attribute length leaves the padding out");
        assertEquals(LinuxAbi.NFQA_PAYLOAD, buf.getUnsignedShortLE(42));
    }

    @Test
    void aVerdictWithConnmarkHasItNestedInNfqaCtBeforeThePayload() {
        int start = NfqueueMessages.putVerdictHeaders(
                buf, QUEUE, 7, LinuxAbi.nfQueueNr(9), true, 0x11, 0xFFFF_FFFEL, 0, 0, 13);
        assertEquals(0, start);
        assertEquals(NfqueueMessages.VERDICT_HEADER - 40, buf.readableBytes());
        assertEquals(buf.readableBytes() + 16, buf.getIntLE(0));
        assertEquals(9 << 16 | 3, buf.getInt(24), "NF_QUEUE_NR(9)");
        assertEquals(LinuxAbi.NFQA_MARK, buf.getUnsignedShortLE(34));
        assertEquals(4 + 8, buf.getUnsignedShortLE(40), "NFQA_CT holds one 8-byte attribute");
        assertEquals(LinuxAbi.NFQA_CT | LinuxAbi.NLA_F_NESTED, buf.getUnsignedShortLE(42));
        assertEquals(8, buf.getUnsignedShortLE(44));
        assertEquals(LinuxAbi.CTA_MARK, buf.getUnsignedShortLE(46));
        assertEquals(0xFFFF_FFFE, buf.getInt(48), "CTA_MARK, big-endian");
        assertEquals(4 + 13, buf.getUnsignedShortLE(52));
        assertEquals(LinuxAbi.NFQA_PAYLOAD, buf.getUnsignedShortLE(54));
    }

    @Test
    void aVerdictWithEverythingFillsTheLargestHeaderWithLabelsAsTheirOwnMask() {
        long low = 1L << 0 | 1L << 33;
        long high = 1L << (127 - 64);
        NfqueueMessages.putVerdictHeaders(buf, QUEUE, 7, LinuxAbi.NF_REPEAT, true, 0x11, 5, low, high, 13);
        assertEquals(NfqueueMessages.VERDICT_HEADER, buf.readableBytes());
        assertEquals(4 + 2 * 20 + 8, buf.getUnsignedShortLE(40), "NFQA_CT: labels, mask, mark");
        for (int a = 44, type = LinuxAbi.CTA_LABELS; a < 84; a += 20, type++) {
            assertEquals(20, buf.getUnsignedShortLE(a));
            assertEquals(type, buf.getUnsignedShortLE(a + 2));
            // u32 words in host order (little-endian here): label n is bit n % 32 of word n / 32.
            assertEquals(1, buf.getIntLE(a + 4), "word 0: label 0");
            assertEquals(1 << 1, buf.getIntLE(a + 8), "word 1: label 33");
            assertEquals(0, buf.getIntLE(a + 12));
            assertEquals(1 << 31, buf.getIntLE(a + 16), "word 3: label 127");
        }
        assertEquals(LinuxAbi.CTA_MARK, buf.getUnsignedShortLE(86));
        assertEquals(5, buf.getInt(88));
        assertEquals(LinuxAbi.NFQA_PAYLOAD, buf.getUnsignedShortLE(94));
    }

    @Test
    void anAcceptWithoutPayloadOrMarkIsABareVerdict() {
        NfqueueMessages.putAcceptHeaders(buf, QUEUE, 7, false, 0, -1);
        assertEquals(NfqueueMessages.BARE_VERDICT, buf.readableBytes());
        assertEquals(NfqueueMessages.BARE_VERDICT, buf.getIntLE(0));
        assertEquals(LinuxAbi.NF_ACCEPT, buf.getInt(24));
    }

    @Test
    void theFlagsRequestSetsGsoAndFailOpenAndMasksBoth() {
        NfqueueMessages.putConfiguration(buf, QUEUE, 65535, 1024, LinuxAbi.NFQA_CFG_F_GSO);
        int m = 0;
        for (int i = 0; i < 3; i++) {
            m += buf.getIntLE(m);
        }
        assertEquals(LinuxAbi.NFQA_CFG_FLAGS, buf.getUnsignedShortLE(m + 22));
        assertEquals(LinuxAbi.NFQA_CFG_F_GSO, buf.getInt(m + 24));
        assertEquals(LinuxAbi.NFQA_CFG_MASK, buf.getUnsignedShortLE(m + 30));
        assertEquals(LinuxAbi.NFQA_CFG_F_FAIL_OPEN | LinuxAbi.NFQA_CFG_F_GSO, buf.getInt(m + 32));
    }

    @Test
    void theConfigurationIsFourAcknowledgedRequests() {
        int requests = NfqueueMessages.putConfiguration(buf, QUEUE, 1500, 1024, true);
        assertEquals(4, requests);
        int m = 0;
        for (int seq = 1; seq <= 4; seq++) {
            int length = buf.getIntLE(m);
            assertEquals(0, length % 4);
            assertEquals(NfqueueMessages.CONFIG_TYPE, buf.getUnsignedShortLE(m + 4));
            assertEquals(LinuxAbi.NLM_F_REQUEST | LinuxAbi.NLM_F_ACK, buf.getUnsignedShortLE(m + 6));
            assertEquals(seq, buf.getIntLE(m + 8));
            m += length;
        }
        assertEquals(buf.readableBytes(), m);
    }
}
