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
package org.nettydivert.testkit;

import java.util.Objects;

/**
 * One diversion rule as data: which packets go to which divert port. The kit renders it for the
 * machine it runs on (iptables or nft on Linux, ipfw on FreeBSD, a pf anchor on OpenBSD), so one
 * test reads the same everywhere.
 *
 * <pre>{@code
 * DivertRule.udp().toPort(53).outbound().divertTo(7)   // DNS queries leaving the host
 * DivertRule.tcp().forwarded().divertTo(8)             // TCP routed through the host
 * }</pre>
 *
 * <p>Rules leave alone the packets a channel injects itself (on Linux those carrying the channel's
 * inject mark, {@value #DEFAULT_INJECT_MARK} unless changed; on FreeBSD {@code not diverted}), so
 * that an injected packet is not diverted again. Instances are immutable; each method returns a
 * changed copy.
 */
public final class DivertRule {
    /** The inject mark a channel uses unless told otherwise ({@code DivertChannelOption.INJECT_MARK}). */
    public static final int DEFAULT_INJECT_MARK = 0x4456;

    /** The transport protocol a rule matches. */
    public enum Protocol {
        /** Any protocol. */
        ANY,
        /** UDP. */
        UDP,
        /** TCP. */
        TCP,
        /** ICMP (ICMPv6 for IPv6). */
        ICMP
    }

    /** Where in the host's path a rule catches packets. */
    public enum Direction {
        /** Packets the host sends (iptables OUTPUT, ipfw {@code out}, pf {@code pass out}). */
        OUTBOUND,
        /** Packets addressed to the host (iptables INPUT, ipfw {@code in}, pf {@code pass in}). */
        INBOUND,
        /** Packets the host routes from one interface to another (iptables FORWARD). */
        FORWARDED
    }

    /** The address families a rule applies to. */
    public enum Family {
        /** IPv4 only. */
        IPV4,
        /** IPv6 only. */
        IPV6,
        /** Both. */
        BOTH
    }

    private final Protocol protocol;
    private final Direction direction;
    private final Family family;
    private final int sourcePort;
    private final int destinationPort;
    private final int divertPort;
    private final int balanceTo;
    private final boolean bypass;
    private final int injectMark;

    private DivertRule(
            Protocol protocol,
            Direction direction,
            Family family,
            int sourcePort,
            int destinationPort,
            int divertPort,
            int balanceTo,
            boolean bypass,
            int injectMark) {
        this.protocol = protocol;
        this.direction = direction;
        this.family = family;
        this.sourcePort = sourcePort;
        this.destinationPort = destinationPort;
        this.divertPort = divertPort;
        this.balanceTo = balanceTo;
        this.bypass = bypass;
        this.injectMark = injectMark;
    }

    /** A rule for UDP, outbound, both families, not yet given a divert port. */
    public static DivertRule udp() {
        return of(Protocol.UDP);
    }

    /** A rule for TCP, outbound, both families, not yet given a divert port. */
    public static DivertRule tcp() {
        return of(Protocol.TCP);
    }

    /** A rule for ICMP, outbound, both families, not yet given a divert port. */
    public static DivertRule icmp() {
        return of(Protocol.ICMP);
    }

    /** A rule for every protocol, outbound, both families, not yet given a divert port. */
    public static DivertRule anyProtocol() {
        return of(Protocol.ANY);
    }

    private static DivertRule of(Protocol protocol) {
        return new DivertRule(protocol, Direction.OUTBOUND, Family.BOTH, 0, 0, -1, -1, false, DEFAULT_INJECT_MARK);
    }

    /** Packets to {@code port} (UDP and TCP only). */
    public DivertRule toPort(int port) {
        return new DivertRule(
                protocol, direction, family, sourcePort, checkPort(port), divertPort, balanceTo, bypass, injectMark);
    }

    /** Packets from {@code port} (UDP and TCP only). */
    public DivertRule fromPort(int port) {
        return new DivertRule(
                protocol,
                direction,
                family,
                checkPort(port),
                destinationPort,
                divertPort,
                balanceTo,
                bypass,
                injectMark);
    }

    /** Packets the host sends (the default). */
    public DivertRule outbound() {
        return in(Direction.OUTBOUND);
    }

    /** Packets addressed to the host. */
    public DivertRule inbound() {
        return in(Direction.INBOUND);
    }

    /** Packets the host forwards. */
    public DivertRule forwarded() {
        return in(Direction.FORWARDED);
    }

    private DivertRule in(Direction newDirection) {
        return new DivertRule(
                protocol, newDirection, family, sourcePort, destinationPort, divertPort, balanceTo, bypass, injectMark);
    }

    /** IPv4 packets only. */
    public DivertRule ipv4Only() {
        return family(Family.IPV4);
    }

    /** IPv6 packets only. */
    public DivertRule ipv6Only() {
        return family(Family.IPV6);
    }

    private DivertRule family(Family newFamily) {
        return new DivertRule(
                protocol, direction, newFamily, sourcePort, destinationPort, divertPort, balanceTo, bypass, injectMark);
    }

    /** Sends matching packets to divert port (NFQUEUE queue number) {@code port}. */
    public DivertRule divertTo(int port) {
        return new DivertRule(
                protocol,
                direction,
                family,
                sourcePort,
                destinationPort,
                checkDivertPort(port),
                -1,
                bypass,
                injectMark);
    }

    /**
     * Spreads matching packets over divert ports {@code first..last}, by flow (Linux {@code
     * --queue-balance}; other systems refuse it when the rule is installed).
     */
    public DivertRule balance(int first, int last) {
        if (last <= first) {
            throw new IllegalArgumentException(
                    "balance " + first + ":" + last + ": the last port must be above the first");
        }
        return new DivertRule(
                protocol,
                direction,
                family,
                sourcePort,
                destinationPort,
                checkDivertPort(first),
                checkDivertPort(last),
                bypass,
                injectMark);
    }

    /**
     * Lets packets pass when no channel is bound to the port (Linux {@code --queue-bypass});
     * without it they are dropped (fail closed), which is what FreeBSD and OpenBSD always do.
     */
    public DivertRule bypassWhenUnbound() {
        return new DivertRule(
                protocol, direction, family, sourcePort, destinationPort, divertPort, balanceTo, true, injectMark);
    }

    /** The inject mark the channels use, when it is not {@link #DEFAULT_INJECT_MARK} (Linux). */
    public DivertRule injectMark(int mark) {
        if (mark == 0) {
            throw new IllegalArgumentException("inject mark 0 matches every unmarked packet: choose a nonzero mark");
        }
        return new DivertRule(
                protocol, direction, family, sourcePort, destinationPort, divertPort, balanceTo, bypass, mark);
    }

    /** The protocol. */
    public Protocol protocol() {
        return protocol;
    }

    /** The direction. */
    public Direction direction() {
        return direction;
    }

    /** The address families. */
    public Family family() {
        return family;
    }

    /** The source port matched, or 0 for any. */
    public int sourcePort() {
        return sourcePort;
    }

    /** The destination port matched, or 0 for any. */
    public int destinationPort() {
        return destinationPort;
    }

    /**
     * The divert port (the first of a balanced range).
     *
     * @throws IllegalStateException when the rule was never given one
     */
    public int divertPort() {
        if (divertPort < 0) {
            throw new IllegalStateException(this + " has no divert port: call divertTo(port)");
        }
        return divertPort;
    }

    /** The last port of a balanced range, or -1 when the rule diverts to one port. */
    public int balanceTo() {
        return balanceTo;
    }

    /** Whether packets pass when no channel is bound. */
    public boolean bypassWhenUnboundSet() {
        return bypass;
    }

    /** The inject mark the rule leaves alone (Linux). */
    public int injectMark() {
        return injectMark;
    }

    /** Whether the rule matches ports, which only UDP and TCP have. */
    public boolean hasPorts() {
        return sourcePort != 0 || destinationPort != 0;
    }

    private int checkPort(int port) {
        if (protocol != Protocol.UDP && protocol != Protocol.TCP) {
            throw new IllegalArgumentException(protocol + " has no ports: use udp() or tcp()");
        }
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException("port " + port + " is outside 1..65535");
        }
        return port;
    }

    private static int checkDivertPort(int port) {
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("divert port " + port + " is outside 0..65535");
        }
        return port;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof DivertRule r
                && protocol == r.protocol
                && direction == r.direction
                && family == r.family
                && sourcePort == r.sourcePort
                && destinationPort == r.destinationPort
                && divertPort == r.divertPort
                && balanceTo == r.balanceTo
                && bypass == r.bypass
                && injectMark == r.injectMark;
    }

    @Override
    public int hashCode() {
        return Objects.hash(
                protocol, direction, family, sourcePort, destinationPort, divertPort, balanceTo, bypass, injectMark);
    }

    @Override
    public String toString() {
        StringBuilder s =
                new StringBuilder("DivertRule[").append(protocol).append(' ').append(direction);
        if (family != Family.BOTH) {
            s.append(' ').append(family);
        }
        if (sourcePort != 0) {
            s.append(" from port ").append(sourcePort);
        }
        if (destinationPort != 0) {
            s.append(" to port ").append(destinationPort);
        }
        s.append(" -> ");
        s.append(divertPort < 0 ? "?" : String.valueOf(divertPort));
        if (balanceTo >= 0) {
            s.append("..").append(balanceTo);
        }
        if (bypass) {
            s.append(" bypass");
        }
        return s.append(']').toString();
    }
}
