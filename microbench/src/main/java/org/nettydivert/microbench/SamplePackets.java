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
package org.nettydivert.microbench;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import org.nettydivert.codec.ip.IpPacket;
import org.nettydivert.transport.DivertAddress;
import org.nettydivert.transport.DivertPacket;

/**
 * The packets the benchmarks parse: a TCP/IPv4 data segment with the timestamps option (what a
 * busy connection carries) and a UDP/IPv6 datagram of 128 bytes, both between unassigned ports. Built by hand, then
 * given correct checksums by the codec under test (checked by the benchmarks' own verification).
 */
final class SamplePackets {
    static final int TCP_PAYLOAD = 512;
    static final int UDP_PAYLOAD = 128;

    private SamplePackets() {}

    static byte[] tcp4() {
        int tcpLength = 32 + TCP_PAYLOAD;
        ByteBuf b = Unpooled.buffer(20 + tcpLength);
        b.writeByte(0x45)
                .writeByte(0)
                .writeShort(20 + tcpLength)
                .writeShort(0x1c46)
                .writeShort(0x4000);
        b.writeByte(64).writeByte(6).writeShort(0).writeInt(0x0A00_0001).writeInt(0x0A00_0002);
        b.writeShort(40000).writeShort(33333).writeInt(0x1234_5678).writeInt(0x9ABC_DEF0);
        b.writeByte(8 << 4).writeByte(0x18).writeShort(501).writeShort(0).writeShort(0);
        b.writeInt(0x0101_080A).writeInt(0x0001_0203).writeInt(0x0405_0607);
        for (int i = 0; i < TCP_PAYLOAD; i++) {
            b.writeByte(i * 31);
        }
        return finish(b);
    }

    static byte[] udp6() {
        int udpLength = 8 + UDP_PAYLOAD;
        ByteBuf b = Unpooled.buffer(40 + udpLength);
        b.writeInt(0x6000_0000 | 0x12345).writeShort(udpLength).writeByte(17).writeByte(64);
        b.writeLong(0x2001_0db8_0000_0000L)
                .writeLong(1)
                .writeLong(0x2001_0db8_0000_0000L)
                .writeLong(2);
        // Unassigned ports: pcap4j would otherwise parse the payload as DNS, which is not the comparison.
        b.writeShort(33333).writeShort(40000).writeShort(udpLength).writeShort(0);
        for (int i = 0; i < UDP_PAYLOAD; i++) {
            b.writeByte(i * 17);
        }
        return finish(b);
    }

    private static byte[] finish(ByteBuf b) {
        IpPacket p = IpPacket.decode(new DivertPacket(b, DivertAddress.outbound()));
        p.updateChecksums();
        if (!p.verifyChecksums()) {
            throw new IllegalStateException("sample packet does not verify: " + p);
        }
        byte[] bytes = new byte[p.length()];
        b.getBytes(0, bytes);
        p.release();
        return bytes;
    }

    static ByteBuf direct(byte[] bytes) {
        return Unpooled.directBuffer(bytes.length).writeBytes(bytes);
    }
}
