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

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.nettydivert.transport.DivertAddress.Direction;

class DivertAddressTest {
    private static final InetAddress LOCAL = InetAddress.getLoopbackAddress();

    @Test
    void verdictsAreCopiesThatLeaveTheReadAddressAsItWas() {
        DivertAddress read = new DivertAddress(7, Direction.OUTBOUND, "lo", null, 42, 3);
        assertEquals(DivertAddress.Verdict.ACCEPT, read.verdict());
        assertFalse(read.hasVerdictOptions());
        DivertAddress repeat = read.repeat(0x10);
        assertEquals(DivertAddress.Verdict.REPEAT, repeat.verdict());
        assertEquals(0x10, repeat.mark());
        assertEquals(3, read.mark());
        assertEquals(DivertAddress.Verdict.ACCEPT, read.verdict());
        DivertAddress handOff = read.handOff(9).withConnmark(-1);
        assertEquals(DivertAddress.Verdict.HAND_OFF, handOff.verdict());
        assertEquals(9, handOff.handOffQueue());
        assertEquals(0xFFFF_FFFFL, handOff.connmark(), "any 32 bits, unsigned");
        assertTrue(handOff.hasConnmark());
        assertEquals(DivertAddress.ANY_PORT, handOff.accept().handOffQueue());
        assertEquals(DivertAddress.Verdict.ACCEPT, handOff.accept().verdict());
        assertTrue(handOff.accept().hasConnmark(), "accept() changes the verdict only");
        assertNotEquals(read, repeat);
        assertNotEquals(read.handOff(9), read.handOff(10));
        assertEquals(read.handOff(9).withConnmark(5), read.withConnmark(5).handOff(9));
        assertEquals(read.handOff(9).hashCode(), read.handOff(9).hashCode());
        assertSame(read, read.accept());
        assertEquals(
                "DivertAddress(OUTBOUND, port 7, lo, tag 42, mark 0x3, hand off to 9, connmark 0xffffffff)",
                handOff.toString());
        assertThrows(IllegalArgumentException.class, () -> read.handOff(65536));
        DivertAddress labelled = read.withConnlabels(1, 64).withConnlabels(127);
        assertEquals(java.util.BitSet.valueOf(new long[] {2, 1L | 1L << 63}), labelled.connlabels());
        assertTrue(labelled.hasVerdictOptions());
        assertFalse(read.hasConnlabels());
        assertThrows(IllegalArgumentException.class, () -> read.withConnlabels(128));
        assertThrows(IllegalStateException.class, () -> DivertAddress.outbound().repeat());
    }

    @Test
    void aBindAddressHasAPortAndNoDirectionTagOrInterface() {
        DivertAddress address = DivertAddress.port(7);

        assertEquals(7, address.port());
        assertNull(address.direction());
        assertFalse(address.isInbound());
        assertFalse(address.hasTag());
        assertEquals(DivertAddress.NO_TAG, address.tag());
        assertNull(address.interfaceName());
        assertNull(address.interfaceAddress());
        assertEquals(0, address.mark());
    }

    @Test
    void bindPortsSpanZeroTo65535() {
        assertEquals(0, DivertAddress.port(0).port());
        assertEquals(65535, DivertAddress.port(65535).port());
    }

    @Test
    void aBindPortOutOfRangeIsRefusedWithTheRange() {
        for (int port : new int[] {-1, 65536, Integer.MIN_VALUE}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> DivertAddress.port(port));

            assertTrue(
                    e.getMessage().contains("0..65535") && e.getMessage().contains(String.valueOf(port)),
                    e.getMessage());
        }
    }

    @Test
    void outboundIsAnUntaggedOutboundInjectionAddress() {
        DivertAddress address = DivertAddress.outbound();

        assertEquals(Direction.OUTBOUND, address.direction());
        assertEquals(DivertAddress.ANY_PORT, address.port());
        assertFalse(address.hasTag());
        assertNull(address.interfaceName());
        assertSame(address, DivertAddress.outbound());
    }

    @Test
    void inboundByNameIsAnUntaggedInboundInjectionAddress() {
        DivertAddress address = DivertAddress.inbound("em0");

        assertEquals(Direction.INBOUND, address.direction());
        assertTrue(address.isInbound());
        assertEquals("em0", address.interfaceName());
        assertNull(address.interfaceAddress());
        assertEquals(DivertAddress.ANY_PORT, address.port());
        assertFalse(address.hasTag());
    }

    @Test
    void inboundByAddressIsAnUntaggedInboundInjectionAddress() {
        DivertAddress address = DivertAddress.inbound(LOCAL);

        assertEquals(Direction.INBOUND, address.direction());
        assertEquals(LOCAL, address.interfaceAddress());
        assertNull(address.interfaceName());
        assertFalse(address.hasTag());
    }

    @Test
    void inboundRefusesNull() {
        assertThrows(NullPointerException.class, () -> DivertAddress.inbound((String) null));
        assertThrows(NullPointerException.class, () -> DivertAddress.inbound((InetAddress) null));
    }

    @Test
    void aReadAddressKeepsEveryField() {
        DivertAddress address = new DivertAddress(9, Direction.INBOUND, "lo", LOCAL, 0xFFFF_FFFFL, 0x42);

        assertEquals(9, address.port());
        assertEquals(Direction.INBOUND, address.direction());
        assertEquals("lo", address.interfaceName());
        assertEquals(LOCAL, address.interfaceAddress());
        assertEquals(0xFFFF_FFFFL, address.tag());
        assertTrue(address.hasTag());
        assertEquals(0x42, address.mark());
    }

    @Test
    void aReadAddressRefusesAPortOutOfRange() {
        assertThrows(
                IllegalArgumentException.class, () -> new DivertAddress(65536, Direction.INBOUND, null, null, 1, 0));
        assertThrows(IllegalArgumentException.class, () -> new DivertAddress(-2, Direction.INBOUND, null, null, 1, 0));
        assertEquals(
                DivertAddress.ANY_PORT,
                new DivertAddress(DivertAddress.ANY_PORT, Direction.OUTBOUND, null, null, 1, 0).port());
    }

    @Test
    void aReadAddressRefusesATagThatIsNotUnsigned32Bits() {
        for (long tag : new long[] {-2, 0x1_0000_0000L, Long.MAX_VALUE}) {
            IllegalArgumentException e = assertThrows(
                    IllegalArgumentException.class, () -> new DivertAddress(1, Direction.INBOUND, null, null, tag, 0));

            assertTrue(e.getMessage().contains(String.valueOf(tag)), e.getMessage());
        }
    }

    @Test
    void aReadAddressRefusesANullDirection() {
        NullPointerException e =
                assertThrows(NullPointerException.class, () -> new DivertAddress(1, null, null, null, 1, 0));

        assertTrue(e.getMessage().contains("direction"), e.getMessage());
    }

    @Test
    void addressesWithTheSameFieldsAreEqualWithEqualHashCodes() {
        DivertAddress a = new DivertAddress(9, Direction.INBOUND, "lo", LOCAL, 5, 1);
        DivertAddress b = new DivertAddress(9, Direction.INBOUND, "lo", LOCAL, 5, 1);

        assertEquals(a, b);
        assertEquals(a.hashCode(), b.hashCode());
        assertEquals(DivertAddress.port(3), DivertAddress.port(3));
        assertEquals(DivertAddress.port(3).hashCode(), DivertAddress.port(3).hashCode());
        assertEquals(DivertAddress.inbound("em0"), DivertAddress.inbound("em0"));
    }

    @Test
    void addressesDifferingInAnyFieldAreNotEqual() {
        DivertAddress a = new DivertAddress(9, Direction.INBOUND, "lo", LOCAL, 5, 1);
        List<DivertAddress> others = List.of(
                new DivertAddress(8, Direction.INBOUND, "lo", LOCAL, 5, 1),
                new DivertAddress(9, Direction.OUTBOUND, "lo", LOCAL, 5, 1),
                new DivertAddress(9, Direction.INBOUND, "eth0", LOCAL, 5, 1),
                new DivertAddress(9, Direction.INBOUND, null, LOCAL, 5, 1),
                new DivertAddress(9, Direction.INBOUND, "lo", null, 5, 1),
                new DivertAddress(9, Direction.INBOUND, "lo", LOCAL, 6, 1),
                new DivertAddress(9, Direction.INBOUND, "lo", LOCAL, 5, 2));

        for (DivertAddress other : others) {
            assertNotEquals(a, other, other.toString());
        }
        assertNotEquals(DivertAddress.port(9), new DivertAddress(9, Direction.INBOUND, null, null, -1, 0));
        assertNotEquals(DivertAddress.port(9), "port 9");
    }

    @Test
    void toStringShowsWhatIsKnown() {
        assertEquals("DivertAddress(port 7)", DivertAddress.port(7).toString());
        assertEquals("DivertAddress(OUTBOUND)", DivertAddress.outbound().toString());
        assertEquals("DivertAddress(INBOUND, em0)", DivertAddress.inbound("em0").toString());
        assertEquals(
                "DivertAddress(INBOUND, port 9, lo, 127.0.0.1, tag 5, mark 0x2a)",
                new DivertAddress(9, Direction.INBOUND, "lo", LOCAL, 5, 42).toString());
    }

    @Test
    void withMarkChangesOnlyTheMark() {
        DivertAddress a = new DivertAddress(9, Direction.OUTBOUND, "lo", LOCAL, 5, 1);

        DivertAddress marked = a.withMark(7);

        assertEquals(new DivertAddress(9, Direction.OUTBOUND, "lo", LOCAL, 5, 7), marked);
        assertEquals(1, a.mark(), "the original is unchanged");
    }

    @Test
    void withTheSameMarkReturnsTheSameAddress() {
        DivertAddress a = new DivertAddress(9, Direction.OUTBOUND, null, null, 5, 3);

        assertSame(a, a.withMark(3));
    }

    @Test
    void aBindAddressHasNoMarkToChange() {
        IllegalStateException e = assertThrows(
                IllegalStateException.class, () -> DivertAddress.port(1).withMark(1));

        assertTrue(e.getMessage().contains("bind address"), e.getMessage());
    }
}
