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

import io.netty.buffer.ByteBuf;
import io.netty.channel.DefaultAddressedEnvelope;
import io.netty.util.IllegalReferenceCountException;
import org.nettydivert.transport.spi.DeferredMetadata;
import org.nettydivert.transport.spi.PacketAccess;
import org.nettydivert.transport.spi.ReadAddress;

/**
 * One diverted IP datagram: what a {@link DivertChannel} reads and what it writes.
 *
 * <p>The {@linkplain #content() content} is the whole IP datagram, header first, between its
 * reader and writer index. The {@linkplain #address() address} says where it came from; writing
 * the packet with that same address puts it back where it left the kernel, writing it with an
 * injection address ({@link DivertAddress#outbound()}) sends it as a new packet.
 *
 * <p>The packet owns its content: release it (or write it) exactly once. On Linux, releasing a
 * read packet without writing it tells the kernel to drop it, and writing back a read packet
 * whose content was neither written to nor trimmed is cheaper: the kernel keeps its own copy and
 * the channel sends no bytes back (see {@link DivertStats#packetsReinjectedUnchanged()}). Taking
 * the content's {@code memoryAddress()} or an NIO view of it counts as writing.
 */
public final class DivertPacket extends DefaultAddressedEnvelope<ByteBuf, DivertAddress> {
    /**
     * What the envelope's own fields hold for a packet whose address waits in a {@link
     * ReadAddress}: never seen, {@link #recipient()} and {@link #sender()} are overridden.
     */
    private static final DivertAddress DEFERRED = DivertAddress.outbound();

    static {
        PacketAccess.install(new PacketAccess.Hook() {
            @Override
            public DivertPacket readPacket(
                    ByteBuf content, ReadAddress address, int truncatedFrom, PacketMetadata metadata) {
                return new DivertPacket(content, address, truncatedFrom, metadata);
            }

            @Override
            public ReadAddress readAddress(DivertPacket packet) {
                return packet.address == null ? packet.readAddress : null;
            }
        });
    }

    /** The address; null until first asked for when it waits in {@link #readAddress}. */
    private DivertAddress address;
    /** A backend's reused fields of the read address (see {@link PacketAccess}), or null. */
    private final ReadAddress readAddress;
    /** The packet's whole length in the kernel when the content holds only its first bytes, else 0. */
    private final int truncatedFrom;
    /**
     * What the kernel said about the packet beyond its address; never null. A backend's {@link
     * DeferredMetadata} (reused with the packet's pooled content) until first asked for. Volatile:
     * the copy it is replaced by has plain fields, and another thread may ask next.
     */
    private volatile PacketMetadata metadata;

    /**
     * A packet with {@code content} (an IP datagram) and {@code address}.
     *
     * @param content the IPv4 or IPv6 datagram, from its reader index; the packet owns this
     *     reference and releases it when it is released (or written)
     * @param address where the packet came from, or, for a write, the verdict and where it goes
     */
    public DivertPacket(ByteBuf content, DivertAddress address) {
        this(content, address, 0);
    }

    /**
     * A packet of which {@code content} may hold only the first bytes, as a kernel that copies no
     * more gives it (and as a test may stand in for one).
     *
     * @param content the IP datagram's bytes as read
     * @param address where it came from
     * @param truncatedFrom the whole packet's length when {@code content} holds only its first
     *     bytes, or 0 when it holds the whole packet
     */
    public DivertPacket(ByteBuf content, DivertAddress address, int truncatedFrom) {
        this(content, address, truncatedFrom, PacketMetadata.NONE);
    }

    /**
     * A packet as a backend reads it, with what the kernel said about it.
     *
     * @param content the IP datagram's bytes as read
     * @param address where it came from
     * @param truncatedFrom the whole packet's length when {@code content} holds only its first
     *     bytes, or 0 when it holds the whole packet
     * @param metadata the kernel's metadata of the packet, or {@link PacketMetadata#NONE}
     */
    public DivertPacket(ByteBuf content, DivertAddress address, int truncatedFrom, PacketMetadata metadata) {
        super(content, address, address);
        this.address = address;
        this.readAddress = null;
        this.truncatedFrom = truncatedFrom;
        this.metadata = metadata == null ? PacketMetadata.NONE : metadata;
    }

    /** A read packet whose address waits in {@code readAddress} (see {@link PacketAccess}). */
    private DivertPacket(ByteBuf content, ReadAddress readAddress, int truncatedFrom, PacketMetadata metadata) {
        super(content, DEFERRED, DEFERRED);
        this.readAddress = readAddress;
        this.truncatedFrom = truncatedFrom;
        this.metadata = metadata == null ? PacketMetadata.NONE : metadata;
    }

    /**
     * What the kernel said about the packet when it was read: hook, devices, owner, connection
     * tracking state and more on Linux; {@link PacketMetadata#NONE} on FreeBSD and OpenBSD and
     * for packets made by the program. Kept by {@link #replace} and {@link #withAddress}.
     *
     * <p>Ask while the packet is owned (before it is written or released): the object returned
     * then stays valid for good. On Linux a pass-through that never asks costs no metadata object,
     * because the values wait in the packet's pooled content until asked for; for the same
     * reason asking first after the release fails, as reading a released buffer does.
     *
     * @return the metadata, never null
     * @throws io.netty.util.IllegalReferenceCountException if first asked after the packet was
     *     released (Linux, packets of up to 2 KiB)
     */
    public PacketMetadata metadata() {
        PacketMetadata m = metadata;
        if (m instanceof DeferredMetadata) {
            // The backend reuses that object once the content is released: take a copy while
            // the packet is owned, as a released buffer would refuse to be read.
            if (content().refCnt() == 0) {
                throw new IllegalReferenceCountException(0);
            }
            m = ((DeferredMetadata) m).snapshot();
            metadata = m;
        }
        return m;
    }

    /**
     * Whether the content holds only the first bytes of the packet, because the kernel copied no
     * more (Linux: at most {@link DivertChannelOption#MAX_PACKET_SIZE} bytes and never more
     * than 65531, so a 64 KiB packet on loopback arrives cut short). Written back unchanged, a
     * truncated packet goes on whole: the kernel keeps its own copy. Changed, it cannot be
     * written back (the write fails); release it to drop it. Always false on FreeBSD and
     * OpenBSD, whose divert sockets carry whole packets.
     */
    public boolean isTruncated() {
        return truncatedFrom > 0;
    }

    /**
     * The packet's whole length in bytes: larger than the content when {@linkplain
     * #isTruncated() truncated}, otherwise the content's readable bytes.
     */
    public int originalLength() {
        return truncatedFrom > 0 ? truncatedFrom : content().readableBytes();
    }

    /**
     * Where the packet came from, or where it is to go. Like {@link #metadata()}, ask while the
     * packet is owned: on Linux a read packet of up to 2 KiB makes its address only when first
     * asked (a pass-through that never asks writes it back with the address it was read with),
     * and asking first after the release fails.
     */
    public DivertAddress address() {
        return recipient();
    }

    /**
     * Where the packet came from, or where it is to go; the same as {@link #address()}.
     *
     * @throws io.netty.util.IllegalReferenceCountException if first asked after a read packet was
     *     released (Linux, packets of up to 2 KiB: see {@link #metadata()})
     */
    @Override
    public DivertAddress recipient() {
        DivertAddress a = address;
        if (a == null) {
            // The backend reuses the fields once the content is released: make the address while
            // the packet is owned, as a released buffer would refuse to be read.
            if (content().refCnt() == 0) {
                throw new IllegalReferenceCountException(0);
            }
            a = readAddress.toAddress();
            address = a; // a DivertAddress is immutable: a racing thread makes an equal one
        }
        return a;
    }

    /** The same as {@link #address()}: a packet has one address. */
    @Override
    public DivertAddress sender() {
        return recipient();
    }

    /**
     * A packet with other content and the same address; this packet's content is not released.
     *
     * @param content the new datagram, owned by the returned packet
     * @return a new packet; release or write it, and release this one separately
     */
    public DivertPacket replace(ByteBuf content) {
        // A copy of the metadata: this packet's content, to which deferred metadata belongs,
        // may be released before the new packet.
        return new DivertPacket(content, address(), truncatedFrom, metadata());
    }

    /** A packet with the same content and another address. */
    public DivertPacket withAddress(DivertAddress address) {
        return new DivertPacket(content(), address, truncatedFrom, metadata);
    }

    @Override
    public DivertPacket retain() {
        super.retain();
        return this;
    }

    @Override
    public DivertPacket retain(int increment) {
        super.retain(increment);
        return this;
    }

    @Override
    public DivertPacket touch() {
        super.touch();
        return this;
    }

    @Override
    public DivertPacket touch(Object hint) {
        super.touch(hint);
        return this;
    }

    @Override
    public String toString() {
        if (address == null && content().refCnt() == 0) {
            return "DivertPacket(released)"; // its address can no longer be made
        }
        return "DivertPacket(" + address() + ", " + content().readableBytes() + " bytes"
                + (truncatedFrom > 0 ? " of " + truncatedFrom + ", truncated)" : ")");
    }
}
