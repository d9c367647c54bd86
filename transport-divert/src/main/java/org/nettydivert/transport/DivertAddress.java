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
import java.util.BitSet;
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
 * <p>A read address also says what becomes of the packet when it is written back with it: its
 * {@linkplain #verdict() verdict}, {@linkplain #mark() mark} and {@linkplain #connmark()
 * connmark}. The default is {@link Verdict#ACCEPT} with the packet's own mark; {@link
 * #repeat(int)}, {@link #handOff(int)} and {@link #withConnmark(int)} make copies that ask for
 * more, so that a handler decides a packet's fate by what it writes:
 *
 * <pre>{@code
 * ctx.write(packet.withAddress(packet.address().repeat(0x10))); // through the rules again, marked
 * ctx.write(packet.withAddress(packet.address().handOff(9)));   // to the program on queue 9
 * ctx.write(packet.withAddress(packet.address().withConnmark(5))); // and mark its connection
 * }</pre>
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

    /** The {@link #connmark()} of an address that sets none. */
    public static final long NO_CONNMARK = -1;

    /**
     * What the kernel does with a read packet written back: the verdict sent with it. Only Linux
     * has verdicts other than {@link #ACCEPT}; a BSD channel refuses the others at write time.
     */
    public enum Verdict {
        /**
         * The packet goes on from the rule after the one that diverted it. On every system;
         * NF_ACCEPT on Linux.
         */
        ACCEPT,
        /**
         * Linux only (NF_REPEAT): the packet goes through the same netfilter hook again, from its
         * first rule, so it is usually written with a new {@linkplain #mark() mark} that a rule
         * can tell apart, or it comes straight back to this queue. The nearest BSD equivalent is
         * FreeBSD's tag: writing with another tag resumes at that ipfw rule number.
         */
        REPEAT,
        /**
         * Linux only (NF_QUEUE with a queue number): the packet is handed to the program reading
         * NFQUEUE {@link #handOffQueue()}, and dropped if none does.
         */
        HAND_OFF
    }

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
    private final Verdict verdict;
    private final int handOffQueue;
    private final long connmark;
    // Conntrack labels to add with the verdict: bits 0..63 and 64..127.
    private final long connlabelsLow;
    private final long connlabelsHigh;

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
        this(port, direction, interfaceName, interfaceAddress, tag, mark, Verdict.ACCEPT, ANY_PORT, NO_CONNMARK, 0, 0);
    }

    private DivertAddress(
            int port,
            Direction direction,
            String interfaceName,
            InetAddress interfaceAddress,
            long tag,
            int mark,
            Verdict verdict,
            int handOffQueue,
            long connmark,
            long connlabelsLow,
            long connlabelsHigh) {
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
        this.verdict = verdict;
        this.handOffQueue = handOffQueue;
        this.connmark = connmark;
        this.connlabelsLow = connlabelsLow;
        this.connlabelsHigh = connlabelsHigh;
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
        this.verdict = Verdict.ACCEPT;
        this.handOffQueue = ANY_PORT;
        this.connmark = NO_CONNMARK;
        this.connlabelsLow = 0;
        this.connlabelsHigh = 0;
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

    /**
     * A copy of this address with another mark.
     *
     * @param mark the netfilter mark the verdict sets (Linux); the whole 32 bits
     * @return this address when the mark is the same, else a copy
     * @throws IllegalStateException for a bind address, which has no packet to mark
     */
    public DivertAddress withMark(int mark) {
        if (direction == null) {
            throw new IllegalStateException("a bind address has no mark");
        }
        return withVerdictPart(mark, verdict, handOffQueue, connmark, connlabelsLow, connlabelsHigh);
    }

    /** What the kernel does with the packet written back with this address; {@link Verdict#ACCEPT} unless asked. */
    public Verdict verdict() {
        return verdict;
    }

    /** The queue a {@link Verdict#HAND_OFF} hands the packet to, or {@link #ANY_PORT} for other verdicts. */
    public int handOffQueue() {
        return handOffQueue;
    }

    /**
     * The connection mark (netfilter {@code ct->mark}) to set with the verdict, 0 to 0xFFFFFFFF,
     * or {@link #NO_CONNMARK} to leave it. Linux only.
     */
    public long connmark() {
        return connmark;
    }

    /** Whether writing with this address sets the connection mark. */
    public boolean hasConnmark() {
        return connmark != NO_CONNMARK;
    }

    /**
     * A copy of this read address whose packet, written back, goes through its netfilter hook
     * again (NF_REPEAT), with its mark as it is. Linux only; see {@link Verdict#REPEAT}.
     *
     * @return the copy
     * @throws IllegalStateException if this is not a read address
     */
    public DivertAddress repeat() {
        return withVerdict(Verdict.REPEAT, ANY_PORT);
    }

    /**
     * A copy of this read address whose packet, written back, goes through its netfilter hook
     * again with mark {@code mark}, so that a rule can match it ({@code -m mark --mark}) and not
     * divert it to this queue again.
     *
     * @param mark the packet's new mark
     * @return the copy
     * @throws IllegalStateException if this is not a read address
     */
    public DivertAddress repeat(int mark) {
        return withMark(mark).repeat();
    }

    /**
     * A copy of this read address whose packet, written back, is handed to the program reading
     * NFQUEUE {@code queue} (NF_QUEUE verdict with that queue number) and dropped if none does.
     * Linux only.
     *
     * @param queue the queue number, 0 to 65535
     * @return the copy
     * @throws IllegalStateException if this is not a read address
     */
    public DivertAddress handOff(int queue) {
        if (queue < 0 || queue > MAX_PORT) {
            throw new IllegalArgumentException("queue must be 0.." + MAX_PORT + ": " + queue);
        }
        return withVerdict(Verdict.HAND_OFF, queue);
    }

    /**
     * A copy of this read address with the plain {@link Verdict#ACCEPT}, what a read address has
     * unless changed.
     *
     * @return the copy
     */
    public DivertAddress accept() {
        return withVerdict(Verdict.ACCEPT, ANY_PORT);
    }

    private DivertAddress withVerdict(Verdict verdict, int handOffQueue) {
        if (!hasTag()) {
            throw new IllegalStateException("only a read address, one with a tag, has a verdict: " + this);
        }
        return withVerdictPart(mark, verdict, handOffQueue, connmark, connlabelsLow, connlabelsHigh);
    }

    /**
     * A copy of this read address that also sets the connection mark of the packet's conntrack
     * entry ({@code -m connmark --mark} matches it on the connection's later packets). Nothing
     * happens to a packet without a conntrack entry, or when the kernel lacks the
     * nf_conntrack_netlink module. Linux only.
     *
     * @param connmark the connection mark, any 32 bits
     * @return the copy
     * @throws IllegalStateException if this is not a read address
     */
    public DivertAddress withConnmark(int connmark) {
        if (!hasTag()) {
            throw new IllegalStateException("only a read address, one with a tag, can set a connmark: " + this);
        }
        return withVerdictPart(mark, verdict, handOffQueue, connmark & 0xFFFF_FFFFL, connlabelsLow, connlabelsHigh);
    }

    /**
     * A copy of this read address that also adds conntrack labels to the packet's connection
     * (labels {@code 0..127}, as {@code -m connlabel --label N} and {@code connlabel.conf} number
     * them); labels it has already stay. As with {@link #withConnmark}, the kernel needs
     * CONFIG_NETFILTER_NETLINK_GLUE_CT and a conntrack entry, and the connection must have room
     * for labels, which it has only while some rule of the namespace uses the connlabel match.
     * Linux only.
     *
     * @param labels the label numbers to add, each 0 to 127
     * @return the copy
     * @throws IllegalStateException if this is not a read address
     */
    public DivertAddress withConnlabels(int... labels) {
        if (!hasTag()) {
            throw new IllegalStateException("only a read address, one with a tag, can set connlabels: " + this);
        }
        long low = connlabelsLow;
        long high = connlabelsHigh;
        for (int label : labels) {
            if (label < 0 || label > 127) {
                throw new IllegalArgumentException("a conntrack label is 0..127: " + label);
            }
            if (label < 64) {
                low |= 1L << label;
            } else {
                high |= 1L << (label - 64);
            }
        }
        return withVerdictPart(mark, verdict, handOffQueue, connmark, low, high);
    }

    /**
     * This address with what the verdict carries changed, and what names the packet (port,
     * direction, interface, tag) kept; itself when nothing changes, as the withers promise.
     */
    private DivertAddress withVerdictPart(
            int mark, Verdict verdict, int handOffQueue, long connmark, long connlabelsLow, long connlabelsHigh) {
        if (mark == this.mark
                && verdict == this.verdict
                && handOffQueue == this.handOffQueue
                && connmark == this.connmark
                && connlabelsLow == this.connlabelsLow
                && connlabelsHigh == this.connlabelsHigh) {
            return this;
        }
        return new DivertAddress(
                port,
                direction,
                interfaceName,
                interfaceAddress,
                tag,
                mark,
                verdict,
                handOffQueue,
                connmark,
                connlabelsLow,
                connlabelsHigh);
    }

    /** The conntrack labels {@link #withConnlabels} adds, as a new set; empty if none. */
    public BitSet connlabels() {
        return BitSet.valueOf(new long[] {connlabelsLow, connlabelsHigh});
    }

    /** Whether writing with this address adds conntrack labels. */
    public boolean hasConnlabels() {
        return (connlabelsLow | connlabelsHigh) != 0;
    }

    /**
     * Whether writing with this address asks for more than the plain accept a read address has:
     * another verdict, a connmark or connlabels.
     */
    public boolean hasVerdictOptions() {
        return verdict != Verdict.ACCEPT || connmark != NO_CONNMARK || hasConnlabels();
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
                && verdict == that.verdict
                && handOffQueue == that.handOffQueue
                && connmark == that.connmark
                && connlabelsLow == that.connlabelsLow
                && connlabelsHigh == that.connlabelsHigh
                && direction == that.direction
                && Objects.equals(interfaceName, that.interfaceName)
                && Objects.equals(interfaceAddress, that.interfaceAddress);
    }

    @Override
    public int hashCode() {
        return Objects.hash(
                port,
                direction,
                interfaceName,
                interfaceAddress,
                tag,
                mark,
                verdict,
                handOffQueue,
                connmark,
                connlabelsLow,
                connlabelsHigh);
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
        if (verdict == Verdict.REPEAT) {
            sb.append(", repeat");
        } else if (verdict == Verdict.HAND_OFF) {
            sb.append(", hand off to ").append(handOffQueue);
        }
        if (connmark != NO_CONNMARK) {
            sb.append(", connmark 0x").append(Long.toHexString(connmark));
        }
        if (hasConnlabels()) {
            sb.append(", connlabels ").append(connlabels());
        }
        return sb.append(')').toString();
    }
}
