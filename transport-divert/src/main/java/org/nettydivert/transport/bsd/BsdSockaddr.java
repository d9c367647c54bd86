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

import io.netty.buffer.ByteBuf;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import org.nettydivert.transport.DivertAddress;

/**
 * The socket addresses of divert sockets, to and from {@link DivertAddress}, as each BSD reads
 * and writes them ({@code docs/ABI.md#bsd-socket-addresses}, with the kernel functions that
 * read and write each field; pinned by {@code BsdSockaddrTest}).
 *
 * <p><b>FreeBSD</b> uses a {@code sockaddr_in} for every packet, IPv6 ones too. Read: {@code
 * sin_port} is the ipfw rule number in host byte order (the {@linkplain DivertAddress#tag()
 * tag}); {@code sin_addr} is the receiving interface's first IPv4 address for inbound packets
 * and 0 for outbound ones; {@code sin_zero} holds the interface name, NUL-terminated, at most 7
 * characters. Write: {@code sin_addr} 0 sends the packet out; anything else takes it in on the
 * interface named in {@code sin_zero}, or failing that the one owning {@code sin_addr}; the
 * kernel resumes rule processing at {@code sin_port + 1}.
 *
 * <p><b>OpenBSD</b> uses the socket's family ({@code sockaddr_in} or {@code sockaddr_in6}); the
 * port is always 0 and the address is the unspecified one for outbound packets, else an address
 * of the interface, which is also how a write names it. A link-local IPv6 address comes from the
 * kernel with its interface index embedded in bytes 2-3 ({@code fe80:IDX::x}) and {@code
 * sin6_scope_id} 0; it is read as Java writes it, {@code fe80::x} with scope id IDX (so that it
 * equals the address {@code NetworkInterface} lists), and written back embedded.
 *
 * <p>Decoding keeps the last address it made and returns it again for identical bytes: packets
 * read in a row mostly share one rule and one interface, so the hot path allocates nothing.
 */
public final class BsdSockaddr {
    static final int SOCKADDR_IN_SIZE = 16;
    static final int SOCKADDR_IN6_SIZE = 28;
    /** Room for either. */
    static final int MAX_SIZE = SOCKADDR_IN6_SIZE;

    static final int LEN_OFFSET = 0;
    static final int FAMILY_OFFSET = 1;
    static final int PORT_OFFSET = 2;
    static final int SIN_ADDR_OFFSET = 4;
    static final int SIN_ZERO_OFFSET = 8;
    static final int SIN_ZERO_SIZE = 8;
    static final int SIN6_FLOWINFO_OFFSET = 4;
    static final int SIN6_ADDR_OFFSET = 8;
    static final int SIN6_SCOPE_ID_OFFSET = 24;

    /** sin_zero holds the name and its terminating NUL. */
    static final int MAX_INTERFACE_NAME_LENGTH = SIN_ZERO_SIZE - 1;

    /**
     * The {@code sin_addr} of a FreeBSD inbound write that names its interface but has no IPv4
     * address for it (IPv6-only interfaces): non-zero so that the kernel takes the packet in,
     * and owned by no interface, so that a wrong name fails with EADDRNOTAVAIL instead of
     * landing on whichever interface the address belongs to.
     */
    static final int INBOUND_PLACEHOLDER = 0x00000001;

    private final BsdAbi abi;
    private final int divertPort;
    private final byte[] lastBytes = new byte[MAX_SIZE];
    private int lastLength = -1;
    private DivertAddress lastAddress;

    /** A decoder for the addresses read from a socket bound to {@code divertPort}. */
    BsdSockaddr(BsdAbi abi, int divertPort) {
        this.abi = abi;
        this.divertPort = divertPort;
    }

    /** The address of a packet read with the {@code length} bytes of socket address at {@code offset}. */
    DivertAddress decode(ByteBuf buf, int offset, int length) {
        if (length == lastLength && sameAsLast(buf, offset, length)) {
            return lastAddress;
        }
        DivertAddress address = decode(abi, divertPort, buf, offset, length);
        buf.getBytes(offset, lastBytes, 0, length);
        lastLength = length;
        lastAddress = address;
        return address;
    }

    private boolean sameAsLast(ByteBuf buf, int offset, int length) {
        for (int i = 0; i < length; i++) {
            if (buf.getByte(offset + i) != lastBytes[i]) {
                return false;
            }
        }
        return true;
    }

    /** Decodes without the cache; see {@link #decode(ByteBuf, int, int)}. */
    static DivertAddress decode(BsdAbi abi, int divertPort, ByteBuf buf, int offset, int length) {
        int family = length >= 2 ? buf.getUnsignedByte(offset + FAMILY_OFFSET) : -1;
        if (family == BsdAbi.AF_INET && length >= SOCKADDR_IN_SIZE) {
            int address = buf.getInt(offset + SIN_ADDR_OFFSET);
            InetAddress interfaceAddress = address == 0 ? null : inet4(address);
            if (abi == BsdAbi.FREEBSD) {
                return new DivertAddress(
                        divertPort,
                        address == 0 ? DivertAddress.Direction.OUTBOUND : DivertAddress.Direction.INBOUND,
                        interfaceName(buf, offset + SIN_ZERO_OFFSET),
                        interfaceAddress,
                        buf.getUnsignedShortLE(offset + PORT_OFFSET),
                        0);
            }
            return openBsdAddress(divertPort, interfaceAddress);
        }
        if (abi == BsdAbi.OPENBSD && family == abi.afInet6 && length >= SOCKADDR_IN6_SIZE) {
            InetAddress interfaceAddress = null;
            if (!isZero(buf, offset + SIN6_ADDR_OFFSET, 16)) {
                byte[] bytes = new byte[16];
                buf.getBytes(offset + SIN6_ADDR_OFFSET, bytes);
                int scopeId = buf.getIntLE(offset + SIN6_SCOPE_ID_OFFSET);
                if (scopeId == 0 && embedsScope(bytes)) {
                    // The kernel's own form (fe80:IDX::x): Java and NetworkInterface keep the
                    // index in the scope id instead, so move it there to make both compare equal.
                    scopeId = (bytes[2] & 0xFF) << 8 | bytes[3] & 0xFF;
                    bytes[2] = 0;
                    bytes[3] = 0;
                }
                interfaceAddress = inet6(bytes, scopeId);
            }
            return openBsdAddress(divertPort, interfaceAddress);
        }
        throw new IllegalArgumentException("unexpected socket address from a " + abi + " divert socket: family "
                + family + ", " + length + " bytes");
    }

    private static DivertAddress openBsdAddress(int divertPort, InetAddress interfaceAddress) {
        // OpenBSD gives no rule number to resume at: reinjected packets skip pf, so the tag is 0.
        return new DivertAddress(
                divertPort,
                interfaceAddress == null ? DivertAddress.Direction.OUTBOUND : DivertAddress.Direction.INBOUND,
                null,
                interfaceAddress,
                0,
                0);
    }

    private static String interfaceName(ByteBuf buf, int at) {
        int n = 0;
        while (n < SIN_ZERO_SIZE && buf.getByte(at + n) != 0) {
            n++;
        }
        return n == 0 ? null : buf.toString(at, n, StandardCharsets.US_ASCII);
    }

    /**
     * Writes the socket address to send a packet of IP version {@code ipVersion} with {@code
     * address} to, at {@code offset}, and returns its length.
     *
     * @throws IllegalArgumentException when the address cannot be said on this system: an
     *     interface name longer than FreeBSD's 7 characters, a tag that is not a FreeBSD rule
     *     number, an inbound address the kernel could not find an interface with
     */
    static int encode(BsdAbi abi, DivertAddress address, int ipVersion, ByteBuf buf, int offset) {
        if (address.direction() == null) {
            throw new IllegalArgumentException("a bind address does not say where a packet goes: " + address);
        }
        return abi == BsdAbi.FREEBSD
                ? encodeFreeBsd(address, buf, offset)
                : encodeOpenBsd(abi, address, ipVersion, buf, offset);
    }

    private static int encodeFreeBsd(DivertAddress address, ByteBuf buf, int offset) {
        long tag = address.hasTag() ? address.tag() : 0;
        if (tag > 0xFFFF) {
            throw new IllegalArgumentException(
                    "the tag of a FreeBSD write is an ipfw rule number, 0 to 65535: " + address);
        }
        String name = address.interfaceName();
        boolean hasName = name != null && !name.isEmpty();
        int sinAddr = 0;
        if (address.isInbound()) {
            if (hasName) {
                checkInterfaceName(name);
            }
            InetAddress interfaceAddress = address.interfaceAddress();
            if (interfaceAddress instanceof Inet4Address && !interfaceAddress.isAnyLocalAddress()) {
                sinAddr = toInt(interfaceAddress.getAddress());
            } else if (hasName) {
                sinAddr = INBOUND_PLACEHOLDER;
            } else {
                throw new IllegalArgumentException("FreeBSD takes an inbound packet in on an interface named in the"
                        + " address or owning its IPv4 address, and this one has neither: " + address);
            }
        } else if (hasName && !fitsSinZero(name)) {
            // The kernel has no use for an outbound packet's interface: leave out what cannot be said.
            hasName = false;
        }
        buf.setByte(offset + LEN_OFFSET, SOCKADDR_IN_SIZE);
        buf.setByte(offset + FAMILY_OFFSET, BsdAbi.AF_INET);
        buf.setShortLE(offset + PORT_OFFSET, (int) tag);
        buf.setInt(offset + SIN_ADDR_OFFSET, sinAddr);
        buf.setZero(offset + SIN_ZERO_OFFSET, SIN_ZERO_SIZE);
        if (hasName) {
            for (int i = 0; i < name.length(); i++) {
                buf.setByte(offset + SIN_ZERO_OFFSET + i, name.charAt(i));
            }
        }
        return SOCKADDR_IN_SIZE;
    }

    private static int encodeOpenBsd(BsdAbi abi, DivertAddress address, int ipVersion, ByteBuf buf, int offset) {
        if (ipVersion != 4 && ipVersion != 6) {
            throw new IllegalArgumentException("not an IPv4 or IPv6 packet: version " + ipVersion);
        }
        InetAddress interfaceAddress = null;
        if (address.isInbound()) {
            interfaceAddress = address.interfaceAddress();
            boolean fits = ipVersion == 4
                    ? interfaceAddress instanceof Inet4Address
                    : interfaceAddress instanceof Inet6Address;
            if (!fits || interfaceAddress.isAnyLocalAddress()) {
                String what = address.interfaceName() != null
                        ? "interface " + address.interfaceName() + " has none (or does not exist)"
                        : "this address has none";
                throw new IllegalArgumentException("OpenBSD takes an inbound IPv" + ipVersion + " packet in on the"
                        + " interface owning an IPv" + ipVersion + " address, and " + what + ": " + address);
            }
        }
        if (ipVersion == 4) {
            buf.setByte(offset + LEN_OFFSET, SOCKADDR_IN_SIZE);
            buf.setByte(offset + FAMILY_OFFSET, BsdAbi.AF_INET);
            buf.setShort(offset + PORT_OFFSET, 0);
            buf.setInt(offset + SIN_ADDR_OFFSET, interfaceAddress == null ? 0 : toInt(interfaceAddress.getAddress()));
            buf.setZero(offset + SIN_ZERO_OFFSET, SIN_ZERO_SIZE);
            return SOCKADDR_IN_SIZE;
        }
        buf.setZero(offset, SOCKADDR_IN6_SIZE);
        buf.setByte(offset + LEN_OFFSET, SOCKADDR_IN6_SIZE);
        buf.setByte(offset + FAMILY_OFFSET, abi.afInet6);
        if (interfaceAddress != null) {
            byte[] bytes = interfaceAddress.getAddress();
            int scopeId = ((Inet6Address) interfaceAddress).getScopeId();
            if (scopeId != 0 && embedsScope(bytes)) {
                // divert6_output looks the address up as given, and the kernel stores scoped
                // addresses with the index in bytes 2-3 and sin6_scope_id 0.
                if (scopeId > 0xFFFF) {
                    throw new IllegalArgumentException(
                            "OpenBSD embeds an IPv6 scope in 16 bits, and " + scopeId + " is more: " + address);
                }
                bytes[2] = (byte) (scopeId >>> 8);
                bytes[3] = (byte) scopeId;
            }
            // sin6_scope_id stays 0, as in the addresses the kernel itself holds and reports.
            buf.setBytes(offset + SIN6_ADDR_OFFSET, bytes);
        }
        return SOCKADDR_IN6_SIZE;
    }

    /**
     * Whether the KAME stack of OpenBSD embeds the scope of {@code a} in bytes 2-3: link-local
     * unicast (fe80::/10) and interface- or link-local multicast (ff01::/16, ff02::/16), as its
     * {@code IN6_IS_SCOPE_EMBED} says.
     */
    static boolean embedsScope(byte[] a) {
        if ((a[0] & 0xFF) == 0xFE && (a[1] & 0xC0) == 0x80) {
            return true;
        }
        return (a[0] & 0xFF) == 0xFF && ((a[1] & 0x0F) == 0x01 || (a[1] & 0x0F) == 0x02);
    }

    /**
     * Writes the address to bind a divert socket of {@code family} (AF_INET, or on OpenBSD its
     * AF_INET6) to {@code port}, and returns its length. The port is in network byte order here,
     * unlike the rule number of a FreeBSD read address.
     */
    static int encodeBind(BsdAbi abi, int family, int port, ByteBuf buf, int offset) {
        if (family == BsdAbi.AF_INET) {
            buf.setZero(offset, SOCKADDR_IN_SIZE);
            buf.setByte(offset + LEN_OFFSET, SOCKADDR_IN_SIZE);
            buf.setByte(offset + FAMILY_OFFSET, BsdAbi.AF_INET);
            buf.setShort(offset + PORT_OFFSET, port);
            return SOCKADDR_IN_SIZE;
        }
        if (abi == BsdAbi.OPENBSD && family == abi.afInet6) {
            buf.setZero(offset, SOCKADDR_IN6_SIZE);
            buf.setByte(offset + LEN_OFFSET, SOCKADDR_IN6_SIZE);
            buf.setByte(offset + FAMILY_OFFSET, abi.afInet6);
            buf.setShort(offset + PORT_OFFSET, port);
            return SOCKADDR_IN6_SIZE;
        }
        throw new IllegalArgumentException("no " + abi + " divert socket of family " + family);
    }

    /** Throws unless {@code name} fits FreeBSD's {@code sin_zero}: 1 to 7 ASCII characters. */
    static void checkInterfaceName(String name) {
        if (!fitsSinZero(name)) {
            throw new IllegalArgumentException("FreeBSD names the interface of an inbound packet in at most "
                    + MAX_INTERFACE_NAME_LENGTH + " ASCII characters, which '" + name + "' is not");
        }
    }

    private static boolean fitsSinZero(String name) {
        if (name.isEmpty() || name.length() > MAX_INTERFACE_NAME_LENGTH) {
            return false;
        }
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            if (c == 0 || c > 0x7F) {
                return false;
            }
        }
        return true;
    }

    private static boolean isZero(ByteBuf buf, int at, int length) {
        for (int i = 0; i < length; i++) {
            if (buf.getByte(at + i) != 0) {
                return false;
            }
        }
        return true;
    }

    private static int toInt(byte[] a) {
        return (a[0] & 0xFF) << 24 | (a[1] & 0xFF) << 16 | (a[2] & 0xFF) << 8 | (a[3] & 0xFF);
    }

    private static InetAddress inet4(int address) {
        byte[] bytes = {(byte) (address >>> 24), (byte) (address >>> 16), (byte) (address >>> 8), (byte) address};
        try {
            return InetAddress.getByAddress(bytes);
        } catch (UnknownHostException e) {
            throw new AssertionError(e); // only thrown for a wrong length
        }
    }

    private static InetAddress inet6(byte[] bytes, int scopeId) {
        try {
            return scopeId == 0 ? InetAddress.getByAddress(bytes) : Inet6Address.getByAddress(null, bytes, scopeId);
        } catch (UnknownHostException e) {
            throw new AssertionError(e); // only thrown for a wrong length
        }
    }
}
