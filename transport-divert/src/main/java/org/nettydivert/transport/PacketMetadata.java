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

import java.time.Instant;
import java.util.Set;

/**
 * What the kernel said about a read packet beyond where it goes: the hook, the devices, the
 * owning socket's user, the connection tracking state and more. Read only, and kept apart from
 * the {@link DivertAddress}, which is what a write needs. {@link DivertPacket#metadata()} gives
 * it.
 *
 * <p>Each field is present only when the kernel sent it; an absent field reads as the value its
 * method names (-1, 0, null or false), never as an exception. Reading costs nothing beyond the
 * packet's one metadata object: numbers are kept as read, and a name, an address or a string is
 * made only when asked for.
 *
 * <p>Linux (NFQUEUE) fills what {@code nfnetlink_queue} sends: always the hook, the input and
 * output devices, the skb priority and, where the packet has them, the bridge ports, the
 * source hardware address, the timestamp and the VLAN. The owner ({@link #uid()}, {@link
 * #gid()}), the connection tracking fields and the security context come only when asked for
 * with {@link DivertChannelOption#NFQUEUE_METADATA}. FreeBSD and OpenBSD divert sockets carry
 * none of this: their packets have {@link #NONE} (their interface and tag are in the {@link
 * DivertAddress}).
 */
public interface PacketMetadata {
    /** The metadata of a packet the kernel said nothing about (FreeBSD, OpenBSD, new packets). */
    PacketMetadata NONE = new PacketMetadata() {
        @Override
        public String toString() {
            return "PacketMetadata.NONE";
        }
    };

    /**
     * Metadata that Linux sends only when the queue asks for it, each at some cost to the kernel:
     * the values of {@link DivertChannelOption#NFQUEUE_METADATA}.
     */
    enum Extra {
        /**
         * The user and group of the local socket that sent or will receive the packet
         * (NFQA_CFG_F_UID_GID): cheap, a read lock on the socket per packet.
         */
        OWNER,
        /**
         * The connection tracking state, id, mark and status (NFQA_CFG_F_CONNTRACK). Costs a
         * conntrack dump into every packet message, and needs a kernel built with {@code
         * CONFIG_NETFILTER_NETLINK_GLUE_CT} and {@code nf_conntrack_netlink} (loaded on first use
         * where it is a module); on a kernel without, the channel logs one WARN and goes on
         * without it. Packets are tracked only where a conntrack rule or NAT loaded nf_conntrack
         * in the namespace.
         */
        CONNTRACK,
        /** The packet's security context, such as an SELinux label (NFQA_CFG_F_SECCTX). */
        SECURITY_CONTEXT;

        /** None: what a channel asks for unless told otherwise. */
        public static Set<Extra> none() {
            return Set.of();
        }
    }

    /** The netfilter hooks, in the kernel's order ({@code enum nf_inet_hooks}). */
    enum Hook {
        /** Before routing: arriving packets. */
        PRE_ROUTING,
        /** Routed to this host. */
        LOCAL_IN,
        /** Routed through this host. */
        FORWARD,
        /** Sent by this host, before routing. */
        LOCAL_OUT,
        /** After routing: leaving packets. */
        POST_ROUTING;

        private static final Hook[] VALUES = values();

        /**
         * The hook numbered {@code number}, or null if there is none of that number.
         *
         * @param number the kernel's {@code NF_INET_*} value
         * @return the hook, or null
         */
        public static Hook of(int number) {
            return number >= 0 && number < VALUES.length ? VALUES[number] : null;
        }
    }

    /**
     * How a packet relates to its connection ({@code enum ip_conntrack_info}), named as the
     * kernel names them ({@code IP_CT_NEW} is {@link #NEW}, and so on).
     */
    enum ConntrackState {
        /** {@code IP_CT_ESTABLISHED}: part of a connection that has seen packets both ways. */
        ESTABLISHED(0),
        /** {@code IP_CT_RELATED}: starts a connection related to another (an FTP data, an ICMP error). */
        RELATED(1),
        /** {@code IP_CT_NEW}: starts a new connection, or belongs to one not yet answered. */
        NEW(2),
        /** {@code IP_CT_ESTABLISHED_REPLY}: established, in the reply direction. */
        ESTABLISHED_REPLY(3),
        /** {@code IP_CT_RELATED_REPLY}: related, in the reply direction. */
        RELATED_REPLY(4);

        private static final ConntrackState[] VALUES = values();

        private final int value;

        ConntrackState(int value) {
            this.value = value;
        }

        /** The kernel's number for the state. */
        public int value() {
            return value;
        }

        /** The name the kernel gives it, such as {@code IP_CT_NEW}. */
        public String kernelName() {
            return "IP_CT_" + name();
        }

        /**
         * The state numbered {@code value}, or null if there is none of that number.
         *
         * @param value an {@code enum ip_conntrack_info} value
         * @return the state, or null
         */
        public static ConntrackState of(int value) {
            return value >= 0 && value < VALUES.length ? VALUES[value] : null;
        }
    }

    /** The hook the packet was queued from, or null if unknown. */
    default Hook hook() {
        return null;
    }

    /** The index of the device the packet came in on, or 0 if none (a locally sent packet). */
    default int inInterfaceIndex() {
        return 0;
    }

    /** The index of the device the packet goes out on, or 0 if none (not yet routed, or local). */
    default int outInterfaceIndex() {
        return 0;
    }

    /** The name of the input device, or null if none or it is gone; looked up when asked (cached). */
    default String inInterface() {
        return null;
    }

    /** The name of the output device, or null if none or it is gone; looked up when asked (cached). */
    default String outInterface() {
        return null;
    }

    /** The bridge port the packet came in on, when the input device is a bridge; else 0. */
    default int physInInterfaceIndex() {
        return 0;
    }

    /** The bridge port the packet goes out on, when the output device is a bridge; else 0. */
    default int physOutInterfaceIndex() {
        return 0;
    }

    /**
     * The source hardware address of an incoming packet (a MAC address, 6 bytes on Ethernet), a
     * new array each call, or null when the kernel sent none.
     */
    default byte[] hardwareAddress() {
        return null;
    }

    /** Whether the packet has a {@link #timestamp()}. */
    default boolean hasTimestamp() {
        return false;
    }

    /**
     * When the device received the packet (the skb timestamp), in microseconds since the epoch,
     * or -1 when the kernel sent none (the kernel stamps packets only while something asked for
     * timestamps, and never locally sent ones before they leave).
     */
    default long timestampMicros() {
        return -1;
    }

    /** {@link #timestampMicros()} as an instant (made when asked), or null if there is none. */
    default Instant timestamp() {
        long micros = timestampMicros();
        return micros < 0 ? null : Instant.ofEpochSecond(micros / 1_000_000, micros % 1_000_000 * 1000);
    }

    /** The skb priority (SO_PRIORITY, or set by a qdisc or rule), or 0 if the kernel sent none. */
    default int priority() {
        return 0;
    }

    /** The VLAN tag control information (priority, DEI, id) of a tagged packet, or -1. */
    default int vlanTci() {
        return -1;
    }

    /** The VLAN id (the low 12 bits of {@link #vlanTci()}), or -1 if the packet had no VLAN tag. */
    default int vlanId() {
        int tci = vlanTci();
        return tci < 0 ? -1 : tci & 0xFFF;
    }

    /** The VLAN protocol (0x8100, or 0x88A8 for 802.1ad), or 0 if the packet had no VLAN tag. */
    default int vlanProtocol() {
        return 0;
    }

    /**
     * The user id owning the local socket the packet belongs to, or -1 when unknown: not asked
     * for ({@link Extra#OWNER}), or no local socket (forwarded packets, most incoming ones
     * before the socket lookup, time-wait replies).
     */
    default long uid() {
        return -1;
    }

    /** The group id owning that socket, or -1 when unknown (see {@link #uid()}). */
    default long gid() {
        return -1;
    }

    /**
     * The packet's connection tracking state, or null when unknown: not asked for ({@link
     * Extra#CONNTRACK}), or the packet is not tracked.
     */
    default ConntrackState conntrackState() {
        return null;
    }

    /** The conntrack entry's id (CTA_ID), or -1 when unknown (see {@link #conntrackState()}). */
    default long conntrackId() {
        return -1;
    }

    /** The conntrack entry's mark (CTA_MARK; the kernel sends it only when not 0), or 0. */
    default int conntrackMark() {
        return 0;
    }

    /** The conntrack entry's status bits (CTA_STATUS, {@code IPS_*}), or 0 when unknown. */
    default int conntrackStatus() {
        return 0;
    }

    /** The packet's security context, or null when none was sent ({@link Extra#SECURITY_CONTEXT}). */
    default String securityContext() {
        return null;
    }
}
