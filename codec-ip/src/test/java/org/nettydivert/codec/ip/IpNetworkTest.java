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
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.net.InetAddress;
import org.junit.jupiter.api.Test;

/** The CIDR parser shared by DirectionRule and the example's command line. */
class IpNetworkTest {
    @Test
    void containsAddressesInsideThePrefixOnly() throws Exception {
        IpNetwork net = IpNetwork.parse("10.1.0.0/16");
        assertTrue(net.contains(InetAddress.getByName("10.1.255.7")));
        assertFalse(net.contains(InetAddress.getByName("10.2.0.1")));
        assertFalse(net.contains(InetAddress.getByName("::1")));
    }

    @Test
    void oddPrefixLengthsCompareTheLeadingBits() throws Exception {
        IpNetwork net = IpNetwork.parse("192.168.0.0/23");
        assertTrue(net.contains(InetAddress.getByName("192.168.1.200")));
        assertFalse(net.contains(InetAddress.getByName("192.168.2.1")));
        assertEquals(23, net.prefixLength());
        assertEquals("192.168.0.0/23", net.toString());
    }

    @Test
    void bareAddressesAreHostRoutes() throws Exception {
        assertTrue(IpNetwork.parse("::1").contains(InetAddress.getByName("::1")));
        assertEquals(128, IpNetwork.parse("::1").prefixLength());
        assertFalse(IpNetwork.parse("127.0.0.1").contains(InetAddress.getByName("127.0.0.2")));
        assertTrue(IpNetwork.parse("0.0.0.0/0").contains(InetAddress.getByName("203.0.113.9")));
    }

    @Test
    void readsAddressesInPlace() {
        ByteBuf buf = Unpooled.wrappedBuffer(new byte[] {0, 0, 10, 1, 2, 3});
        try {
            assertTrue(IpNetwork.parse("10.1.0.0/16").contains(buf, 2));
            assertTrue(IpNetwork.parse("10.1.2.3").contains(buf, 2));
            assertFalse(IpNetwork.parse("10.1.2.4/31").contains(buf, 2));
            assertEquals(0, buf.readerIndex());
        } finally {
            buf.release();
        }
    }

    @Test
    void errorsNameTheTextAndWhatIsWrong() {
        assertEquals(
                "not an IP address literal: 'example.org/8' (expected e.g. 10.0.0.0/8)",
                assertThrows(IllegalArgumentException.class, () -> IpNetwork.parse("example.org/8"))
                        .getMessage());
        assertEquals(
                "bad prefix length in '10.0.0.0/40': 0..32",
                assertThrows(IllegalArgumentException.class, () -> IpNetwork.parse("10.0.0.0/40"))
                        .getMessage());
        assertEquals(
                "bad prefix length in '::/+8': 0..128",
                assertThrows(IllegalArgumentException.class, () -> IpNetwork.parse("::/+8"))
                        .getMessage());
    }
}
