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
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBufUtil;
import java.net.InetAddress;
import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Packets far above any MTU, as an NFQUEUE channel with GSO reads them: a TCP packet of 64 KiB
 * decodes, its ports and addresses are rewritten with checksums that verify, and it encodes to
 * the bytes of the same packet built from scratch.
 */
class LargePacketTest {
    @ParameterizedTest(name = "IPv{0}")
    @ValueSource(ints = {4, 6})
    void aSixtyFourKilobyteTcpPacketDecodesRewritesAndEncodes(int version) throws Exception {
        boolean v6 = version == 6;
        // The largest of each: IPv4 total length 65535; IPv6 payload length 65535 (plus its header).
        byte[] payload = new byte[v6 ? 65535 - 20 : 65535 - 20 - 20];
        new Random(version).nextBytes(payload);
        String src = v6 ? "fd00::1" : "10.0.0.1";
        String dst = v6 ? "fd00::2" : "10.0.0.2";
        String newDst = v6 ? "fd00::99" : "10.0.0.99";
        IpPacket p = IpPacket.decode(TestPackets.divert(packet(v6, src, dst, 40000, payload)));
        try {
            assertEquals(IpProtocol.TCP, p.protocol());
            assertEquals(payload.length, p.payloadLength());
            assertEquals(v6 ? 65535 + 40 : 65535, p.length());
            assertTrue(p.verifyChecksums(), p.toString());
            p.setDestinationAddress(InetAddress.getByName(newDst)).setDestinationPort(8080);
            assertTrue(p.verifyChecksums(), p.toString());
            byte[] expected = packet(v6, src, newDst, 8080, payload);
            assertArrayEquals(expected, ByteBufUtil.getBytes(p.content(), p.l3Offset(), p.length()));
        } finally {
            p.release();
        }
    }

    private static byte[] packet(boolean v6, String src, String dst, int dport, byte[] payload) {
        byte[] tcp = TestPackets.tcp(51000, dport, 1, 2, TcpHeader.ACK, 65535, new byte[0], payload);
        return v6 ? TestPackets.ipv6(IpProtocol.TCP, src, dst, tcp) : TestPackets.ipv4(IpProtocol.TCP, src, dst, tcp);
    }
}
