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

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBufUtil;
import io.netty.channel.embedded.EmbeddedChannel;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import org.junit.jupiter.api.Test;
import org.nettydivert.transport.DivertPacket;

class PcapTeeHandlerTest {
    private static final byte[] IN =
            TestPackets.ipv4(IpProtocol.UDP, "10.0.0.1", "10.0.0.2", TestPackets.udp(1, 2, new byte[3]));
    private static final byte[] OUT =
            TestPackets.ipv6(IpProtocol.UDP, "fd00::1", "fd00::2", TestPackets.udp(3, 4, new byte[5]));

    @Test
    void recordsWhatIsReadAndWrittenAndPassesItOnUntouched() throws IOException {
        ByteArrayOutputStream file = new ByteArrayOutputStream();
        PcapWriter writer = new PcapWriter(file);
        EmbeddedChannel channel = new EmbeddedChannel(new PcapTeeHandler(writer));
        DivertPacket read = TestPackets.divert(IN);
        DivertPacket written = TestPackets.divert(OUT);
        channel.writeInbound(read);
        channel.writeOutbound(written);
        assertSame(read, channel.readInbound());
        assertSame(written, channel.readOutbound());
        assertEquals(1, read.refCnt());
        assertEquals(1, written.refCnt());
        read.release();
        written.release();
        assertFalse(channel.finish());
        writer.close();

        try (PcapReader reader = new PcapReader(new ByteArrayInputStream(file.toByteArray()))) {
            for (byte[] expected : new byte[][] {IN, OUT}) {
                PcapRecord r = reader.next();
                assertArrayEquals(expected, ByteBufUtil.getBytes(r.content()));
                r.release();
            }
            assertNull(reader.next());
        }
    }

    @Test
    void teesIntoPcapngWithNanosecondStamps() throws IOException {
        ByteArrayOutputStream file = new ByteArrayOutputStream();
        PcapWriter writer = new PcapWriter(file, PcapFormat.PCAPNG);
        EmbeddedChannel channel = new EmbeddedChannel(new IpPacketDecoder(), new PcapTeeHandler(writer));
        long before = System.currentTimeMillis() * 1_000_000L;
        channel.writeInbound(TestPackets.divert(IN));
        IpPacket decoded = channel.readInbound();
        channel.writeOutbound(decoded);
        ((IpPacket) channel.readOutbound()).release();
        assertFalse(channel.finish());
        writer.close();
        long after = (System.currentTimeMillis() + 1) * 1_000_000L;
        try (PcapReader reader = new PcapReader(new ByteArrayInputStream(file.toByteArray()))) {
            assertEquals(PcapFormat.PCAPNG, reader.format());
            for (int i = 0; i < 2; i++) {
                PcapRecord r = reader.next();
                assertArrayEquals(IN, ByteBufUtil.getBytes(r.content()));
                assertTrue(r.epochNanos() >= before && r.epochNanos() <= after, r.toString());
                r.release();
            }
            assertNull(reader.next());
            assertTrue(reader.nanosecondResolution());
        }
    }

    @Test
    void recordsDecodedPacketsToo() throws IOException {
        ByteArrayOutputStream file = new ByteArrayOutputStream();
        PcapWriter writer = new PcapWriter(file);
        EmbeddedChannel channel = new EmbeddedChannel(new IpPacketDecoder(), new PcapTeeHandler(writer, true, false));
        channel.writeInbound(TestPackets.divert(IN));
        IpPacket p = channel.readInbound();
        p.release();
        assertFalse(channel.finish());
        assertEquals(1, writer.records());
    }

    @Test
    void aFailingFileNeverStopsAPacket() throws IOException {
        OutputStream broken = new OutputStream() {
            private int bytes;

            @Override
            public void write(int b) throws IOException {
                if (++bytes > 24) {
                    throw new IOException("disk full");
                }
            }
        };
        PcapTeeHandler tee = new PcapTeeHandler(new PcapWriter(broken));
        EmbeddedChannel channel = new EmbeddedChannel(tee);
        DivertPacket read = TestPackets.divert(IN);
        channel.writeInbound(read);
        assertSame(read, channel.readInbound());
        assertEquals(1, tee.failedWrites());
        read.release();
        assertFalse(channel.finish());
    }
}
