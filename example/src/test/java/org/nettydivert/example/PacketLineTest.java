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
package org.nettydivert.example;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.netty.buffer.Unpooled;
import org.junit.jupiter.api.Test;
import org.nettydivert.codec.ip.IpPacket;
import org.nettydivert.transport.DivertAddress;
import org.nettydivert.transport.DivertPacket;
import org.nettydivert.transport.PacketMetadata;

/** The line dump prints, with and without the kernel's packet metadata. */
class PacketLineTest {
    /** IPv4 UDP 10.0.0.1:40000 -> 10.0.0.2:53, 4 payload bytes (checksums left 0: not checked here). */
    private static final byte[] UDP = {
        0x45,
        0,
        0,
        32,
        0,
        1,
        0x40,
        0,
        64,
        17,
        0,
        0,
        10,
        0,
        0,
        1,
        10,
        0,
        0,
        2,
        (byte) 0x9c,
        0x40,
        0,
        53,
        0,
        12,
        0,
        0,
        1,
        2,
        3,
        4
    };

    private static String line(PacketMetadata metadata, int truncatedFrom) {
        DivertAddress address = DivertAddress.outbound();
        IpPacket packet = IpPacket.decode(
                new DivertPacket(Unpooled.wrappedBuffer(UDP.clone()), address, truncatedFrom, metadata));
        try {
            return PacketLine.of(packet);
        } finally {
            packet.release();
        }
    }

    @Test
    void withoutMetadataTheLineIsAsBefore() {
        assertEquals("OUTBOUND ? 10.0.0.1:40000 -> 10.0.0.2:53 UDP len 32", line(PacketMetadata.NONE, 0));
    }

    @Test
    void hookDevicesOwnerAndConntrackStateFollowTheLength() {
        PacketMetadata metadata = new PacketMetadata() {
            @Override
            public Hook hook() {
                return Hook.LOCAL_OUT;
            }

            @Override
            public int outInterfaceIndex() {
                return 1;
            }

            @Override
            public String outInterface() {
                return "lo";
            }

            @Override
            public long uid() {
                return 65534;
            }

            @Override
            public long gid() {
                return 65533;
            }

            @Override
            public ConntrackState conntrackState() {
                return ConntrackState.NEW;
            }
        };
        assertEquals(
                "OUTBOUND ? 10.0.0.1:40000 -> 10.0.0.2:53 UDP len 32 LOCAL_OUT in - out lo uid 65534 gid 65533"
                        + " IP_CT_NEW",
                line(metadata, 0));
    }

    @Test
    void aDeviceWithoutANameShowsItsIndexAndUnknownOwnerAndStateAreLeftOut() {
        PacketMetadata metadata = new PacketMetadata() {
            @Override
            public Hook hook() {
                return Hook.FORWARD;
            }

            @Override
            public int inInterfaceIndex() {
                return 42;
            }
        };
        assertEquals("OUTBOUND ? 10.0.0.1:40000 -> 10.0.0.2:53 UDP len 32 FORWARD in #42 out -", line(metadata, 0));
    }
}
