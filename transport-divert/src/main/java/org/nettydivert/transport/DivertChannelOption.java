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

import io.netty.channel.ChannelOption;
import java.util.Set;

/**
 * Options of a {@link DivertChannel}, beside Netty's own ({@link ChannelOption#SO_RCVBUF},
 * {@link ChannelOption#SO_SNDBUF}, {@link ChannelOption#AUTO_READ}, water marks, ...). Options
 * that shape the descriptor take effect at bind.
 *
 * <p>Options marked "Linux" or "FreeBSD" belong to that backend: set on a channel of another
 * system, they fail the bind (and {@code setOption} on a bound channel) with a message that
 * names the option and the system, rather than being ignored.
 */
public final class DivertChannelOption<T> extends ChannelOption<T> {

    /** Largest packet the channel reads, in bytes (default 65535, the IP maximum). */
    public static final ChannelOption<Integer> MAX_PACKET_SIZE = valueOf(DivertChannelOption.class, "MAX_PACKET_SIZE");

    /** Packets taken from the kernel per system call, and written per system call (default 32). */
    public static final ChannelOption<Integer> BATCH_SIZE = valueOf(DivertChannelOption.class, "BATCH_SIZE");

    /**
     * Linux: how many packets the kernel may hold for this queue awaiting a verdict (default
     * 4096); beyond it the kernel drops new packets (or accepts them, with {@link #FAIL_OPEN}).
     * This also bounds the packets the pipeline can hold.
     */
    public static final ChannelOption<Integer> QUEUE_MAXLEN = valueOf(DivertChannelOption.class, "QUEUE_MAXLEN");

    /** Linux: accept rather than drop packets while the queue is full (default false). */
    public static final ChannelOption<Boolean> FAIL_OPEN = valueOf(DivertChannelOption.class, "FAIL_OPEN");

    /**
     * Linux: large (GSO) packets reach the channel whole, up to 64 KiB, and go back whole
     * (NFQA_CFG_F_GSO; default {@value DivertChannelConfig#DEFAULT_GSO}, chosen by measurement,
     * see docs/BENCHMARKS.md). Without it the kernel cuts each one into MTU-sized segments in
     * software before queueing them, one verdict each. Such packets may be larger than any MTU,
     * and their partial transport checksum is completed when the pipeline first reads or writes
     * their bytes (one written back unseen goes on as the kernel holds it). The kernel copies at
     * most 65531 bytes of a packet: a longer one is read {@linkplain DivertPacket#isTruncated()
     * truncated} and passes whole if written back unchanged.
     */
    public static final ChannelOption<Boolean> GSO = valueOf(DivertChannelOption.class, "GSO");

    /**
     * Linux: do not report socket overflows (ENOBUFS) at all (default false: they are counted in
     * {@link DivertStats#overflows()} and never close the channel).
     */
    public static final ChannelOption<Boolean> NO_ENOBUFS = valueOf(DivertChannelOption.class, "NO_ENOBUFS");

    /**
     * Linux: a read packet that has neither been written nor released after this many
     * milliseconds is dropped (default 5000).
     */
    public static final ChannelOption<Integer> VERDICT_TIMEOUT_MILLIS =
            valueOf(DivertChannelOption.class, "VERDICT_TIMEOUT_MILLIS");

    /**
     * Linux: the SO_MARK of packets sent with {@link DivertAddress#outbound()} (default {@value
     * DivertChannelConfig#DEFAULT_INJECT_MARK}), so that NFQUEUE rules can leave them alone with
     * {@code -m mark ! --mark 0x4456}. 0 sends them unmarked.
     */
    public static final ChannelOption<Integer> INJECT_MARK = valueOf(DivertChannelOption.class, "INJECT_MARK");

    /**
     * Linux: the packet metadata the kernel is to add to every packet beyond what it always sends
     * (default none): {@link PacketMetadata.Extra#OWNER} for the owning socket's uid and gid,
     * {@link PacketMetadata.Extra#CONNTRACK} for the connection tracking state (needs a kernel
     * with {@code CONFIG_NETFILTER_NETLINK_GLUE_CT} and {@code nf_conntrack_netlink}; without,
     * the channel binds anyway, logs one WARN and its packets carry no state),
     * {@link PacketMetadata.Extra#SECURITY_CONTEXT} for the security label. Read them with
     * {@link DivertPacket#metadata()}.
     */
    public static final ChannelOption<Set<PacketMetadata.Extra>> NFQUEUE_METADATA =
            valueOf(DivertChannelOption.class, "NFQUEUE_METADATA");

    /**
     * Linux: the network namespace whose queue the channel binds, by name as {@code ip netns}
     * keeps them ({@code /var/run/netns/NAME}) or by path (such as {@code /proc/PID/ns/net});
     * default null, the namespace of the event loop's thread. The channel's sockets are opened
     * inside it by a short-lived thread; no thread of the program changes namespace. Packets
     * injected with {@link DivertAddress#outbound()} are sent in that namespace too, and
     * interface names and {@link DivertStats} kernel counters are that namespace's.
     */
    public static final ChannelOption<String> NETWORK_NAMESPACE =
            valueOf(DivertChannelOption.class, "NETWORK_NAMESPACE");

    /**
     * FreeBSD's SO_REUSEPORT_LB (default false). <b>Not supported</b>: a channel with it set
     * fails to bind. No released FreeBSD shares a divert port between sockets: 14 and 15 refuse
     * a second socket on the port (EADDRINUSE), and 13 binds both but hands every packet to the
     * first. Bind one channel per divert port instead, and spread load over several divert rules
     * or ports, one channel each.
     */
    public static final ChannelOption<Boolean> REUSEPORT_LB = valueOf(DivertChannelOption.class, "REUSEPORT_LB");

    @SuppressWarnings({"unused", "deprecation"})
    private DivertChannelOption() {
        super(null);
    }
}
