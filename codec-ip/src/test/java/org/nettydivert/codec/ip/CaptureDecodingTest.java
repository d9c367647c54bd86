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
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

/** Decoding what Linux really sent over loopback, captured by tcpdump. */
class CaptureDecodingTest {
    private static final List<byte[]> DATAGRAMS = Captures.datagrams(Captures.ETHERNET);

    private static void withPacket(int index, Consumer<IpPacket> check) {
        IpPacket p = IpPacket.decode(TestPackets.divert(DATAGRAMS.get(index)));
        try {
            check.accept(p);
        } finally {
            p.release();
        }
    }

    @Test
    void everyCapturedDatagramDecodes() {
        for (int i = 0; i < DATAGRAMS.size(); i++) {
            withPacket(i, p -> assertTrue(p.length() > 0));
        }
    }

    @Test
    void firstSynPrintsAsTcpdumpShowsIt() {
        // tcpdump -nr lo-ether.pcap: "IP 127.0.0.1.56970 > 127.0.0.1.8080: Flags [S], seq 3152399004, win 65520, ...
        // length 0"
        withPacket(
                0,
                p -> assertEquals(
                        "IPv4 127.0.0.1.56970 > 127.0.0.1.8080 TCP [S] seq 3152399004 win 65520 len 0", p.toString()));
    }

    @Test
    void synOptionsAreWhatTcpdumpShows() {
        // tcpdump: options [mss 1260,sackOK,TS val 2633037053 ecr 0,nop,wscale 10]
        withPacket(0, p -> {
            TcpOptions o = new TcpOptions().wrap(p.tcp());
            List<Integer> kinds = new ArrayList<>();
            while (o.next()) {
                kinds.add(o.kind());
                if (o.kind() == TcpOptions.MSS) {
                    assertEquals(1260, o.mss());
                } else if (o.kind() == TcpOptions.TIMESTAMPS) {
                    assertEquals("2633037053", Integer.toUnsignedString(o.timestampValue()));
                    assertEquals(0, o.timestampEchoReply());
                } else if (o.kind() == TcpOptions.WINDOW_SCALE) {
                    assertEquals(10, o.windowScale());
                }
            }
            assertEquals(
                    List.of(TcpOptions.MSS, TcpOptions.SACK_PERMITTED, TcpOptions.TIMESTAMPS, TcpOptions.WINDOW_SCALE),
                    kinds);
        });
    }

    @Test
    void ipv6SynPrintsAsTcpdumpShowsIt() {
        withPacket(
                11,
                p -> assertEquals(
                        "IPv6 0:0:0:0:0:0:0:1.34414 > 0:0:0:0:0:0:0:1.8443 TCP [S] seq 2209910236 win 64480 len 0",
                        p.toString()));
    }

    @Test
    void loopbackTcpChecksumsHoldOnlyThePseudoHeaderSum() {
        // Checksum offload: the stack leaves the folded pseudo-header sum for the "hardware" to finish.
        for (int i = 0; i < 21; i++) {
            withPacket(i, p -> {
                assertEquals(IpProtocol.TCP, p.protocol());
                assertEquals(p.pseudoHeaderSum(), p.tcp().checksum());
                assertFalse(p.verifyChecksums());
                p.updateChecksums();
                assertTrue(p.verifyChecksums());
            });
        }
    }

    @Test
    void ipv4HeaderChecksumsOfEveryCapturedDatagramVerify() {
        for (int i = 0; i < DATAGRAMS.size(); i++) {
            withPacket(i, p -> assertTrue(p.isIpv6() || p.ipv4().verifyChecksum(), p.toString()));
        }
    }

    @Test
    void capturedIcmpAndIcmpv6EchoesVerify() {
        List<String> seen = new ArrayList<>();
        for (int i = 0; i < DATAGRAMS.size(); i++) {
            withPacket(i, p -> {
                IcmpMessageHeader icmp = p.isIpv4() ? p.icmp() : p.icmpv6();
                if (icmp != null) {
                    assertTrue(p.verifyChecksums(), p.toString());
                    seen.add(p.toString());
                }
            });
        }
        assertEquals(
                List.of(
                        "IPv4 127.0.0.1 > 127.0.0.1 ICMP echo request id 4660 seq 1 len 17",
                        "IPv4 127.0.0.1 > 127.0.0.1 ICMP echo reply id 4660 seq 1 len 17",
                        "IPv6 0:0:0:0:0:0:0:1 > 0:0:0:0:0:0:0:1 ICMP6 echo request id 17185 seq 1 len 18",
                        "IPv6 0:0:0:0:0:0:0:1 > 0:0:0:0:0:0:0:1 ICMP6 echo reply id 17185 seq 1 len 18"),
                seen);
    }

    @Test
    void capturedIpv4FragmentsCarryTheUdpHeaderOnlyInTheFirst() {
        List<Integer> offsets = new ArrayList<>();
        for (int i = 0; i < DATAGRAMS.size(); i++) {
            withPacket(i, p -> {
                if (p.isIpv4() && p.isFragment()) {
                    offsets.add(p.fragmentOffset());
                    if (p.fragmentOffset() == 0) {
                        assertNotNull(p.udp());
                        assertEquals(5353, p.udp().destinationPort());
                    } else {
                        assertNull(p.udp());
                    }
                }
            });
        }
        assertEquals(3, offsets.size());
        assertEquals(0, offsets.get(0));
        assertTrue(offsets.get(1) > 0 && offsets.get(2) > offsets.get(1));
    }

    @Test
    void capturedIpv6FragmentsMatchTcpdump() {
        // tcpdump: frag (0|1248) 41766 > 5353, frag (1248|1248), frag (2496|72)
        List<String> frags = new ArrayList<>();
        for (int i = 0; i < DATAGRAMS.size(); i++) {
            withPacket(i, p -> {
                if (p.isIpv6() && p.isFragment()) {
                    frags.add(p.fragmentOffset() + "|" + p.transportLength()
                            + (p.udp() == null ? "" : " " + p.udp().sourcePort()));
                }
            });
        }
        assertEquals(List.of("0|1248 41766", "1248|1248", "2496|72"), frags);
    }
}
