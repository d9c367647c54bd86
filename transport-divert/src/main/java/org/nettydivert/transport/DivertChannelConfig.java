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
import io.netty.channel.DefaultChannelConfig;
import io.netty.channel.MessageSizeEstimator;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.nettydivert.transport.unix.Os;

/**
 * The configuration of a {@link DivertChannel}: the options of {@link DivertChannelOption} and
 * Netty's own. Setters validate; options that shape the descriptor are read at bind.
 */
public final class DivertChannelConfig extends DefaultChannelConfig {
    static final int DEFAULT_INJECT_MARK = 0x4456;

    /** Whether {@link DivertChannelOption#GSO} is on unless set: see docs/BENCHMARKS.md. */
    static final boolean DEFAULT_GSO = true;

    private static final int MIN_PACKET_SIZE = 20;
    private static final int MAX_IP_PACKET = 65535;
    private static final int MAX_BATCH = 256;

    /** Water marks count the packet bytes, not the envelope's default guess. */
    private static final MessageSizeEstimator PACKET_SIZE = () ->
            msg -> msg instanceof DivertPacket ? ((DivertPacket) msg).content().readableBytes() : 0;

    private volatile int maxPacketSize = MAX_IP_PACKET;
    private volatile int batchSize = 32;
    private volatile int receiveBufferSize;
    private volatile int sendBufferSize;
    private volatile int queueMaxlen = 4096;
    private volatile boolean failOpen;
    private volatile boolean gso = DEFAULT_GSO;
    private volatile boolean noEnobufs;
    private volatile int verdictTimeoutMillis = 5000;
    private volatile int injectMark = DEFAULT_INJECT_MARK;
    private volatile boolean reusePortLb;
    private volatile Set<PacketMetadata.Extra> metadata = PacketMetadata.Extra.none();
    private volatile String networkNamespace;

    private final DivertChannel channel;
    /** The backend-specific options that were set, checked against the backend at bind. */
    private final Set<ChannelOption<?>> requested = ConcurrentHashMap.newKeySet();

    DivertChannelConfig(DivertChannel channel) {
        super(channel);
        this.channel = channel;
        setMessageSizeEstimator(PACKET_SIZE);
    }

    /** The options that only some backends have: which systems, and what to do elsewhere. */
    private static final Map<ChannelOption<?>, Backend> backendOptions = Map.of(
            DivertChannelOption.QUEUE_MAXLEN, Backend.NFQUEUE,
            DivertChannelOption.FAIL_OPEN, Backend.NFQUEUE,
            DivertChannelOption.GSO, Backend.NFQUEUE,
            DivertChannelOption.NO_ENOBUFS, Backend.NFQUEUE,
            DivertChannelOption.VERDICT_TIMEOUT_MILLIS, Backend.NFQUEUE,
            DivertChannelOption.INJECT_MARK, Backend.NFQUEUE,
            DivertChannelOption.NFQUEUE_METADATA, Backend.NFQUEUE,
            DivertChannelOption.NETWORK_NAMESPACE, Backend.NFQUEUE,
            DivertChannelOption.REUSEPORT_LB, Backend.FREEBSD);

    private enum Backend {
        NFQUEUE("Linux (NFQUEUE)", "divert sockets have no verdicts, queue or marks of that kind"),
        FREEBSD("FreeBSD", "on Linux spread flows over channels with iptables --queue-balance");

        final String systems;
        final String elsewhere;

        Backend(String systems, String elsewhere) {
            this.systems = systems;
            this.elsewhere = elsewhere;
        }

        boolean runsOn(Os os) {
            return this == NFQUEUE ? os == Os.LINUX : os == Os.FREEBSD || os == Os.OPENBSD;
        }
    }

    /**
     * Throws if {@code option} is one that the backend of {@code os} does not have, naming the
     * option, the system and what to do. OpenBSD's lack of SO_REUSEPORT_LB is its socket's to say.
     */
    static void checkSupported(ChannelOption<?> option, Os os) {
        Backend backend = backendOptions.get(option);
        if (backend != null && !backend.runsOn(os)) {
            throw new UnsupportedOperationException(option.name() + " is an option of " + backend.systems
                    + " only, not " + os + ": " + backend.elsewhere + "; remove the option");
        }
    }

    /**
     * Notes that a backend-specific option was set. Bootstrap only logs what {@code setOption}
     * throws, so the bind checks them all again: no option is silently ignored.
     */
    private void requested(ChannelOption<?> option) {
        requested.add(option);
        if (channel.isActive()) {
            checkSupported(option, Os.CURRENT);
        }
    }

    /** Throws if an option was set that the backend of {@code os} does not have. Called at bind. */
    void checkRequestedOptions(Os os) {
        for (ChannelOption<?> option : requested) {
            checkSupported(option, os);
        }
    }

    @Override
    public Map<ChannelOption<?>, Object> getOptions() {
        return getOptions(
                super.getOptions(),
                DivertChannelOption.MAX_PACKET_SIZE,
                DivertChannelOption.BATCH_SIZE,
                ChannelOption.SO_RCVBUF,
                ChannelOption.SO_SNDBUF,
                DivertChannelOption.QUEUE_MAXLEN,
                DivertChannelOption.FAIL_OPEN,
                DivertChannelOption.GSO,
                DivertChannelOption.NO_ENOBUFS,
                DivertChannelOption.VERDICT_TIMEOUT_MILLIS,
                DivertChannelOption.INJECT_MARK,
                DivertChannelOption.NFQUEUE_METADATA,
                DivertChannelOption.NETWORK_NAMESPACE,
                DivertChannelOption.REUSEPORT_LB);
    }

    @Override
    @SuppressWarnings("unchecked")
    public <T> T getOption(ChannelOption<T> option) {
        if (option == DivertChannelOption.MAX_PACKET_SIZE) {
            return (T) Integer.valueOf(maxPacketSize);
        }
        if (option == DivertChannelOption.BATCH_SIZE) {
            return (T) Integer.valueOf(batchSize);
        }
        if (option == ChannelOption.SO_RCVBUF) {
            return (T) Integer.valueOf(receiveBufferSize);
        }
        if (option == ChannelOption.SO_SNDBUF) {
            return (T) Integer.valueOf(sendBufferSize);
        }
        if (option == DivertChannelOption.QUEUE_MAXLEN) {
            return (T) Integer.valueOf(queueMaxlen);
        }
        if (option == DivertChannelOption.FAIL_OPEN) {
            return (T) Boolean.valueOf(failOpen);
        }
        if (option == DivertChannelOption.GSO) {
            return (T) Boolean.valueOf(gso);
        }
        if (option == DivertChannelOption.NO_ENOBUFS) {
            return (T) Boolean.valueOf(noEnobufs);
        }
        if (option == DivertChannelOption.VERDICT_TIMEOUT_MILLIS) {
            return (T) Integer.valueOf(verdictTimeoutMillis);
        }
        if (option == DivertChannelOption.INJECT_MARK) {
            return (T) Integer.valueOf(injectMark);
        }
        if (option == DivertChannelOption.REUSEPORT_LB) {
            return (T) Boolean.valueOf(reusePortLb);
        }
        if (option == DivertChannelOption.NFQUEUE_METADATA) {
            return (T) metadata;
        }
        if (option == DivertChannelOption.NETWORK_NAMESPACE) {
            return (T) networkNamespace;
        }
        return super.getOption(option);
    }

    @Override
    public <T> boolean setOption(ChannelOption<T> option, T value) {
        validate(option, value);
        if (option == DivertChannelOption.MAX_PACKET_SIZE) {
            setMaxPacketSize((Integer) value);
        } else if (option == DivertChannelOption.BATCH_SIZE) {
            setBatchSize((Integer) value);
        } else if (option == ChannelOption.SO_RCVBUF) {
            setReceiveBufferSize((Integer) value);
        } else if (option == ChannelOption.SO_SNDBUF) {
            setSendBufferSize((Integer) value);
        } else if (option == DivertChannelOption.QUEUE_MAXLEN) {
            setQueueMaxlen((Integer) value);
        } else if (option == DivertChannelOption.FAIL_OPEN) {
            setFailOpen((Boolean) value);
        } else if (option == DivertChannelOption.GSO) {
            setGso((Boolean) value);
        } else if (option == DivertChannelOption.NO_ENOBUFS) {
            setNoEnobufs((Boolean) value);
        } else if (option == DivertChannelOption.VERDICT_TIMEOUT_MILLIS) {
            setVerdictTimeoutMillis((Integer) value);
        } else if (option == DivertChannelOption.INJECT_MARK) {
            setInjectMark((Integer) value);
        } else if (option == DivertChannelOption.REUSEPORT_LB) {
            setReusePortLb((Boolean) value);
        } else if (option == DivertChannelOption.NFQUEUE_METADATA) {
            @SuppressWarnings("unchecked")
            Set<PacketMetadata.Extra> extras = (Set<PacketMetadata.Extra>) value;
            setNfqueueMetadata(extras);
        } else if (option == DivertChannelOption.NETWORK_NAMESPACE) {
            setNetworkNamespace((String) value);
        } else {
            return super.setOption(option, value);
        }
        return true;
    }

    /** Largest packet read, in bytes; see {@link DivertChannelOption#MAX_PACKET_SIZE}. */
    public int getMaxPacketSize() {
        return maxPacketSize;
    }

    /** See {@link DivertChannelOption#MAX_PACKET_SIZE}. */
    public DivertChannelConfig setMaxPacketSize(int maxPacketSize) {
        this.maxPacketSize = checkRange("MAX_PACKET_SIZE", maxPacketSize, MIN_PACKET_SIZE, MAX_IP_PACKET);
        return this;
    }

    /** Packets read or written per system call at most; see {@link DivertChannelOption#BATCH_SIZE}. */
    public int getBatchSize() {
        return batchSize;
    }

    /** See {@link DivertChannelOption#BATCH_SIZE}. */
    public DivertChannelConfig setBatchSize(int batchSize) {
        this.batchSize = checkRange("BATCH_SIZE", batchSize, 1, MAX_BATCH);
        return this;
    }

    /** SO_RCVBUF in bytes; 0 (default) lets the transport choose from the queue length. */
    public int getReceiveBufferSize() {
        return receiveBufferSize;
    }

    /** Sets SO_RCVBUF in bytes (applied at bind); 0 lets the transport choose. */
    public DivertChannelConfig setReceiveBufferSize(int receiveBufferSize) {
        this.receiveBufferSize = checkRange("SO_RCVBUF", receiveBufferSize, 0, Integer.MAX_VALUE);
        return this;
    }

    /** SO_SNDBUF in bytes; 0 (default) lets the transport choose. */
    public int getSendBufferSize() {
        return sendBufferSize;
    }

    /** Sets SO_SNDBUF in bytes (applied at bind); 0 lets the transport choose. */
    public DivertChannelConfig setSendBufferSize(int sendBufferSize) {
        this.sendBufferSize = checkRange("SO_SNDBUF", sendBufferSize, 0, Integer.MAX_VALUE);
        return this;
    }

    /** The kernel queue's length (Linux); see {@link DivertChannelOption#QUEUE_MAXLEN}. */
    public int getQueueMaxlen() {
        return queueMaxlen;
    }

    /** See {@link DivertChannelOption#QUEUE_MAXLEN}. */
    public DivertChannelConfig setQueueMaxlen(int queueMaxlen) {
        requested(DivertChannelOption.QUEUE_MAXLEN);
        this.queueMaxlen = checkRange("QUEUE_MAXLEN", queueMaxlen, 1, 1 << 20);
        return this;
    }

    /** Whether the kernel accepts packets while the queue is full (Linux); see {@link DivertChannelOption#FAIL_OPEN}. */
    public boolean isFailOpen() {
        return failOpen;
    }

    /** See {@link DivertChannelOption#FAIL_OPEN}. */
    public DivertChannelConfig setFailOpen(boolean failOpen) {
        requested(DivertChannelOption.FAIL_OPEN);
        this.failOpen = failOpen;
        return this;
    }

    /** Whether the kernel may queue GSO super-packets (Linux); see {@link DivertChannelOption#GSO}. */
    public boolean isGso() {
        return gso;
    }

    /** See {@link DivertChannelOption#GSO}. */
    public DivertChannelConfig setGso(boolean gso) {
        requested(DivertChannelOption.GSO);
        this.gso = gso;
        return this;
    }

    /** Whether ENOBUFS on the queue socket is suppressed (Linux); see {@link DivertChannelOption#NO_ENOBUFS}. */
    public boolean isNoEnobufs() {
        return noEnobufs;
    }

    /** See {@link DivertChannelOption#NO_ENOBUFS}. */
    public DivertChannelConfig setNoEnobufs(boolean noEnobufs) {
        requested(DivertChannelOption.NO_ENOBUFS);
        this.noEnobufs = noEnobufs;
        return this;
    }

    /** How long a packet may wait for its verdict (Linux); see {@link DivertChannelOption#VERDICT_TIMEOUT_MILLIS}. */
    public int getVerdictTimeoutMillis() {
        return verdictTimeoutMillis;
    }

    /** See {@link DivertChannelOption#VERDICT_TIMEOUT_MILLIS}. */
    public DivertChannelConfig setVerdictTimeoutMillis(int verdictTimeoutMillis) {
        requested(DivertChannelOption.VERDICT_TIMEOUT_MILLIS);
        this.verdictTimeoutMillis = checkRange("VERDICT_TIMEOUT_MILLIS", verdictTimeoutMillis, 1, Integer.MAX_VALUE);
        return this;
    }

    /** The mark of injected packets (Linux); see {@link DivertChannelOption#INJECT_MARK}. */
    public int getInjectMark() {
        return injectMark;
    }

    /** See {@link DivertChannelOption#INJECT_MARK}. */
    public DivertChannelConfig setInjectMark(int injectMark) {
        requested(DivertChannelOption.INJECT_MARK);
        this.injectMark = injectMark;
        return this;
    }

    /** Whether SO_REUSEPORT_LB was asked for (FreeBSD, refused at bind); see {@link DivertChannelOption#REUSEPORT_LB}. */
    public boolean isReusePortLb() {
        return reusePortLb;
    }

    /** See {@link DivertChannelOption#REUSEPORT_LB}. */
    public DivertChannelConfig setReusePortLb(boolean reusePortLb) {
        requested(DivertChannelOption.REUSEPORT_LB);
        this.reusePortLb = reusePortLb;
        return this;
    }

    /** The metadata the kernel is asked to add to each packet (an unmodifiable set). */
    public Set<PacketMetadata.Extra> getNfqueueMetadata() {
        return metadata;
    }

    /**
     * See {@link DivertChannelOption#NFQUEUE_METADATA}.
     *
     * @param metadata what the kernel is to add; empty for nothing beyond what it always sends
     * @return this config
     */
    public DivertChannelConfig setNfqueueMetadata(Set<PacketMetadata.Extra> metadata) {
        requested(DivertChannelOption.NFQUEUE_METADATA);
        this.metadata = Set.copyOf(metadata);
        return this;
    }

    /** The network namespace the channel binds in, or null for the event loop thread's. */
    public String getNetworkNamespace() {
        return networkNamespace;
    }

    /**
     * See {@link DivertChannelOption#NETWORK_NAMESPACE}; takes effect at bind.
     *
     * @param networkNamespace a name under {@code /var/run/netns}, or a path
     * @return this config
     */
    public DivertChannelConfig setNetworkNamespace(String networkNamespace) {
        requested(DivertChannelOption.NETWORK_NAMESPACE);
        if (networkNamespace != null && networkNamespace.isEmpty()) {
            throw new IllegalArgumentException("NETWORK_NAMESPACE must name a namespace, not be empty");
        }
        this.networkNamespace = networkNamespace;
        return this;
    }

    private static int checkRange(String name, int value, int min, int max) {
        if (value < min || value > max) {
            throw new IllegalArgumentException(name + " must be " + min + ".." + max + ": " + value);
        }
        return value;
    }
}
