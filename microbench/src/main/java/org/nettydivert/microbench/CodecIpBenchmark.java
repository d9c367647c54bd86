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
package org.nettydivert.microbench;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import java.util.concurrent.TimeUnit;
import org.nettydivert.codec.ip.InternetChecksum;
import org.nettydivert.codec.ip.IpPacket;
import org.nettydivert.codec.ip.IpPacketBuilder;
import org.nettydivert.codec.ip.IpProtocol;
import org.nettydivert.codec.ip.Ipv4Header;
import org.nettydivert.codec.ip.Ipv6Header;
import org.nettydivert.codec.ip.TcpHeader;
import org.nettydivert.codec.ip.UdpHeader;
import org.nettydivert.transport.DivertAddress;
import org.nettydivert.transport.DivertPacket;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;
import org.pcap4j.packet.IllegalRawDataException;
import org.pcap4j.packet.IpV4Packet;
import org.pcap4j.packet.IpV6Packet;
import org.pcap4j.packet.TcpPacket;
import org.pcap4j.packet.UdpPacket;

/**
 * Decode and verify the checksums of a TCP/IPv4 and a UDP/IPv6 packet three ways (codec-ip's
 * flyweights, pcap4j, and the least code that can do it: the floor), rewrite a port with an
 * incremental checksum update, and build a new SYN with {@link IpPacketBuilder}. Every decode
 * returns a value built from what it read so that the JIT cannot skip the work.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class CodecIpBenchmark {
    private byte[] tcp4Bytes;
    private byte[] udp6Bytes;
    private ByteBuf tcp4;
    private ByteBuf udp6;

    private final Ipv4Header ipv4 = new Ipv4Header();
    private final Ipv6Header ipv6 = new Ipv6Header();
    private final TcpHeader tcp = new TcpHeader();
    private final UdpHeader udp = new UdpHeader();
    private int nextPort;
    private final IpPacketBuilder.Tcp syn = IpPacketBuilder.ip("192.0.2.1", "198.51.100.2")
            .dontFragment(true)
            .tcp(40000, 80)
            .sequenceNumber(1)
            .flags(TcpHeader.SYN)
            .window(64240)
            .mss(1460)
            .sackPermitted()
            .timestamps(1, 0)
            .nop()
            .windowScale(7);

    @Setup(Level.Trial)
    public void setUp() {
        tcp4Bytes = SamplePackets.tcp4();
        udp6Bytes = SamplePackets.udp6();
        tcp4 = SamplePackets.direct(tcp4Bytes);
        udp6 = SamplePackets.direct(udp6Bytes);
        // A benchmark that fails its checks would measure an early return: refuse to run.
        try {
            int[] results = {
                tcp4Flyweight(),
                udp6Flyweight(),
                tcp4IpPacket(),
                tcp4Pcap4j(),
                udp6Pcap4j(),
                tcp4Floor(),
                udp6Floor(),
                tcp4FlyweightNoChecksum(),
                tcp4Pcap4jNoChecksum()
            };
            for (int r : results) {
                if (r < 0) {
                    throw new IllegalStateException(
                            "a decode failed its checks: " + java.util.Arrays.toString(results));
                }
            }
            if (tcp4Flyweight() != tcp4Floor()
                    || udp6Flyweight() != udp6Floor()
                    || tcp4Flyweight() != tcp4Pcap4j()
                    || tcp4FlyweightNoChecksum() != tcp4Pcap4jNoChecksum()) {
                throw new IllegalStateException("decoders disagree");
            }
        } catch (IllegalRawDataException e) {
            throw new IllegalStateException(e);
        }
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        tcp4.release();
        udp6.release();
    }

    // ---- codec-ip flyweights: reusable views, no allocation ----

    @Benchmark
    public int tcp4Flyweight() {
        ByteBuf buf = tcp4;
        Ipv4Header ip = ipv4.wrap(buf, buf.readerIndex());
        int end = ip.offset() + ip.totalLength();
        if (ip.version() != 4 || ip.protocol() != IpProtocol.TCP || !ip.verifyChecksum()) {
            return -1;
        }
        TcpHeader t = tcp.wrap(buf, ip.optionsEnd());
        int transportLength = end - t.offset();
        if (!t.verifyChecksum(ip.pseudoHeaderSum(IpProtocol.TCP, transportLength), transportLength)) {
            return -2;
        }
        return t.sourcePort() ^ t.destinationPort() ^ t.sequenceNumber() ^ (end - t.optionsEnd());
    }

    @Benchmark
    public int udp6Flyweight() {
        ByteBuf buf = udp6;
        Ipv6Header ip = ipv6.wrap(buf, buf.readerIndex());
        int end = ip.offset() + ip.totalLength();
        if (ip.version() != 6 || ip.walkExtensions(end) != null || ip.transportProtocol() != IpProtocol.UDP) {
            return -1;
        }
        UdpHeader u = udp.wrap(buf, ip.transportOffset());
        int transportLength = end - u.offset();
        if (!u.verifyChecksum(ip.pseudoHeaderSum(IpProtocol.UDP, transportLength), transportLength)) {
            return -2;
        }
        return u.sourcePort() ^ u.destinationPort() ^ u.length();
    }

    /** Parse only, no checksum pass: how much of {@link #tcp4Flyweight()} the 552-byte sum is. */
    @Benchmark
    public int tcp4FlyweightNoChecksum() {
        ByteBuf buf = tcp4;
        Ipv4Header ip = ipv4.wrap(buf, buf.readerIndex());
        if (ip.version() != 4 || ip.protocol() != IpProtocol.TCP) {
            return -1;
        }
        TcpHeader t = tcp.wrap(buf, ip.optionsEnd());
        int end = ip.offset() + ip.totalLength();
        return t.sourcePort() ^ t.destinationPort() ^ t.sequenceNumber() ^ (end - t.optionsEnd());
    }

    @Benchmark
    public int tcp4PortRewriteIncremental() {
        // Alternate between two ports so that the packet, and its checksum, stay sound.
        int port = (nextPort ^= 1) == 0 ? 33333 : 8443;
        TcpHeader t = tcp.wrap(tcp4, 20);
        t.setDestinationPortUpdatingChecksum(port);
        return t.checksum();
    }

    // ---- building a new packet: a 60-byte SYN with options, into a pooled direct buffer ----

    @Benchmark
    public int tcp4BuildSyn() {
        ByteBuf built = syn.build(PooledByteBufAllocator.DEFAULT);
        try {
            return built.getUnsignedShort(20 + 16);
        } finally {
            built.release();
        }
    }

    // ---- codec-ip's message: what the pipeline decoder allocates per packet ----

    @Benchmark
    public int tcp4IpPacket() {
        IpPacket p = IpPacket.decode(new DivertPacket(tcp4.retainedDuplicate(), DivertAddress.outbound()));
        try {
            return p.verifyChecksums() ? p.tcp().destinationPort() ^ p.payloadLength() : -1;
        } finally {
            p.release();
        }
    }

    // ---- pcap4j: the same bytes, the same checks ----

    @Benchmark
    public int tcp4Pcap4j() throws IllegalRawDataException {
        IpV4Packet ip = IpV4Packet.newPacket(tcp4Bytes, 0, tcp4Bytes.length);
        IpV4Packet.IpV4Header h = ip.getHeader();
        if (!h.hasValidChecksum(false)) {
            return -1;
        }
        TcpPacket t = ip.get(TcpPacket.class);
        if (!t.hasValidChecksum(h.getSrcAddr(), h.getDstAddr(), false)) {
            return -2;
        }
        return readTcp(t);
    }

    /** Parse only, no checksum: pcap4j's object model without the sum. */
    @Benchmark
    public int tcp4Pcap4jNoChecksum() throws IllegalRawDataException {
        IpV4Packet ip = IpV4Packet.newPacket(tcp4Bytes, 0, tcp4Bytes.length);
        TcpPacket t = ip.get(TcpPacket.class);
        return readTcp(t);
    }

    /** What the TCP benchmarks return: the same fields from every decoder. */
    private static int readTcp(TcpPacket t) {
        TcpPacket.TcpHeader th = t.getHeader();
        return th.getSrcPort().valueAsInt()
                ^ th.getDstPort().valueAsInt()
                ^ th.getSequenceNumber()
                ^ t.getPayload().length();
    }

    @Benchmark
    public int udp6Pcap4j() throws IllegalRawDataException {
        IpV6Packet ip = IpV6Packet.newPacket(udp6Bytes, 0, udp6Bytes.length);
        IpV6Packet.IpV6Header h = ip.getHeader();
        UdpPacket u = ip.get(UdpPacket.class);
        if (!u.hasValidChecksum(h.getSrcAddr(), h.getDstAddr(), false)) {
            return -2;
        }
        UdpPacket.UdpHeader uh = u.getHeader();
        return uh.getSrcPort().valueAsInt() ^ uh.getDstPort().valueAsInt() ^ uh.getLengthAsInt();
    }

    // ---- the checksum pass alone: the TCP segment's 532 bytes ----

    /** {@code InternetChecksum.sum}: one big-endian eight-byte read and one accumulator per turn. */
    @Benchmark
    public int tcp4ChecksumPass() {
        return InternetChecksum.sum(tcp4, tcp4.readerIndex() + 20, 532);
    }

    /**
     * An alternative tried for issue 17 and not taken (no faster, docs/BENCHMARKS.md): little-endian
     * reads (a plain load on x86, where big-endian adds a byte swap), sixteen bytes per turn into
     * two accumulators, and one byte swap of the folded sum, which byte order does not change
     * otherwise (RFC 1071 section 2(B)).
     */
    @Benchmark
    public int tcp4ChecksumPassLittleEndianTwoAccumulators() {
        ByteBuf b = tcp4;
        int i = b.readerIndex() + 20;
        int end = i + 532;
        long acc0 = 0;
        long acc1 = 0;
        for (; i <= end - 16; i += 16) {
            long x = b.getLongLE(i);
            long y = b.getLongLE(i + 8);
            acc0 += (x >>> 32) + (x & 0xFFFF_FFFFL);
            acc1 += (y >>> 32) + (y & 0xFFFF_FFFFL);
        }
        long acc = acc0 + acc1;
        if (i <= end - 8) {
            long x = b.getLongLE(i);
            acc += (x >>> 32) + (x & 0xFFFF_FFFFL);
            i += 8;
        }
        if (i <= end - 4) {
            acc += b.getUnsignedIntLE(i);
            i += 4;
        }
        if (i <= end - 2) {
            acc += b.getUnsignedShortLE(i);
            i += 2;
        }
        if (i < end) {
            acc += b.getUnsignedByte(i);
        }
        int folded = InternetChecksum.fold(acc);
        return (folded >>> 8) | ((folded & 0xFF) << 8);
    }

    private static final java.lang.invoke.VarHandle LONGS_LE =
            java.lang.invoke.MethodHandles.byteArrayViewVarHandle(long[].class, java.nio.ByteOrder.LITTLE_ENDIAN);
    private final byte[] scratch = new byte[65536];

    /**
     * Another alternative tried for issue 17 and not taken (docs/BENCHMARKS.md): the pass over a
     * copy, one bulk getBytes into a reused byte[] (a read, which leaves a VerdictBuf untouched),
     * then a little-endian sum over the array, whose bounds checks the JIT can hoist. Faster alone
     * (26.6 against 31.4 ns); put into the flyweights' verifyChecksum with a scratch array per
     * header, tcp4Flyweight stayed at 49.4 ns.
     */
    @Benchmark
    public int tcp4ChecksumPassViaArray() {
        ByteBuf b = tcp4;
        int length = 532;
        byte[] a = scratch;
        b.getBytes(b.readerIndex() + 20, a, 0, length);
        long acc0 = 0;
        long acc1 = 0;
        int i = 0;
        for (; i <= length - 16; i += 16) {
            long x = (long) LONGS_LE.get(a, i);
            long y = (long) LONGS_LE.get(a, i + 8);
            acc0 += (x >>> 32) + (x & 0xFFFF_FFFFL);
            acc1 += (y >>> 32) + (y & 0xFFFF_FFFFL);
        }
        long acc = acc0 + acc1;
        for (; i <= length - 2; i += 2) {
            acc += (a[i] & 0xFF) | (a[i + 1] & 0xFF) << 8;
        }
        if (i < length) {
            acc += a[i] & 0xFF;
        }
        int folded = InternetChecksum.fold(acc);
        return (folded >>> 8) | ((folded & 0xFF) << 8);
    }

    // ---- the floor: the same work written out by hand, no objects, no abstraction ----

    @Benchmark
    public int tcp4Floor() {
        ByteBuf b = tcp4;
        int ip = b.readerIndex();
        int first = b.getUnsignedByte(ip);
        int hl = (first & 0x0F) << 2;
        int total = b.getUnsignedShort(ip + 2);
        if (first >>> 4 != 4 || b.getUnsignedByte(ip + 9) != 6 || fold(sum(b, ip, hl)) != 0xFFFF) {
            return -1;
        }
        int transport = ip + hl;
        int transportLength = total - hl;
        long pseudo = b.getUnsignedInt(ip + 12) + b.getUnsignedInt(ip + 16) + 6 + transportLength;
        if (fold(sum(b, transport, transportLength) + pseudo) != 0xFFFF) {
            return -2;
        }
        int payload = transport + ((b.getUnsignedByte(transport + 12) >>> 4) << 2);
        return b.getUnsignedShort(transport)
                ^ b.getUnsignedShort(transport + 2)
                ^ b.getInt(transport + 4)
                ^ (ip + total - payload);
    }

    @Benchmark
    public int udp6Floor() {
        ByteBuf b = udp6;
        int ip = b.readerIndex();
        if (b.getUnsignedByte(ip) >>> 4 != 6 || b.getUnsignedByte(ip + 6) != 17) {
            return -1;
        }
        int transport = ip + 40;
        int transportLength = b.getUnsignedShort(ip + 4);
        long pseudo = sum(b, ip + 8, 32) + 17 + transportLength;
        if (fold(sum(b, transport, transportLength) + pseudo) != 0xFFFF) {
            return -2;
        }
        return b.getUnsignedShort(transport) ^ b.getUnsignedShort(transport + 2) ^ b.getUnsignedShort(transport + 4);
    }

    private static long sum(ByteBuf b, int at, int length) {
        long acc = 0;
        int end = at + length;
        int i = at;
        for (; i + 8 <= end; i += 8) {
            long v = b.getLong(i);
            acc += (v >>> 32) + (v & 0xFFFF_FFFFL);
        }
        for (; i + 2 <= end; i += 2) {
            acc += b.getUnsignedShort(i);
        }
        if (i < end) {
            acc += b.getUnsignedByte(i) << 8;
        }
        return acc;
    }

    private static int fold(long acc) {
        while ((acc >>> 16) != 0) {
            acc = (acc & 0xFFFF) + (acc >>> 16);
        }
        return (int) acc;
    }
}
