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

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import org.junit.jupiter.api.Test;

class CidrTest {
    @Test
    void containsAddressesInsideThePrefixOnly() throws Exception {
        Cidr net = Cidr.parse("10.1.0.0/16");
        assertTrue(net.contains(InetAddress.getByName("10.1.255.7")));
        assertFalse(net.contains(InetAddress.getByName("10.2.0.1")));
        assertFalse(net.contains(InetAddress.getByName("::1")));
    }

    @Test
    void oddPrefixLengthsCompareTheLeadingBits() throws Exception {
        Cidr net = Cidr.parse("192.168.0.0/23");
        assertTrue(net.contains(InetAddress.getByName("192.168.1.200")));
        assertFalse(net.contains(InetAddress.getByName("192.168.2.1")));
    }

    @Test
    void bareAddressesAreHostRoutes() throws Exception {
        assertTrue(Cidr.parse("::1").contains(InetAddress.getByName("::1")));
        assertFalse(Cidr.parse("127.0.0.1").contains(InetAddress.getByName("127.0.0.2")));
    }

    @Test
    void hostNamesAreRefused() {
        assertThrows(UsageException.class, () -> Cidr.parse("example.org/8"));
    }
}
