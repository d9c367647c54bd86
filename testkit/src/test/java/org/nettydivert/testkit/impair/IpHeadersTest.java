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
package org.nettydivert.testkit.impair;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.Unpooled;
import java.net.InetAddress;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.nettydivert.codec.ip.IpPacket;
import org.nettydivert.codec.ip.IpPacketBuilder;
import org.nettydivert.transport.DivertAddress;
import org.nettydivert.transport.DivertPacket;

/**
 * The testkit's own small header reader (it does not depend on codec-ip) checked against
 * codec-ip's builder and checksum verification, IPv4 and IPv6, TCP and UDP.
 */
@ExtendWith(LeakCheck.class)
class IpHeadersTest {
    private static List<DivertPacket> packets() {
        byte[] payload = "some payload bytes, odd length".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        return List.of(
                IpPacketBuilder.ip("192.0.2.1", "198.51.100.7")
                        .udp(1111, 2222)
                        .payload(payload)
                        .buildDivertPacket(),
                IpPacketBuilder.ip("192.0.2.1", "198.51.100.7")
                        .tcp(1111, 2222)
                        .mss(1460)
                        .payload(payload)
                        .buildDivertPacket(),
                IpPacketBuilder.ip("2001:db8::1", "2001:db8::2")
                        .udp(1111, 2222)
                        .payload(payload)
                        .buildDivertPacket(),
                IpPacketBuilder.ip("2001:db8::1", "2001:db8::2")
                        .tcp(1111, 2222)
                        .payload(payload)
                        .buildDivertPacket());
    }

    @Test
    void portsProtocolsAndAddressesAreReadForEveryFamilyAndProtocol() throws Exception {
        for (DivertPacket p : packets()) {
            try {
                assertTrue(FlowSelector.sourcePort(1111).test(p), p.toString());
                assertTrue(FlowSelector.destinationPort(2222).test(p), p.toString());
                assertFalse(FlowSelector.destinationPort(1111).test(p), p.toString());
                int protocol = IpHeaders.protocol(p.content());
                assertTrue(protocol == 6 || protocol == 17);
                assertEquals(protocol == 6, FlowSelector.tcp().test(p));
                boolean v6 = IpHeaders.version(p.content()) == 6;
                InetAddress destination = InetAddress.getByName(v6 ? "2001:db8::2" : "198.51.100.7");
                assertTrue(FlowSelector.destination(destination).test(p));
                assertFalse(FlowSelector.source(destination).test(p));
            } finally {
                p.release();
            }
        }
    }

    @Test
    void corruptionWithFixedChecksumsLeavesEveryChecksumRight() {
        for (DivertPacket p : packets()) {
            DivertPacket read = p.withAddress(new DivertAddress(7, DivertAddress.Direction.OUTBOUND, null, null, 1, 0));
            try (Bench bench = new Bench(CorruptHandler.probability(1)
                    .scope(CorruptHandler.Scope.TRANSPORT)
                    .fixChecksums(true)
                    .seed(41)
                    .build())) {
                bench.readAt(0, read);
                assertTrue(IpPacket.decode(bench.out.get(0).packet()).verifyChecksums(), p.toString());
            }
        }
    }

    @Test
    void notAnIpDatagramMatchesNoPortAndIsNotCorrupted() {
        DivertPacket junk = new DivertPacket(Unpooled.wrappedBuffer(new byte[] {1, 2, 3}), DivertAddress.outbound());
        try {
            assertFalse(FlowSelector.destinationPort(0).test(junk));
            assertFalse(FlowSelector.udp().test(junk));
            assertEquals(-1, IpHeaders.payloadOffset(junk.content()));
        } finally {
            junk.release();
        }
    }

    @Test
    void aSelectorThatThrowsDoesNotLeakThePacket() {
        LossHandler loss = LossHandler.random(0)
                .select(p -> {
                    throw new IllegalStateException("selector broke");
                })
                .seed(42)
                .build();
        try (Bench bench = new Bench(loss)) {
            DivertPacket p = Bench.udp(1);
            assertThrows(IllegalStateException.class, () -> bench.readAt(0, p));
            assertEquals(0, p.refCnt());
        }
    }
}
