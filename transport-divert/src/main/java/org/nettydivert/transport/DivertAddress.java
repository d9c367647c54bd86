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

import java.net.InetAddress;
import java.net.SocketAddress;
import java.util.Objects;

/**
 * Where a diverted packet came from and where it goes back to.
 *
 * <p>Three kinds of address exist:
 *
 * <ul>
 *   <li><b>Bind addresses</b>, {@link #port(int)}: the divert port to bind (on Linux the NFQUEUE
 *       number). They have no direction and no tag.
 *   <li><b>Read addresses</b>, made by the channel for every packet it reads: the divert port,
 *       the {@linkplain #direction() direction}, the interface where known, and the {@linkplain
 *       #tag() tag} that lets the kernel resume processing where it left the packet. Writing a
 *       packet with its read address puts it back where it came from.
 *   <li><b>Injection addresses</b>, {@link #outbound()}, {@link #inbound(String)} and {@link
 *       #inbound(InetAddress)}: no tag, so writing with them sends a new packet into the stack.
 * </ul>
 *
 * <p>Instances are immutable.
 */
public final class DivertAddress extends SocketAddress {
    private static final long serialVersionUID = 1L;

    /** The {@link #tag()} of an address that carries none: bind and injection addresses. */
    public static final long NO_TAG = -1;

    /** The {@link #port()} of an injection address: the packet goes out through the writing channel. */
    public static final int ANY_PORT = -1;

    private static final int MAX_PORT = 65535;
    private static final DivertAddress OUTBOUND =
            new DivertAddress(ANY_PORT, Direction.OUTBOUND, null, null, NO_TAG, 0);

    /** Which way a packet was travelling when it was diverted. */
    public enum Direction {
        /** Arriving at this host (or being forwarded through it, on Linux). */
        INBOUND,
        /** Leaving this host. */
        OUTBOUND
    }

    private final int port;
    private final Direction direction;
    private final String interfaceName;
    private final InetAddress interfaceAddress;
    private final long tag;
    private final int mark;

    /**
     * Creates a read address; the channel uses this for every packet it reads. Tests and offline
     * replay use it to make packets that look read from a kernel.
     *
     * @param port the divert port (NFQUEUE number on Linux), 0 to 65535, or {@link #ANY_PORT}
     * @param direction the direction, never {@code null}
     * @param interfaceName the interface name, or {@code null} where unknown
     * @param interfaceAddress the interface address, or {@code null} where unknown
     * @param tag the kernel's resume tag (see {@link #tag()}), or {@link #NO_TAG}
     * @param mark the Linux packet mark, 0 elsewhere
     */
    public DivertAddress(
            int port, Direction direction, String interfaceName, InetAddress interfaceAddress, long tag, int mark) {
        if (port != ANY_PORT && (port < 0 || port > MAX_PORT)) {
            throw new IllegalArgumentException("divert port must be 0.." + MAX_PORT + ": " + port);
        }
        if (tag < NO_TAG || tag > 0xFFFF_FFFFL) {
            throw new IllegalArgumentException("tag must be a 32-bit unsigned value or NO_TAG: " + tag);
        }
        this.port = port;
        this.direction = Objects.requireNonNull(direction, "direction");
        this.interfaceName = interfaceName;
        this.interfaceAddress = interfaceAddress;
        this.tag = tag;
        this.mark = mark;
    }

    private DivertAddress(int port) {
        if (port < 0 || port > MAX_PORT) {
            throw new IllegalArgumentException("divert port must be 0.." + MAX_PORT + ": " + port);
        }
        this.port = port;
        this.direction = null;
        this.interfaceName = null;
        this.interfaceAddress = null;
        this.tag = NO_TAG;
        this.mark = 0;
    }

    /**
     * The address to bind a {@link DivertChannel} to: the divert port named in the firewall rule
     * (ipfw {@code divert PORT}, pf {@code divert-packet port PORT}), or on Linux the NFQUEUE
     * number ({@code -j NFQUEUE --queue-num PORT}).
     */
    public static DivertAddress port(int port) {
        return new DivertAddress(port);
    }

    /** An injection address: the packet written with it is sent out as if this host had sent it. */
    public static DivertAddress outbound() {
        return OUTBOUND;
    }

    /**
     * An injection address: the packet written with it is received on the named interface, as if
     * it had arrived there. Not supported on Linux, where the write fails.
     */
    public static DivertAddress inbound(String interfaceName) {
        Objects.requireNonNull(interfaceName, "interfaceName");
        return new DivertAddress(ANY_PORT, Direction.INBOUND, interfaceName, null, NO_TAG, 0);
    }

    /**
     * An injection address: the packet written with it is received on the interface that owns
     * {@code interfaceAddress}. Not supported on Linux, where the write fails.
     */
    public static DivertAddress inbound(InetAddress interfaceAddress) {
        Objects.requireNonNull(interfaceAddress, "interfaceAddress");
        return new DivertAddress(ANY_PORT, Direction.INBOUND, null, interfaceAddress, NO_TAG, 0);
    }

    /** The divert port (Linux: NFQUEUE number), or {@link #ANY_PORT} for injection addresses. */
    public int port() {
        return port;
    }

    /**
     * The direction, or {@code null} for a bind address.
     *
     * <p>FreeBSD says "inbound" by giving the receiving interface's IPv4 address, so an inbound
     * IPv6 packet on an interface without an IPv4 address reads as {@link Direction#OUTBOUND}
     * ("XXX: broken for IPv6" in the kernel's {@code ip_divert.c}); written back with that
     * address it would be sent out rather than taken in. Where that matters, give such
     * interfaces an IPv4 address, or divert IPv6 with rules that say the direction ({@code in} /
     * {@code out} in ipfw) on ports of their own.
     */
    public Direction direction() {
        return direction;
    }

    /** Shorthand for {@code direction() == Direction.INBOUND}. */
    public boolean isInbound() {
        return direction == Direction.INBOUND;
    }

    /**
     * The interface name, or {@code null} where the kernel did not say. Linux: the interface the
     * packet arrived on (inbound) or leaves through (outbound). FreeBSD: the interface the packet
     * <em>arrived</em> on, in either direction: a forwarded packet read as outbound names its
     * receiving interface, and a locally generated one has none (the kernel does not say where
     * it leaves). FreeBSD cuts names to 7 characters ({@code sin_zero} holds 8 bytes with the
     * terminating NUL), so a longer name reads cut short. OpenBSD gives no name, only {@link
     * #interfaceAddress()}.
     */
    public String interfaceName() {
        return interfaceName;
    }

    /**
     * An address of that interface, or {@code null}. FreeBSD: the first IPv4 address of the
     * receiving interface for inbound packets; Linux: the first address of the interface.
     */
    public InetAddress interfaceAddress() {
        return interfaceAddress;
    }

    /**
     * The opaque value that resumes the kernel's processing of this packet: the ipfw rule number
     * on FreeBSD, the NFQUEUE packet id on Linux, 0 on OpenBSD; {@link #NO_TAG} for bind and
     * injection addresses.
     */
    public long tag() {
        return tag;
    }

    /** Whether this address carries a {@link #tag()}, i.e. writing with it reinjects a read packet. */
    public boolean hasTag() {
        return tag != NO_TAG;
    }

    /**
     * The Linux packet mark (netfilter {@code skb->mark}); 0 elsewhere. Writing a packet back with
     * a different mark ({@link #withMark(int)}) sets the packet's mark in the verdict.
     */
    public int mark() {
        return mark;
    }

    /** A copy of this address with another mark. */
    public DivertAddress withMark(int mark) {
        if (direction == null) {
            throw new IllegalStateException("a bind address has no mark");
        }
        return mark == this.mark
                ? this
                : new DivertAddress(port, direction, interfaceName, interfaceAddress, tag, mark);
    }

    @Override
    public boolean equals(Object o) {
        if (this == o) {
            return true;
        }
        if (!(o instanceof DivertAddress)) {
            return false;
        }
        DivertAddress that = (DivertAddress) o;
        return port == that.port
                && tag == that.tag
                && mark == that.mark
                && direction == that.direction
                && Objects.equals(interfaceName, that.interfaceName)
                && Objects.equals(interfaceAddress, that.interfaceAddress);
    }

    @Override
    public int hashCode() {
        return Objects.hash(port, direction, interfaceName, interfaceAddress, tag, mark);
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder("DivertAddress(");
        if (direction == null) {
            return sb.append("port ").append(port).append(')').toString();
        }
        sb.append(direction);
        if (port != ANY_PORT) {
            sb.append(", port ").append(port);
        }
        if (interfaceName != null) {
            sb.append(", ").append(interfaceName);
        }
        if (interfaceAddress != null) {
            sb.append(", ").append(interfaceAddress.getHostAddress());
        }
        if (tag != NO_TAG) {
            sb.append(", tag ").append(tag);
        }
        if (mark != 0) {
            sb.append(", mark 0x").append(Integer.toHexString(mark));
        }
        return sb.append(')').toString();
    }
}
