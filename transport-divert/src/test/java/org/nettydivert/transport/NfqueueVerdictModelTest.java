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

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.nettydivert.transport.FakeNfqueueBed.outcome;
import static org.nettydivert.transport.FakeNfqueueBed.udp4;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFuture;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.nettydivert.transport.unix.Errno;

/**
 * A model test of the one-verdict rule on {@link FakeNfqueueKernel}: rounds of packets that the
 * pipeline writes back unchanged, changed, with a new mark, handed off to another queue, with a
 * connmark, replaced, twice in one flush, holds
 * for later rounds, or releases, in a random order, flushing now or later, while sendmsg now
 * and then would block or fails, and the table is small enough to evict and the timeout short
 * enough to expire. Whatever happens, each packet gets exactly one verdict, and it is the one
 * its promises say: NF_ACCEPT (or the NF_QUEUE hand-off it asked for) with the bytes, mark and
 * connmark of its one successful write, or NF_DROP. (NF_REPEAT queues a packet again, which
 * this model's accounting does not follow; NfqueueVerdictFakeKernelTest covers it.)
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class NfqueueVerdictModelTest {
    private static final int NF_DROP = 0;
    private static final int NF_ACCEPT = 1;

    private final FakeNfqueueBed bed = new FakeNfqueueBed();

    /** One write of a packet, as the model expects the kernel to see it if it succeeds. */
    private static final class Write {
        final long id;
        final ChannelFuture future;
        /** The bytes sent with the verdict, or null for none. */
        final String payload;
        /** The mark sent with the verdict, or null for none. */
        final Integer mark;
        /** Whether it must fail: a second write of the packet in the same flush. */
        final boolean second;
        /** The verdict word sent. */
        final int verdict;
        /** The connmark sent, or null for none. */
        final Long connmark;

        Write(long id, ChannelFuture future, String payload, Integer mark, boolean second) {
            this(id, future, payload, mark, second, NF_ACCEPT, null);
        }

        Write(long id, ChannelFuture future, String payload, Integer mark, boolean second, int verdict, Long connmark) {
            this.id = id;
            this.future = future;
            this.payload = payload;
            this.mark = mark;
            this.second = second;
            this.verdict = verdict;
            this.connmark = connmark;
        }
    }

    @AfterEach
    void tearDown() {
        bed.close();
    }

    @ParameterizedTest(name = "seed {0}")
    @ValueSource(longs = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12})
    void everyPacketGetsExactlyOneVerdictTheOneItsPromisesSay(long seed) throws Exception {
        Random random = new Random(seed);
        bed.bind(
                new Bootstrap()
                        .option(DivertChannelOption.BATCH_SIZE, 1 + random.nextInt(16))
                        .option(DivertChannelOption.QUEUE_MAXLEN, 16) // a table of 64: holding long evicts
                        .option(DivertChannelOption.VERDICT_TIMEOUT_MILLIS, random.nextBoolean() ? 40 : 60_000),
                (ctx, p) -> bed.read.add(p));
        List<DivertPacket> held = new ArrayList<>();
        List<Write> writes = new ArrayList<>();
        Map<Long, Integer> marks = new HashMap<>();
        int delivered = 0;
        for (int round = 0; round < 40; round++) {
            int count = 1 + random.nextInt(12);
            for (int i = 0; i < count; i++) {
                FakeNfqueueKernel.Packet p = bed.kernel.queue(udp4(delivered + i, 20 + random.nextInt(200)), k -> {
                    k.mark = random.nextInt(3);
                });
                marks.put(p.id, p.mark);
            }
            delivered += count;
            held.addAll(bed.take(count));
            int trouble = random.nextInt(10);
            if (trouble == 0) {
                bed.kernel.failSends(Errno.EAGAIN);
            } else if (trouble == 1) {
                bed.kernel.failSends(Errno.ENOBUFS);
            }
            long actionSeed = random.nextLong();
            bed.onLoop(() -> {
                act(new Random(actionSeed), held, writes);
                return null;
            });
        }
        bed.onLoop(() -> {
            held.forEach(DivertPacket::release);
            held.clear();
            bed.channel.flush();
            return null;
        });
        assertTrue(bed.kernel.awaitEmpty(), "left waiting: " + bed.kernel.held());
        for (Write w : writes) {
            outcome(w.future);
        }
        check(delivered, writes, marks);
    }

    /** One round of the pipeline, on the event loop: something random for each packet held. */
    private void act(Random random, List<DivertPacket> held, List<Write> writes) {
        DivertChannel channel = bed.channel;
        List<DivertPacket> keep = new ArrayList<>();
        for (int i = held.size(); i > 0; i--) {
            DivertPacket p = held.remove(random.nextInt(i)); // a random order
            long id = p.address().tag();
            switch (random.nextInt(9)) {
                case 0:
                case 1:
                    writes.add(new Write(id, channel.write(p), null, null, false));
                    break;
                case 2: {
                    ByteBuf content = p.content();
                    content.setByte(28 + random.nextInt(content.readableBytes() - 28), random.nextInt(256));
                    String payload = ByteBufUtil.hexDump(content);
                    writes.add(
                            new Write(id, channel.write(p), payload, p.address().mark(), false));
                    break;
                }
                case 3: {
                    // The other verdicts by the packet id, so that the seeds' sequences stay as
                    // they were before there were other verdicts.
                    DivertAddress a = p.address();
                    if (id % 3 == 0) {
                        int mark = a.mark() + 10;
                        writes.add(new Write(id, channel.write(p.withAddress(a.withMark(mark))), null, mark, false));
                    } else if (id % 3 == 1) {
                        int queue = (int) (id * 7919 % 65536);
                        writes.add(new Write(
                                id,
                                channel.write(p.withAddress(a.handOff(queue))),
                                null,
                                null,
                                false,
                                queue << 16 | 3,
                                null));
                    } else {
                        int connmark = (int) (id * 0x9E3779B9L);
                        writes.add(new Write(
                                id,
                                channel.write(p.withAddress(a.withConnmark(connmark))),
                                null,
                                null,
                                false,
                                NF_ACCEPT,
                                connmark & 0xFFFF_FFFFL));
                    }
                    break;
                }
                case 4: {
                    ByteBuf copy = Unpooled.directBuffer().writeBytes(p.content());
                    copy.setByte(copy.readableBytes() - 1, 0x5A);
                    String payload = ByteBufUtil.hexDump(copy);
                    DivertPacket replaced = p.replace(copy);
                    p.release(); // the drop it queues is void: the packet is written in this task
                    writes.add(new Write(
                            id,
                            channel.write(replaced),
                            payload,
                            replaced.address().mark(),
                            false));
                    break;
                }
                case 5: {
                    p.retain();
                    writes.add(new Write(id, channel.write(p), null, null, false));
                    writes.add(new Write(id, channel.write(p), null, null, true));
                    break;
                }
                case 6:
                    p.release();
                    break;
                default:
                    keep.add(p); // held for a later round
                    break;
            }
            if (random.nextInt(4) == 0) {
                channel.flush();
            }
        }
        held.addAll(keep);
        if (random.nextInt(3) != 0) {
            channel.flush();
        }
    }

    private void check(int delivered, List<Write> writes, Map<Long, Integer> marks) throws Exception {
        assertEquals(List.of(), bed.kernel.refused(), "a second verdict for a packet");
        Map<Long, List<FakeNfqueueKernel.Event>> verdicts = new HashMap<>();
        for (FakeNfqueueKernel.Event v : bed.kernel.verdicts()) {
            verdicts.computeIfAbsent(v.id, k -> new ArrayList<>()).add(v);
        }
        assertEquals(delivered, verdicts.size(), "every packet got a verdict");
        Map<Long, Write> succeeded = new HashMap<>();
        int unchanged = 0;
        for (Write w : writes) {
            Throwable failure = w.future.cause();
            if (w.second && succeeded.containsKey(w.id)) {
                DivertIoException e = assertInstanceOf(DivertIoException.class, failure, "a second write");
                assertEquals("ENOENT", e.errnoName());
            }
            if (failure == null) {
                assertNull(succeeded.put(w.id, w), "two writes of packet " + w.id + " succeeded");
                if (w.payload == null) {
                    unchanged++;
                }
            }
        }
        long drops = 0;
        for (Map.Entry<Long, List<FakeNfqueueKernel.Event>> e : verdicts.entrySet()) {
            assertEquals(1, e.getValue().size(), "packet " + e.getKey() + ": " + e.getValue());
            FakeNfqueueKernel.Event v = e.getValue().get(0);
            Write w = succeeded.get(e.getKey());
            if (w == null) {
                assertEquals(NF_DROP, v.verdict, "packet " + v.id + " was not written: " + v);
                drops++;
                continue;
            }
            assertEquals(w.verdict, v.verdict, "packet " + v.id + " was written: " + v);
            assertEquals(w.connmark, v.connmark, "packet " + v.id);
            assertEquals(w.payload, v.payload, "packet " + v.id);
            assertEquals(w.mark, v.mark, "packet " + v.id + " (read with mark " + marks.get(v.id) + ")");
        }
        long expectedDrops = drops;
        int expectedUnchanged = unchanged;
        assertTrue(
                bed.kernel.await(() -> {
                    DivertStats s = bed.channel.stats();
                    return s.releaseDrops() + s.timeoutDrops() == expectedDrops;
                }),
                bed.channel.stats().toString() + " drops " + drops);
        DivertStats stats = bed.channel.stats();
        assertEquals(succeeded.size(), stats.packetsReinjected(), stats.toString());
        assertEquals(expectedUnchanged, stats.packetsReinjectedUnchanged(), stats.toString());
        assertEquals(delivered, stats.packetsRead(), stats.toString());
    }
}
