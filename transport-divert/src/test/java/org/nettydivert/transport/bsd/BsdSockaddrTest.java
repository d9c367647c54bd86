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
package org.nettydivert.transport.bsd;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.nettydivert.transport.bsd.KeventLayoutTest.assertBytes;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.nettydivert.transport.DivertAddress;
import org.nettydivert.transport.DivertAddress.Direction;

/**
 * Divert socket addresses as FreeBSD and OpenBSD read and write them, byte for byte against
 * {@code docs/ABI.md#bsd-socket-addresses} (the kernel functions that fill and read each field)
 * and the divert(4) manual pages.
 */
class BsdSockaddrTest {
    private static final int PORT = 8668;
    private static final BsdAbi FREEBSD = BsdAbi.FREEBSD;
    private static final BsdAbi OPENBSD = BsdAbi.OPENBSD;

    private final ByteBuf buf = Unpooled.buffer(64, 64);

    @AfterEach
    void release() {
        buf.release();
    }

    private static InetAddress ip(String literal) {
        try {
            return InetAddress.getByName(literal);
        } catch (UnknownHostException e) {
            throw new AssertionError(e);
        }
    }

    /** Puts {@code hex} (a socket address as the kernel wrote it) at {@code offset} and returns its length. */
    private int kernelWrote(int offset, String hex) {
        byte[] bytes = ByteBufUtil.decodeHexDump(hex.replace(" ", ""));
        buf.setBytes(offset, bytes);
        return bytes.length;
    }

    private String hex(int offset, int length) {
        return ByteBufUtil.hexDump(buf, offset, length);
    }

    // ---- layout ----

    @Test
    void sockaddrSizesAndOffsetsAreTheBsdOnes() {
        assertEquals(16, BsdSockaddr.SOCKADDR_IN_SIZE);
        assertEquals(28, BsdSockaddr.SOCKADDR_IN6_SIZE);
        assertEquals(0, BsdSockaddr.LEN_OFFSET);
        assertEquals(1, BsdSockaddr.FAMILY_OFFSET);
        assertEquals(2, BsdSockaddr.PORT_OFFSET);
        assertEquals(4, BsdSockaddr.SIN_ADDR_OFFSET);
        assertEquals(8, BsdSockaddr.SIN_ZERO_OFFSET);
        assertEquals(8, BsdSockaddr.SIN_ZERO_SIZE);
        assertEquals(4, BsdSockaddr.SIN6_FLOWINFO_OFFSET);
        assertEquals(8, BsdSockaddr.SIN6_ADDR_OFFSET);
        assertEquals(24, BsdSockaddr.SIN6_SCOPE_ID_OFFSET);
        assertEquals(7, BsdSockaddr.MAX_INTERFACE_NAME_LENGTH);
    }

    // ---- FreeBSD: reading ----

    @Test
    void freeBsdInboundPacketCarriesRuleInterfaceAddressAndName() {
        // len 16, AF_INET, rule 1000 (0x03e8) in host order, 192.168.1.10, "em0"
        int n = kernelWrote(0, "10 02 e803 c0a8010a 656d3000 00000000");
        DivertAddress a = BsdSockaddr.decode(FREEBSD, PORT, buf, 0, n);
        assertEquals(new DivertAddress(PORT, Direction.INBOUND, "em0", ip("192.168.1.10"), 1000, 0), a);
    }

    @Test
    void freeBsdRuleNumberIsReadInHostByteOrder() {
        int n = kernelWrote(0, "10 02 0201 00000000 0000000000000000");
        assertEquals(0x0102, BsdSockaddr.decode(FREEBSD, PORT, buf, 0, n).tag());
    }

    @Test
    void freeBsdOutboundPacketHasNoAddressAndNoName() {
        int n = kernelWrote(0, "10 02 6400 00000000 0000000000000000");
        DivertAddress a = BsdSockaddr.decode(FREEBSD, PORT, buf, 0, n);
        assertEquals(Direction.OUTBOUND, a.direction());
        assertNull(a.interfaceAddress());
        assertNull(a.interfaceName());
        assertEquals(100, a.tag());
        assertEquals(PORT, a.port());
    }

    @Test
    void freeBsdForwardedOutboundPacketKeepsTheReceivingInterfaceName() {
        int n = kernelWrote(0, "10 02 6400 00000000 69676231000000 00");
        DivertAddress a = BsdSockaddr.decode(FREEBSD, PORT, buf, 0, n);
        assertEquals(Direction.OUTBOUND, a.direction());
        assertEquals("igb1", a.interfaceName());
    }

    @Test
    void freeBsdSevenCharacterInterfaceNameFillsSinZero() {
        // "vtnet10" then the NUL.
        int n = kernelWrote(0, "10 02 0100 0a000001 76746e65743130 00");
        assertEquals("vtnet10", BsdSockaddr.decode(FREEBSD, PORT, buf, 0, n).interfaceName());
    }

    @Test
    void freeBsdIpv6PacketComesWithAnIpv4SockaddrAndItsInterfaceIpv4Address() {
        int n = kernelWrote(0, "10 02 0a00 0a000001 656d3000 00000000");
        DivertAddress a = BsdSockaddr.decode(FREEBSD, PORT, buf, 0, n);
        assertEquals(Direction.INBOUND, a.direction());
        assertEquals(ip("10.0.0.1"), a.interfaceAddress());
    }

    @Test
    void freeBsdAddressIsDecodedAtItsOffset() {
        int n = kernelWrote(20, "10 02 0500 7f000001 6c6f3000 00000000");
        DivertAddress a = BsdSockaddr.decode(FREEBSD, PORT, buf, 20, n);
        assertEquals("lo0", a.interfaceName());
        assertEquals(5, a.tag());
    }

    @Test
    void freeBsdRejectsAnAddressThatIsNotSockaddrIn() {
        int n = kernelWrote(0, "1c 1c 0000 00000000 00000000000000000000000000000000 00000000");
        IllegalArgumentException e =
                assertThrows(IllegalArgumentException.class, () -> BsdSockaddr.decode(FREEBSD, PORT, buf, 0, n));
        assertTrue(e.getMessage().contains("family 28"), e.getMessage());
    }

    @Test
    void repeatedAddressBytesDecodeToTheSameInstance() {
        BsdSockaddr decoder = new BsdSockaddr(FREEBSD, PORT);
        int n = kernelWrote(0, "10 02 e803 c0a8010a 656d3000 00000000");
        DivertAddress first = decoder.decode(buf, 0, n);
        kernelWrote(32, "10 02 e803 c0a8010a 656d3000 00000000");
        assertSame(first, decoder.decode(buf, 32, n));
        kernelWrote(32, "10 02 e903 c0a8010a 656d3000 00000000");
        DivertAddress other = decoder.decode(buf, 32, n);
        assertNotSame(first, other);
        assertEquals(1001, other.tag());
    }

    // ---- FreeBSD: writing ----

    @Test
    void freeBsdReadAddressWritesBackTheBytesItWasReadFrom() {
        String[] reads = {
            "1002e803c0a8010a656d300000000000", // inbound, em0
            "10026400000000000000000000000000", // outbound
            "100264000000000069676231000000" + "00", // forwarded outbound, igb1
            "100201000a00000176746e6574313000" // inbound, vtnet10
        };
        for (String read : reads) {
            int n = kernelWrote(0, read);
            DivertAddress a = BsdSockaddr.decode(FREEBSD, PORT, buf, 0, n);
            buf.setZero(0, 64);
            for (int version : new int[] {4, 6}) {
                assertEquals(16, BsdSockaddr.encode(FREEBSD, a, version, buf, 8));
                assertEquals(read, hex(8, 16), "IPv" + version + " " + a);
            }
        }
    }

    @Test
    void freeBsdOutboundInjectionIsAnAllZeroSockaddrIn() {
        assertEquals(16, BsdSockaddr.encode(FREEBSD, DivertAddress.outbound(), 4, buf, 0));
        assertEquals("10020000000000000000000000000000", hex(0, 16));
    }

    @Test
    void freeBsdInboundInjectionByNameUsesAPlaceholderAddressOwnedByNoInterface() {
        BsdSockaddr.encode(FREEBSD, DivertAddress.inbound("em0"), 4, buf, 0);
        // port 0: rules restart from the first; sin_addr 0.0.0.1; sin_zero "em0".
        assertEquals("10020000" + "00000001" + "656d300000000000", hex(0, 16));
    }

    @Test
    void freeBsdInboundInjectionByIpv4AddressLeavesSinZeroEmpty() {
        BsdSockaddr.encode(FREEBSD, DivertAddress.inbound(ip("192.0.2.7")), 6, buf, 0);
        assertEquals("10020000" + "c0000207" + "0000000000000000", hex(0, 16));
    }

    @Test
    void freeBsdInboundInjectionByIpv6AddressAloneIsRefused() {
        DivertAddress a = DivertAddress.inbound(ip("2001:db8::1"));
        IllegalArgumentException e =
                assertThrows(IllegalArgumentException.class, () -> BsdSockaddr.encode(FREEBSD, a, 6, buf, 0));
        assertTrue(e.getMessage().contains("neither"), e.getMessage());
    }

    @Test
    void freeBsdInboundIpv6PacketFromAnIpv6OnlyInterfaceIsWrittenWithNameAndPlaceholder() {
        // Read as 0.0.0.0 from an interface without IPv4: the channel carries the direction.
        DivertAddress a = new DivertAddress(PORT, Direction.INBOUND, "gif0", null, 300, 0);
        BsdSockaddr.encode(FREEBSD, a, 6, buf, 0);
        assertEquals("10022c01" + "00000001" + "6769663000000000", hex(0, 16));
    }

    @Test
    void freeBsdInboundWithSevenCharacterNameEndsInNul() {
        BsdSockaddr.encode(FREEBSD, DivertAddress.inbound("vtnet10"), 4, buf, 0);
        assertEquals("76746e6574313000", hex(8, 8));
    }

    @Test
    void freeBsdInboundWithEightCharacterNameIsRefusedNamingTheLimit() {
        DivertAddress a = DivertAddress.inbound("vtnet100");
        IllegalArgumentException e =
                assertThrows(IllegalArgumentException.class, () -> BsdSockaddr.encode(FREEBSD, a, 4, buf, 0));
        assertTrue(e.getMessage().contains("at most 7"), e.getMessage());
        assertTrue(e.getMessage().contains("vtnet100"), e.getMessage());
    }

    @Test
    void freeBsdInboundWithNonAsciiNameIsRefused() {
        DivertAddress a = DivertAddress.inbound("em\u00e90");
        assertThrows(IllegalArgumentException.class, () -> BsdSockaddr.encode(FREEBSD, a, 4, buf, 0));
    }

    @Test
    void freeBsdOutboundWithTooLongNameLeavesTheNameOut() {
        DivertAddress a = new DivertAddress(PORT, Direction.OUTBOUND, "vtnet100", null, 7, 0);
        BsdSockaddr.encode(FREEBSD, a, 4, buf, 0);
        assertEquals("10020700000000000000000000000000", hex(0, 16));
    }

    @Test
    void freeBsdTagBeyondARuleNumberIsRefused() {
        DivertAddress a = new DivertAddress(PORT, Direction.OUTBOUND, null, null, 70000, 0);
        assertThrows(IllegalArgumentException.class, () -> BsdSockaddr.encode(FREEBSD, a, 4, buf, 0));
    }

    @Test
    void bindAddressCannotBeWrittenTo() {
        assertThrows(
                IllegalArgumentException.class, () -> BsdSockaddr.encode(FREEBSD, DivertAddress.port(PORT), 4, buf, 0));
        assertThrows(
                IllegalArgumentException.class, () -> BsdSockaddr.encode(OPENBSD, DivertAddress.port(PORT), 4, buf, 0));
    }

    // ---- OpenBSD: reading ----

    @Test
    void openBsdInboundIpv4PacketCarriesTheInterfaceAddressAndTagZero() {
        int n = kernelWrote(0, "10 02 0000 c0a8010a 0000000000000000");
        DivertAddress a = BsdSockaddr.decode(OPENBSD, PORT, buf, 0, n);
        assertEquals(new DivertAddress(PORT, Direction.INBOUND, null, ip("192.168.1.10"), 0, 0), a);
    }

    @Test
    void openBsdOutboundIpv4PacketHasTheAnyAddress() {
        int n = kernelWrote(0, "10 02 0000 00000000 0000000000000000");
        DivertAddress a = BsdSockaddr.decode(OPENBSD, PORT, buf, 0, n);
        assertEquals(new DivertAddress(PORT, Direction.OUTBOUND, null, null, 0, 0), a);
    }

    @Test
    void openBsdIgnoresSinZeroBytes() {
        int n = kernelWrote(0, "10 02 0000 00000000 656d3000 00000000");
        assertNull(BsdSockaddr.decode(OPENBSD, PORT, buf, 0, n).interfaceName());
    }

    @Test
    void openBsdInboundIpv6PacketComesWithASockaddrIn6() {
        // len 28, AF_INET6 24, port 0, flowinfo 0, 2001:db8::1, scope 0
        int n = kernelWrote(0, "1c 18 0000 00000000 20010db8000000000000000000000001 00000000");
        DivertAddress a = BsdSockaddr.decode(OPENBSD, PORT, buf, 0, n);
        assertEquals(new DivertAddress(PORT, Direction.INBOUND, null, ip("2001:db8::1"), 0, 0), a);
    }

    @Test
    void openBsdOutboundIpv6PacketHasTheUnspecifiedAddress() {
        int n = kernelWrote(0, "1c 18 0000 00000000 00000000000000000000000000000000 00000000");
        DivertAddress a = BsdSockaddr.decode(OPENBSD, PORT, buf, 0, n);
        assertEquals(Direction.OUTBOUND, a.direction());
        assertNull(a.interfaceAddress());
        assertEquals(0, a.tag());
    }

    @Test
    void openBsdLinkLocalAddressComesWithItsScopeEmbeddedAndBecomesAScopedJavaAddress() {
        // divert6_packet copies the address as the kernel stores it: scope index 3 in bytes 2-3,
        // sin6_scope_id 0. Java's interface list has fe80::1%3 for the same address.
        int n = kernelWrote(0, "1c 18 0000 00000000 fe800003000000000000000000000001 00000000");
        InetAddress address = BsdSockaddr.decode(OPENBSD, PORT, buf, 0, n).interfaceAddress();
        Inet6Address inet6 = assertInstanceOf(Inet6Address.class, address);
        assertEquals(3, inet6.getScopeId());
        assertArrayEquals(ByteBufUtil.decodeHexDump("fe800000000000000000000000000001"), inet6.getAddress());
    }

    @Test
    void openBsdInboundLinkLocalWriteEmbedsTheScopeAsTheKernelLooksItUp() throws Exception {
        // As NetworkInterface lists it: scope in the scope id. divert6_output looks the bytes up
        // as given, so the scope must be in bytes 2-3 and sin6_scope_id 0.
        Inet6Address scoped =
                Inet6Address.getByAddress(null, ByteBufUtil.decodeHexDump("fe800000000000000000000000000001"), 3);
        assertEquals(28, BsdSockaddr.encode(OPENBSD, DivertAddress.inbound(scoped), 6, buf, 0));
        assertEquals("1c180000" + "00000000" + "fe800003000000000000000000000001" + "00000000", hex(0, 28));
    }

    @Test
    void openBsdRejectsFreeBsdsInet6Family() {
        int n = kernelWrote(0, "1c 1c 0000 00000000 20010db8000000000000000000000001 00000000");
        assertThrows(IllegalArgumentException.class, () -> BsdSockaddr.decode(OPENBSD, PORT, buf, 0, n));
    }

    @Test
    void truncatedAddressIsRejected() {
        int n = kernelWrote(0, "10 02 0000 c0a8010a");
        assertThrows(IllegalArgumentException.class, () -> BsdSockaddr.decode(OPENBSD, PORT, buf, 0, n));
        assertThrows(IllegalArgumentException.class, () -> BsdSockaddr.decode(FREEBSD, PORT, buf, 0, n));
    }

    // ---- OpenBSD: writing ----

    @Test
    void openBsdOutboundIpv4IsAnAnySockaddrIn() {
        assertEquals(16, BsdSockaddr.encode(OPENBSD, DivertAddress.outbound(), 4, buf, 0));
        assertEquals("10020000000000000000000000000000", hex(0, 16));
    }

    @Test
    void openBsdOutboundIpv6IsAnUnspecifiedSockaddrIn6WithFamily24() {
        for (int i = 0; i < 28; i++) {
            buf.setByte(i, 0xA5);
        }
        assertEquals(28, BsdSockaddr.encode(OPENBSD, DivertAddress.outbound(), 6, buf, 0));
        assertEquals("1c180000" + "00000000" + "00000000000000000000000000000000" + "00000000", hex(0, 28));
    }

    @Test
    void openBsdReadAddressesWriteBackTheBytesTheyWereReadFrom() {
        String[][] reads = {
            {"4", "10020000c0a8010a0000000000000000"},
            {"4", "10020000000000000000000000000000"},
            {"6", "1c1800000000000020010db800000000000000000000000100000000"},
            {"6", "1c180000000000000000000000000000000000000000000000000000"},
            {"6", "1c18000000000000fe80000300000000000000000000000100000000"}
        };
        for (String[] read : reads) {
            int n = kernelWrote(0, read[1]);
            DivertAddress a = BsdSockaddr.decode(OPENBSD, PORT, buf, 0, n);
            assertEquals(n, BsdSockaddr.encode(OPENBSD, a, Integer.parseInt(read[0]), buf, 32));
            assertEquals(read[1], hex(32, n), a.toString());
        }
    }

    @Test
    void openBsdWriteAlwaysHasPortZeroWhateverTheTag() {
        DivertAddress a = new DivertAddress(PORT, Direction.OUTBOUND, null, null, 1234, 0);
        BsdSockaddr.encode(OPENBSD, a, 4, buf, 0);
        assertBytes(buf, 2, 0, 0);
    }

    @Test
    void openBsdInboundIpv6PacketNeedsAnIpv6Address() {
        DivertAddress a = DivertAddress.inbound(ip("192.0.2.7"));
        IllegalArgumentException e =
                assertThrows(IllegalArgumentException.class, () -> BsdSockaddr.encode(OPENBSD, a, 6, buf, 0));
        assertTrue(e.getMessage().contains("IPv6"), e.getMessage());
    }

    @Test
    void openBsdInboundByNameAloneIsRefused() {
        DivertAddress a = DivertAddress.inbound("em0");
        assertThrows(IllegalArgumentException.class, () -> BsdSockaddr.encode(OPENBSD, a, 4, buf, 0));
    }

    @Test
    void openBsdPacketThatIsNeitherIpv4NorIpv6IsRefused() {
        assertThrows(
                IllegalArgumentException.class, () -> BsdSockaddr.encode(OPENBSD, DivertAddress.outbound(), 5, buf, 0));
    }

    // ---- binding ----

    @Test
    void bindAddressHasLength16AndThePortInNetworkOrder() {
        for (BsdAbi abi : BsdAbi.values()) {
            assertEquals(16, BsdSockaddr.encodeBind(abi, BsdAbi.AF_INET, PORT, buf, 4));
            // 8668 = 0x21dc, big-endian, unlike a FreeBSD rule number.
            assertEquals("100221dc000000000000000000000000", hex(4, 16), abi.toString());
        }
    }

    @Test
    void openBsdIpv6SocketBindsASockaddrIn6() {
        assertEquals(28, BsdSockaddr.encodeBind(OPENBSD, 24, PORT, buf, 0));
        byte[] expected = ByteBufUtil.decodeHexDump("1c1821dc" + "00".repeat(24));
        byte[] actual = new byte[28];
        buf.getBytes(0, actual);
        assertArrayEquals(expected, actual);
    }

    @Test
    void freeBsdHasNoIpv6DivertSocketToBind() {
        assertThrows(IllegalArgumentException.class, () -> BsdSockaddr.encodeBind(FREEBSD, 28, PORT, buf, 0));
    }
}
