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

import java.net.InetAddress;
import java.util.Objects;
import org.nettydivert.transport.DivertAddress;
import org.nettydivert.transport.DivertPacket;

/**
 * Which packets an impairment handler impairs; the others pass it untouched. A lambda is a
 * selector ({@code p -> p.content().readableBytes() > 1000}); the factories read the IP and
 * transport headers at the content's reader index, and combine with {@link #and}, {@link #or}
 * and {@link #negate}:
 *
 * <pre>{@code
 * FlowSelector.udp().and(FlowSelector.destinationPort(9000))
 * }</pre>
 *
 * <p>A selector reads the packet and must not change it or its reference count. Packets that are
 * not IP datagrams, and later fragments (which carry no ports), match no port selector.
 */
@FunctionalInterface
public interface FlowSelector {
    /**
     * Whether {@code packet} is to be impaired.
     *
     * @param packet a packet the handler read; the selector neither keeps nor releases it
     * @return true to impair it, false to pass it on as it is
     */
    boolean test(DivertPacket packet);

    /** Every packet. */
    static FlowSelector all() {
        return packet -> true;
    }

    /** Packets whose transport protocol (IPv4 protocol, IPv6 next header after extension headers) is {@code protocol}. */
    static FlowSelector protocol(int protocol) {
        if (protocol < 0 || protocol > 255) {
            throw new IllegalArgumentException("protocol " + protocol + " is outside 0..255");
        }
        return packet -> IpHeaders.protocol(packet.content()) == protocol;
    }

    /** UDP datagrams. */
    static FlowSelector udp() {
        return protocol(IpHeaders.UDP);
    }

    /** TCP segments. */
    static FlowSelector tcp() {
        return protocol(IpHeaders.TCP);
    }

    /** Packets to port {@code port} (TCP, UDP, SCTP, DCCP, UDP-Lite). */
    static FlowSelector destinationPort(int port) {
        checkPort(port);
        return packet -> IpHeaders.port(packet.content(), 2) == port;
    }

    /** Packets from port {@code port} (TCP, UDP, SCTP, DCCP, UDP-Lite). */
    static FlowSelector sourcePort(int port) {
        checkPort(port);
        return packet -> IpHeaders.port(packet.content(), 0) == port;
    }

    /** Packets from or to port {@code port}: both directions of a flow with that port. */
    static FlowSelector port(int port) {
        return sourcePort(port).or(destinationPort(port));
    }

    /** Packets whose IP source address is {@code address}. */
    static FlowSelector source(InetAddress address) {
        byte[] bytes = address.getAddress();
        return packet -> IpHeaders.addressIs(packet.content(), false, bytes);
    }

    /** Packets whose IP destination address is {@code address}. */
    static FlowSelector destination(InetAddress address) {
        byte[] bytes = address.getAddress();
        return packet -> IpHeaders.addressIs(packet.content(), true, bytes);
    }

    /** Packets from or to {@code address}. */
    static FlowSelector address(InetAddress address) {
        return source(address).or(destination(address));
    }

    /** Packets diverted in {@code direction} ({@link DivertAddress#direction()}). */
    static FlowSelector direction(DivertAddress.Direction direction) {
        Objects.requireNonNull(direction, "direction");
        return packet -> packet.address() != null && packet.address().direction() == direction;
    }

    /** Packets both selectors select; {@code other} is not asked when this one says no. */
    default FlowSelector and(FlowSelector other) {
        Objects.requireNonNull(other, "other");
        return packet -> test(packet) && other.test(packet);
    }

    /** Packets either selector selects; {@code other} is not asked when this one says yes. */
    default FlowSelector or(FlowSelector other) {
        Objects.requireNonNull(other, "other");
        return packet -> test(packet) || other.test(packet);
    }

    /** Packets this selector does not select. */
    default FlowSelector negate() {
        return packet -> !test(packet);
    }

    private static void checkPort(int port) {
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("port " + port + " is outside 0..65535");
        }
    }
}
