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
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import org.junit.jupiter.api.Test;

class TcpHeaderTest {
    // MSS 1460, SACK-permitted, timestamps 1/2, NOP, window scale 7: what Linux sends in a SYN.
    private static final byte[] SYN_OPTIONS =
            TestPackets.bytes(2, 4, 0x05, 0xb4, 4, 2, 8, 10, 0, 0, 0, 1, 0, 0, 0, 2, 1, 3, 3, 7);
    private final byte[] segment =
            TestPackets.tcp(40000, 443, 0xFFFF_FFF0, 0, TcpHeader.SYN, 64240, SYN_OPTIONS, new byte[0]);
    private final ByteBuf buf = TestPackets.buf(TestPackets.ipv4(IpProtocol.TCP, "10.0.0.1", "10.0.0.2", segment));
    private final TcpHeader tcp = new TcpHeader().wrap(buf, 20);

    private int pseudo() {
        return new Ipv4Header().wrap(buf, 0).pseudoHeaderSum(IpProtocol.TCP, segment.length);
    }

    @Test
    void readsTheFixedFields() {
        assertEquals(40000, tcp.sourcePort());
        assertEquals(443, tcp.destinationPort());
        assertEquals("4294967280", Integer.toUnsignedString(tcp.sequenceNumber()));
        assertEquals(10, tcp.dataOffset());
        assertEquals(40, tcp.headerLength());
        assertTrue(tcp.hasFlags(TcpHeader.SYN));
        assertFalse(tcp.hasFlags(TcpHeader.ACK));
        assertEquals(64240, tcp.window());
        assertEquals(0, tcp.urgentPointer());
    }

    @Test
    void checksumOfABuiltSegmentVerifies() {
        assertTrue(tcp.verifyChecksum(pseudo(), segment.length));
    }

    @Test
    void updatingSettersKeepTheChecksumRight() {
        tcp.setSourcePortUpdatingChecksum(1)
                .setDestinationPortUpdatingChecksum(65535)
                .setSequenceNumberUpdatingChecksum(0x1234_5678)
                .setAcknowledgmentNumberUpdatingChecksum(-1)
                .setFlagsUpdatingChecksum(TcpHeader.SYN | TcpHeader.ACK | TcpHeader.ECE)
                .setWindowUpdatingChecksum(0);
        assertTrue(tcp.verifyChecksum(pseudo(), segment.length));
        assertEquals(1, tcp.sourcePort());
        assertEquals(65535, tcp.destinationPort());
        assertEquals(10, tcp.dataOffset(), "the flags setter keeps the data offset");
    }

    @Test
    void updateChecksumRepairsPlainSetters() {
        tcp.setWindow(1).setSequenceNumber(5).setAcknowledgmentNumber(6).setFlags(TcpHeader.RST);
        assertFalse(tcp.verifyChecksum(pseudo(), segment.length));
        tcp.updateChecksum(pseudo(), segment.length);
        assertTrue(tcp.verifyChecksum(pseudo(), segment.length));
    }

    @Test
    void printsFlagsLikeTcpdump() {
        assertEquals("S", tcp.appendFlags(new StringBuilder()).toString());
        tcp.setFlags(TcpHeader.FIN | TcpHeader.PSH | TcpHeader.ACK);
        assertEquals("FP.", tcp.appendFlags(new StringBuilder()).toString());
        tcp.setFlags(0);
        assertEquals("none", tcp.appendFlags(new StringBuilder()).toString());
    }

    @Test
    void optionIteratorReadsMssSackPermittedTimestampsAndWindowScale() {
        TcpOptions options = new TcpOptions().wrap(tcp);
        assertTrue(options.next());
        assertEquals(TcpOptions.MSS, options.kind());
        assertEquals(1460, options.mss());
        assertTrue(options.next());
        assertEquals(TcpOptions.SACK_PERMITTED, options.kind());
        assertTrue(options.next());
        assertEquals(TcpOptions.TIMESTAMPS, options.kind());
        assertEquals(1, options.timestampValue());
        assertEquals(2, options.timestampEchoReply());
        assertTrue(options.next(), "the NOP is skipped");
        assertEquals(TcpOptions.WINDOW_SCALE, options.kind());
        assertEquals(7, options.windowScale());
        assertFalse(options.next());
        assertFalse(options.isMalformed());
    }

    @Test
    void optionIteratorReadsSackBlocks() {
        byte[] sack = TestPackets.bytes(1, 1, 5, 18, 0, 0, 0, 10, 0, 0, 0, 20, 0, 0, 0, 30, 0, 0, 0, 40);
        byte[] seg = TestPackets.tcp(1, 2, 0, 0, TcpHeader.ACK, 100, sack, new byte[0]);
        TcpOptions options = new TcpOptions().wrap(new TcpHeader().wrap(TestPackets.buf(seg), 0));
        assertTrue(options.next());
        assertEquals(TcpOptions.SACK, options.kind());
        assertEquals(2, options.sackBlockCount());
        assertEquals(10, options.sackLeftEdge(0));
        assertEquals(20, options.sackRightEdge(0));
        assertEquals(30, options.sackLeftEdge(1));
        assertEquals(40, options.sackRightEdge(1));
    }

    @Test
    void optionIteratorStopsAtEndOfOptionList() {
        byte[] opts = TestPackets.bytes(0, 2, 4, 5);
        byte[] seg = TestPackets.tcp(1, 2, 0, 0, TcpHeader.ACK, 100, opts, new byte[0]);
        TcpOptions options = new TcpOptions().wrap(new TcpHeader().wrap(TestPackets.buf(seg), 0));
        assertFalse(options.next());
        assertFalse(options.isMalformed());
    }

    @Test
    void optionWithLengthBelowTwoIsMalformed() {
        byte[] opts = TestPackets.bytes(2, 1, 0, 0);
        byte[] seg = TestPackets.tcp(1, 2, 0, 0, TcpHeader.ACK, 100, opts, new byte[0]);
        TcpOptions options = new TcpOptions().wrap(new TcpHeader().wrap(TestPackets.buf(seg), 0));
        assertFalse(options.next());
        assertTrue(options.isMalformed());
    }

    @Test
    void optionRunningPastTheHeaderIsMalformed() {
        byte[] opts = TestPackets.bytes(1, 1, 2, 4);
        byte[] seg = TestPackets.tcp(1, 2, 0, 0, TcpHeader.ACK, 100, opts, new byte[0]);
        TcpOptions options = new TcpOptions().wrap(new TcpHeader().wrap(TestPackets.buf(seg), 0));
        assertFalse(options.next());
        assertTrue(options.isMalformed());
    }

    @Test
    void mssClampWithAnAdjustedChecksumVerifies() {
        TcpOptions options = new TcpOptions().wrap(tcp);
        assertTrue(options.next());
        int old = options.mss();
        options.setMss(1200);
        tcp.adjustChecksum(old, 1200);
        assertTrue(tcp.verifyChecksum(pseudo(), segment.length));
    }
}
