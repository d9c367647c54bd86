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
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.util.concurrent.Future;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.nettydivert.transport.unix.Os;

/**
 * A DivertChannel before the kernel is asked: what binding, connecting and writing refuse and how
 * they say so. The lifecycle against a real NFQUEUE (bind errors from the kernel, close, the
 * descriptors) is the testsuite module's {@code DivertChannelLifecycleKernelTest}.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class DivertChannelLifecycleTest {
    private static final long WAIT_SECONDS = 10;

    private EventLoopGroup group;
    private final List<DivertChannel> channels = new ArrayList<>();

    @AfterEach
    void tearDown() throws Exception {
        for (DivertChannel channel : channels) {
            channel.close().await(WAIT_SECONDS, TimeUnit.SECONDS);
        }
        if (group != null) {
            group.shutdownGracefully(0, 0, TimeUnit.MILLISECONDS).await(WAIT_SECONDS, TimeUnit.SECONDS);
        }
    }

    /** An event loop outside any namespace: for what fails before the kernel is asked. */
    private void withoutKernel() {
        group = new MultiThreadIoEventLoopGroup(1, DivertIoHandler.newFactory());
    }

    private DivertChannel registered() throws Exception {
        DivertChannel channel = new DivertChannel();
        channels.add(channel);
        assertTrue(group.register(channel).await(WAIT_SECONDS, TimeUnit.SECONDS));
        return channel;
    }

    private static Throwable failure(Future<?> future) throws InterruptedException {
        assertTrue(future.await(WAIT_SECONDS, TimeUnit.SECONDS), "not done");
        assertFalse(future.isSuccess(), "succeeded");
        return future.cause();
    }

    // ---- availability

    @Test
    void divertIsAvailableOnLinuxWithNoCause() {
        assumeTrue(Os.CURRENT == Os.LINUX, "availability test skipped: not Linux");

        assertTrue(Divert.isAvailable());
        assertNull(Divert.unavailabilityCause());
        Divert.ensureAvailability();
    }

    // ---- bind, connect, write: refused before the kernel is asked

    @Test
    void bindingToASocketAddressThatIsNotADivertPortFails() throws Exception {
        withoutKernel();
        DivertChannel channel = registered();

        Throwable cause = failure(channel.bind(new InetSocketAddress(7)));

        assertInstanceOf(IllegalArgumentException.class, cause);
        assertTrue(cause.getMessage().contains("DivertAddress.port(n)"), cause.getMessage());
        assertFalse(channel.isActive());
    }

    @Test
    void bindingToAnInjectionAddressFails() throws Exception {
        withoutKernel();
        DivertChannel channel = registered();

        Throwable cause = failure(channel.bind(DivertAddress.outbound()));

        assertInstanceOf(IllegalArgumentException.class, cause);
        assertTrue(cause.getMessage().contains("DivertAddress.port(n)"), cause.getMessage());
    }

    @Test
    void connectFailsSayingADivertChannelBinds() throws Exception {
        withoutKernel();
        DivertChannel channel = registered();

        Throwable cause = failure(channel.connect(DivertAddress.port(1)));

        assertInstanceOf(UnsupportedOperationException.class, cause);
        assertTrue(cause.getMessage().contains("does not connect"), cause.getMessage());
    }

    @Test
    void writingSomethingThatIsNotADivertPacketFailsThePromiseAndReleasesIt() throws Exception {
        withoutKernel();
        DivertChannel channel = registered();
        ByteBuf notAPacket = Unpooled.directBuffer(20).writeZero(20);

        Throwable cause = failure(channel.writeAndFlush(notAPacket));

        assertInstanceOf(UnsupportedOperationException.class, cause);
        assertTrue(cause.getMessage().contains("writes DivertPacket"), cause.getMessage());
        assertTrue(cause.getMessage().contains(notAPacket.getClass().getName()), cause.getMessage());
        assertEquals(0, notAPacket.refCnt());
    }

    @Test
    void writingAStringFailsThePromiseNamingItsClass() throws Exception {
        withoutKernel();
        DivertChannel channel = registered();

        Throwable cause = failure(channel.writeAndFlush("hello"));

        assertTrue(cause.getMessage().contains("java.lang.String"), cause.getMessage());
    }
}
