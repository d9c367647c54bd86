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

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOption;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.nettydivert.transport.unix.Os;

/** Options that belong to one backend are refused by the others, never ignored. */
class DivertChannelConfigTest {
    private static final List<ChannelOption<?>> NFQUEUE_ONLY = List.of(
            DivertChannelOption.QUEUE_MAXLEN,
            DivertChannelOption.FAIL_OPEN,
            DivertChannelOption.GSO,
            DivertChannelOption.NO_ENOBUFS,
            DivertChannelOption.VERDICT_TIMEOUT_MILLIS,
            DivertChannelOption.INJECT_MARK,
            DivertChannelOption.NFQUEUE_METADATA,
            DivertChannelOption.NETWORK_NAMESPACE);
    private static final List<ChannelOption<?>> EVERYWHERE = List.of(
            DivertChannelOption.MAX_PACKET_SIZE,
            DivertChannelOption.BATCH_SIZE,
            ChannelOption.SO_RCVBUF,
            ChannelOption.SO_SNDBUF);

    @Test
    void nfqueueOptionsAreRefusedOnTheBsdsNamingTheOptionAndTheSystem() {
        for (Os os : List.of(Os.FREEBSD, Os.OPENBSD)) {
            for (ChannelOption<?> option : NFQUEUE_ONLY) {
                UnsupportedOperationException e = assertThrows(
                        UnsupportedOperationException.class, () -> DivertChannelConfig.checkSupported(option, os));
                assertTrue(
                        e.getMessage().startsWith(option.name() + " is an option of Linux (NFQUEUE) only, not " + os),
                        e.getMessage());
            }
            assertDoesNotThrow(() -> DivertChannelConfig.checkSupported(DivertChannelOption.REUSEPORT_LB, os));
        }
        for (ChannelOption<?> option : NFQUEUE_ONLY) {
            assertDoesNotThrow(() -> DivertChannelConfig.checkSupported(option, Os.LINUX));
        }
    }

    @Test
    void reuseportLbIsRefusedOnLinuxPointingToQueueBalance() {
        UnsupportedOperationException e = assertThrows(
                UnsupportedOperationException.class,
                () -> DivertChannelConfig.checkSupported(DivertChannelOption.REUSEPORT_LB, Os.LINUX));
        assertTrue(
                e.getMessage()
                        .contains(
                                "org.nettydivert.transport.DivertChannelOption#REUSEPORT_LB is an option of FreeBSD only, not LINUX"),
                e.getMessage());
        assertTrue(e.getMessage().contains("--queue-balance"), e.getMessage());
    }

    @Test
    void optionsEveryBackendHasAreNeverRefused() {
        for (Os os : List.of(Os.LINUX, Os.FREEBSD, Os.OPENBSD)) {
            for (ChannelOption<?> option : EVERYWHERE) {
                assertDoesNotThrow(() -> DivertChannelConfig.checkSupported(option, os));
            }
        }
    }

    @Test
    void aBootstrapWithAnOptionOfAnotherBackendFailsTheBind() throws Exception {
        // Bootstrap only logs what setOption throws; the bind must fail. No kernel is asked.
        MultiThreadIoEventLoopGroup group = new MultiThreadIoEventLoopGroup(1, DivertIoHandler.newFactory());
        try {
            ChannelFuture bind = new Bootstrap()
                    .group(group)
                    .channel(DivertChannel.class)
                    .option(DivertChannelOption.REUSEPORT_LB, true)
                    .handler(new ChannelInboundHandlerAdapter())
                    .bind(DivertAddress.port(7));
            assertTrue(bind.await(10, TimeUnit.SECONDS));
            assertInstanceOf(UnsupportedOperationException.class, bind.cause(), String.valueOf(bind.cause()));
            assertTrue(
                    bind.cause().getMessage().contains("DivertChannelOption#REUSEPORT_LB"),
                    bind.cause().getMessage());
            assertTrue(bind.channel().closeFuture().await(10, TimeUnit.SECONDS));
        } finally {
            group.shutdownGracefully(0, 0, TimeUnit.MILLISECONDS).sync();
        }
    }
}
