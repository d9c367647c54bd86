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
package org.nettydivert.codec.ip;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.UnpooledByteBufAllocator;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.embedded.EmbeddedChannel;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.nettydivert.transport.DivertAddress;
import org.nettydivert.transport.DivertPacket;

/**
 * Seeded mutation fuzzing of what reads untrusted bytes: {@link IpPacket#decode} and the {@link
 * IpPacketDecoder}, {@link PcapReader}, and {@link IpReassembler}. Valid datagrams, fragments and
 * pcap files are mutated ({@link Mutator}) from a fixed seed, so a failure is reproducible; the
 * only exceptions allowed are {@link MalformedPacketException} from {@code decode} and {@link
 * IOException} with a message from the pcap reader. Every buffer comes from an allocator that
 * counts what is in use, which must be 0 after each input (no leak) and stay bounded.
 *
 * <p>{@code -Dfuzz.inputs=N} (default 200000, split between the targets) and {@code
 * -Dfuzz.seed=S} make longer or other runs; see codec-ip/README.md.
 */
class IpFuzzTest {
    private static final int INPUTS = Integer.getInteger("fuzz.inputs", 200_000);
    private static final long SEED = Long.getLong("fuzz.seed", 20261130L);
    private static final DivertAddress ADDRESS =
            new DivertAddress(1, DivertAddress.Direction.INBOUND, "em0", null, 1, 0);
    private static final int MAX_REPORTED = 5;
    /** How many reassembled datagrams the reassembly harness holds on to at most, as a slow inspector would. */
    private static final int MAX_HELD = 4;

    // Counts every byte of the buffers it hands out, and is not tracked by the leak detector,
    // whose paranoid records would make a million inputs take minutes.
    private final UnpooledByteBufAllocator alloc = new UnpooledByteBufAllocator(false, true);
    private final List<String> unexpected = new ArrayList<>();
    private long unexpectedCount;

    @Test
    void decode() {
        Mutator m = new Mutator(SEED, ipSeeds());
        EmbeddedChannel raw = new EmbeddedChannel(new IpPacketDecoder());
        EmbeddedChannel report = new EmbeddedChannel(new IpPacketDecoder(MalformedPacketAction.REPORT));
        int inputs = INPUTS * 2 / 5;
        long malformed = 0;
        for (int i = 0; i < inputs; i++) {
            byte[] in = m.next();
            malformed += decodeOne(in) ? 0 : 1;
            EmbeddedChannel channel = (i & 1) == 0 ? raw : report;
            try {
                channel.writeInbound(new DivertPacket(copy(in), ADDRESS));
                Object out;
                while ((out = channel.readInbound()) != null) {
                    if (out instanceof IpPacket) {
                        exercise((IpPacket) out);
                    }
                    io.netty.util.ReferenceCountUtil.release(out);
                }
            } catch (Throwable t) {
                fail("decoder", in, t);
            }
            checkNoLeak("decode", in);
        }
        raw.finishAndReleaseAll();
        report.finishAndReleaseAll();
        report("decode", inputs, malformed + " malformed");
    }

    @Test
    void pcapReader() {
        Mutator m = new Mutator(SEED + 1, pcapSeeds());
        int inputs = INPUTS / 5;
        long ioErrors = 0;
        long records = 0;
        long maxInUse = 0;
        for (int i = 0; i < inputs; i++) {
            byte[] in = m.next();
            try (PcapReader reader = new PcapReader(new ByteArrayInputStream(in), alloc)) {
                PcapRecord r;
                while ((r = reader.next()) != null) {
                    records++;
                    maxInUse = Math.max(maxInUse, alloc.metric().usedHeapMemory());
                    try {
                        if (r.content().readableBytes() > in.length) {
                            throw new AssertionError("a record longer than the file: " + r);
                        }
                        decodeOne(ByteBufUtil.getBytes(r.content()));
                    } finally {
                        r.release();
                    }
                }
            } catch (IOException e) {
                ioErrors++;
                if (e.getMessage() == null) {
                    fail("pcap", in, e);
                }
            } catch (Throwable t) {
                fail("pcap", in, t);
            }
            checkNoLeak("pcap", in);
        }
        report("pcap", inputs, records + " records, " + ioErrors + " IOExceptions, max " + maxInUse + " bytes in use");
    }

    @Test
    void reassembly() {
        SplittableRandom random = new SplittableRandom(SEED + 2);
        List<FragmentSet> sets = fragmentSets();
        List<byte[]> allFragments = new ArrayList<>();
        for (FragmentSet s : sets) {
            allFragments.addAll(s.fragments);
        }
        Mutator m = new Mutator(SEED + 3, allFragments);
        // As small as allowed, so that the byte bound is reached as often as the datagram bound.
        long maxBytes = IpReassembler.MIN_BYTES;
        int inputs = INPUTS * 2 / 5;
        Harness h = null;
        long reassembled = 0;
        long maxInUse = 0;
        int done = 0;
        while (done < inputs) {
            if (h == null || done % 5000 < 8 && h.fed > 100) {
                if (h != null) {
                    reassembled += h.close();
                    checkNoLeak("reassembly", new byte[0]);
                }
                h = new Harness(random, maxBytes);
            }
            // One datagram's fragments, in a random order, some mutated, dropped or repeated, with
            // an identification from a small set so that datagrams collide.
            FragmentSet set = sets.get(random.nextInt(sets.size()));
            List<byte[]> batch = new ArrayList<>();
            int id = random.nextInt(4);
            for (byte[] f : set.fragments) {
                int dice = random.nextInt(100);
                if (dice < 5) {
                    continue;
                }
                byte[] g = set.withId(f, id);
                batch.add(dice < 25 ? m.mutate(g) : g);
                if (dice >= 95) {
                    batch.add(g);
                }
            }
            Collections.shuffle(batch, new java.util.Random(random.nextLong()));
            for (byte[] in : batch) {
                done++;
                try {
                    h.feed(in);
                    if (h.reassembler.bytesHeld() > maxBytes) {
                        throw new AssertionError("holds " + h.reassembler.bytesHeld() + " bytes");
                    }
                } catch (Throwable t) {
                    fail("reassembly", in, t);
                }
                maxInUse = Math.max(maxInUse, alloc.metric().usedHeapMemory());
            }
        }
        reassembled += h.close();
        checkNoLeak("reassembly", new byte[0]);
        report("reassembly", done, reassembled + " reassembled, max " + maxInUse + " bytes in use");
        // What the reassembler holds, plus the datagrams the harness holds on to past their
        // timeout (the reassembler no longer counts those), plus the input.
        if (maxInUse > maxBytes + (MAX_HELD + 1) * (IpReassembler.MAX_DATAGRAM_SIZE + 40)) {
            throw new AssertionError("memory in use reached " + maxInUse);
        }
    }

    /** An {@link IpReassembler} in a channel whose handler gives random verdicts. */
    private final class Harness extends ChannelInboundHandlerAdapter {
        final SplittableRandom random;
        final IpReassembler reassembler;
        final EmbeddedChannel channel = new EmbeddedChannel();
        final List<DivertPacket> held = new ArrayList<>();
        DivertPacket current;
        long fed;

        Harness(SplittableRandom random, long maxBytes) {
            this.random = random;
            this.reassembler = IpReassembler.builder()
                    .maxDatagrams(16)
                    .maxBytes(maxBytes)
                    .maxFragmentsPerDatagram(16)
                    .timeout(Duration.ofSeconds(1))
                    .build();
            channel.config().setAllocator(alloc);
            channel.pipeline().addLast(reassembler, this);
        }

        void feed(byte[] in) {
            fed++;
            current = new DivertPacket(copy(in), ADDRESS);
            channel.writeInbound(current);
            if (random.nextInt(8) == 0 && !held.isEmpty()) {
                held.remove(random.nextInt(held.size())).release();
            }
            if (random.nextInt(32) == 0) {
                channel.advanceTimeBy(300, TimeUnit.MILLISECONDS);
                channel.runScheduledPendingTasks();
            }
            channel.flushOutbound();
            Object out;
            while ((out = channel.readOutbound()) != null) {
                io.netty.util.ReferenceCountUtil.release(out);
            }
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            DivertPacket p = (DivertPacket) msg;
            ByteBuf b = p.content();
            if (p != current) {
                checkReassembled(b);
            }
            decodeOne(ByteBufUtil.getBytes(b));
            switch (random.nextInt(4)) {
                case 0:
                    ctx.write(p);
                    break;
                case 1:
                    ctx.write(p.withAddress(DivertAddress.outbound()));
                    break;
                case 2:
                    if (held.size() == MAX_HELD) {
                        held.remove(0).release();
                    }
                    held.add(p);
                    break;
                default:
                    p.release();
            }
        }

        long close() {
            for (DivertPacket p : held) {
                p.release();
            }
            held.clear();
            long n = reassembler.reassembledCount();
            channel.finishAndReleaseAll();
            return n;
        }
    }

    /** A reassembled datagram is whole and consistent, whatever the fragments were. */
    static void checkReassembled(ByteBuf b) {
        int length = b.readableBytes();
        int version = b.getUnsignedByte(b.readerIndex()) >>> 4;
        if (version == 4) {
            int headerLength = (b.getUnsignedByte(b.readerIndex()) & 0x0F) * 4;
            if (b.getUnsignedShort(b.readerIndex() + 2) != length
                    || length > IpReassembler.MAX_DATAGRAM_SIZE
                    || (b.getUnsignedShort(b.readerIndex() + 6) & 0x3FFF) != 0
                    || !InternetChecksum.verifies(InternetChecksum.sum(b, b.readerIndex(), headerLength))) {
                throw new AssertionError("bad reassembled IPv4 datagram " + ByteBufUtil.hexDump(b));
            }
        } else if (version != 6
                || 40 + b.getUnsignedShort(b.readerIndex() + 4) != length
                || length > IpReassembler.MAX_DATAGRAM_SIZE + 40) {
            throw new AssertionError("bad reassembled datagram " + ByteBufUtil.hexDump(b));
        }
    }

    /** Decodes {@code in} with {@link IpPacket#decode}; false when it is malformed. */
    private boolean decodeOne(byte[] in) {
        DivertPacket p = new DivertPacket(copy(in), ADDRESS);
        IpPacket ip;
        try {
            ip = IpPacket.decode(p);
        } catch (MalformedPacketException e) {
            p.release();
            return false;
        } catch (Throwable t) {
            p.release();
            fail("decode", in, t);
            return false;
        }
        try {
            exercise(ip);
        } catch (Throwable t) {
            fail("decoded packet", in, t);
        } finally {
            ip.release();
        }
        return true;
    }

    /** What a pipeline does with a decoded packet: every getter, the tcpdump line, a rewrite. */
    static void exercise(IpPacket ip) {
        ip.toString();
        ip.verifyChecksums();
        ip.sourceAddress();
        ip.destinationAddress();
        ip.length();
        ip.payloadLength();
        if (ip.isIpv4()) {
            ip.ipv4().toString();
        } else {
            ip.ipv6().toString();
        }
        TcpHeader tcp = ip.tcp();
        if (tcp != null) {
            TcpOptions options = new TcpOptions().wrap(tcp);
            for (int i = 0; i < 64 && options.next(); i++) {
                options.kind();
            }
        }
        if (ip.tcp() != null || ip.udp() != null) {
            ip.sourcePort();
            ip.setDestinationPort(ip.destinationPort() ^ 1);
        }
        ip.setTtl(ip.ttl() - 1 & 0xFF);
        ip.setSourceAddress(ip.destinationAddress());
        ip.updateChecksums();
        if (!ip.isFragment() && !ip.verifyChecksums() && ip.hasTransportHeader()) {
            // Recomputed checksums verify, except where the packet does not hold its whole
            // upper layer (a later fragment) or the protocol has none we compute.
            int p = ip.protocol();
            if (p == IpProtocol.TCP || p == IpProtocol.UDP) {
                throw new AssertionError("checksums recomputed but not verified: " + ip);
            }
        }
    }

    private ByteBuf copy(byte[] in) {
        return alloc.heapBuffer(in.length).writeBytes(in);
    }

    private void checkNoLeak(String target, byte[] in) {
        long used = alloc.metric().usedHeapMemory();
        if (used != 0) {
            fail(target, in, new AssertionError(used + " bytes not released"));
            // Only the first leak is worth a report; start afresh for the next input.
            throw new AssertionError(String.join("\n", unexpected));
        }
    }

    private void fail(String target, byte[] in, Throwable t) {
        unexpectedCount++;
        if (unexpected.size() < MAX_REPORTED) {
            java.io.StringWriter trace = new java.io.StringWriter();
            t.printStackTrace(new java.io.PrintWriter(trace));
            unexpected.add(target + ": " + ByteBufUtil.hexDump(in) + "\n" + trace);
        }
    }

    private void report(String target, long inputs, String detail) {
        System.out.printf(
                "fuzz %s: %d inputs (seed %d), %s, %d unexpected%n", target, inputs, SEED, detail, unexpectedCount);
        assertEquals(0, unexpectedCount, () -> String.join("\n\n", unexpected));
    }

    /** Valid datagrams of every shape the parser knows, and the checked-in captures' datagrams. */
    static List<byte[]> ipSeeds() {
        List<byte[]> seeds = new ArrayList<>();
        byte[] payload = TestPackets.ascii("GET / HTTP/1.1\r\n\r\n");
        byte[] options = TestPackets.bytes(2, 4, 5, 0xB4, 1, 3, 3, 7, 4, 2, 8, 10, 0, 0, 0, 1, 0, 0, 0, 2, 1, 1);
        byte[] tcp = TestPackets.tcp(40000, 80, 1, 2, 0x18, 512, options, payload);
        seeds.add(TestPackets.ipv4(IpProtocol.TCP, "10.0.0.1", "10.0.0.2", tcp));
        seeds.add(TestPackets.ipv4(IpProtocol.TCP, "10.0.0.1", "10.0.0.2", TestPackets.bytes(1, 1, 1, 0), tcp));
        seeds.add(TestPackets.ipv4(IpProtocol.UDP, "10.0.0.1", "10.0.0.2", TestPackets.udp(53, 5353, payload)));
        seeds.add(TestPackets.ipv4(IpProtocol.ICMP, "10.0.0.1", "10.0.0.2", TestPackets.icmpEcho(8, 1, 2, payload)));
        seeds.add(TestPackets.ipv4(47, "10.0.0.1", "10.0.0.2", payload));
        seeds.add(TestPackets.ipv6(IpProtocol.TCP, "2001:db8::1", "2001:db8::2", tcp));
        seeds.add(TestPackets.ipv6(IpProtocol.UDP, "2001:db8::1", "2001:db8::2", TestPackets.udp(1, 2, payload)));
        seeds.add(TestPackets.ipv6(IpProtocol.ICMPV6, "fe80::1", "ff02::1", TestPackets.icmpEcho(128, 1, 2, payload)));
        seeds.add(TestPackets.ipv6(
                IpProtocol.HOP_BY_HOP,
                "2001:db8::1",
                "2001:db8::2",
                ReferenceChecksum.concat(
                        TestPackets.extension(IpProtocol.ROUTING, 0),
                        TestPackets.extension(IpProtocol.DESTINATION_OPTIONS, 1),
                        TestPackets.extension(IpProtocol.AH, 0),
                        TestPackets.authenticationHeader(IpProtocol.TCP, 4)),
                IpProtocol.TCP,
                tcp));
        for (FragmentSet s : fragmentSets()) {
            seeds.addAll(s.fragments);
        }
        for (String capture : List.of(Captures.ETHERNET, Captures.SLL, Captures.SLL2)) {
            seeds.addAll(Captures.datagrams(capture));
        }
        return seeds;
    }

    /** Pcap files: the start of each checked-in capture, and raw-IP files {@link PcapWriter} wrote. */
    static List<byte[]> pcapSeeds() {
        List<byte[]> seeds = new ArrayList<>();
        try {
            for (String capture : List.of(Captures.ETHERNET, Captures.ETHERNET_NANOS, Captures.SLL, Captures.SLL2)) {
                seeds.add(firstRecords(Files.readAllBytes(Captures.path(capture)), 3));
            }
            List<byte[]> datagrams = ipSeeds();
            ByteArrayOutputStream file = new ByteArrayOutputStream();
            try (PcapWriter writer = new PcapWriter(file)) {
                for (int i = 0; i < 4; i++) {
                    // Fixed timestamps: the seeds, and so the run, must not depend on the clock.
                    byte[] d = datagrams.get(i);
                    writer.write(io.netty.buffer.Unpooled.wrappedBuffer(d), 0, d.length, 1_700_000_000_000_000L + i);
                }
            }
            seeds.add(file.toByteArray());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return seeds;
    }

    /** The global header and the first {@code n} records of a pcap file, so that mutations hit headers often. */
    private static byte[] firstRecords(byte[] file, int n) {
        boolean swapped = (file[0] & 0xFF) == 0xD4 || (file[0] & 0xFF) == 0x4D;
        int at = 24;
        for (int i = 0; i < n && at + 16 <= file.length; i++) {
            int captured = swapped
                    ? (file[at + 8] & 0xFF)
                            | (file[at + 9] & 0xFF) << 8
                            | (file[at + 10] & 0xFF) << 16
                            | (file[at + 11] & 0xFF) << 24
                    : (file[at + 8] & 0xFF) << 24
                            | (file[at + 9] & 0xFF) << 16
                            | (file[at + 10] & 0xFF) << 8
                            | (file[at + 11] & 0xFF);
            at += 16 + captured;
        }
        return java.util.Arrays.copyOf(file, Math.min(at, file.length));
    }

    /** The fragments of one datagram and where their identification is. */
    record FragmentSet(List<byte[]> fragments, int idOffset, int idLength) {
        byte[] withId(byte[] fragment, int id) {
            byte[] f = fragment.clone();
            if (idLength == 2) {
                TestPackets.put16(f, idOffset, id);
            } else {
                TestPackets.put32(f, idOffset, id);
            }
            return f;
        }
    }

    static List<FragmentSet> fragmentSets() {
        byte[] payload = new byte[3000];
        for (int i = 0; i < payload.length; i++) {
            payload[i] = (byte) (i * 13);
        }
        byte[] udp4 = TestPackets.ipv4(IpProtocol.UDP, "10.0.0.1", "10.0.0.2", TestPackets.udp(1, 2, payload));
        byte[] tcp4 = TestPackets.ipv4(
                IpProtocol.TCP,
                "10.0.0.1",
                "10.0.0.2",
                TestPackets.bytes(1, 1, 1, 0),
                TestPackets.tcp(3, 4, 5, 6, 0x10, 100, new byte[0], java.util.Arrays.copyOf(payload, 300)));
        byte[] udp6 = TestPackets.ipv6(IpProtocol.UDP, "2001:db8::1", "2001:db8::2", TestPackets.udp(1, 2, payload));
        byte[] ext6 = TestPackets.ipv6(
                IpProtocol.HOP_BY_HOP,
                "2001:db8::1",
                "2001:db8::2",
                ReferenceChecksum.concat(
                        TestPackets.extension(IpProtocol.DESTINATION_OPTIONS, 0),
                        TestPackets.extension(IpProtocol.ICMPV6, 0)),
                IpProtocol.ICMPV6,
                TestPackets.icmpEcho(128, 1, 2, java.util.Arrays.copyOf(payload, 1000)));
        byte[] big4 = TestPackets.ipv4(IpProtocol.UDP, "10.0.0.3", "10.0.0.4", TestPackets.udp(1, 2, new byte[24_000]));
        return List.of(
                new FragmentSet(Fragmenter.ipv4(udp4, 1480, 1480), 4, 2),
                // A few of these fill the bytes the reassembly fuzzer allows.
                new FragmentSet(Fragmenter.ipv4(big4, 8000, 8000), 4, 2),
                new FragmentSet(Fragmenter.ipv4(tcp4, 128, 64, 64), 4, 2),
                new FragmentSet(Fragmenter.ipv6(udp6, 40, 6, 7, 1232, 1232), 44, 4),
                new FragmentSet(Fragmenter.ipv6(ext6, 48, 40, 7, 496, 256), 52, 4));
    }
}
