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

import io.netty.channel.ChannelHandler;
import java.util.List;

/**
 * The kernel side of the {@link DivertContract}: something that diverts UDP datagrams to a
 * bound {@link DivertChannel} and tells which ones came out again. The real Linux kernel (an
 * NFQUEUE rule in a network namespace) is one; the fake kernels are others, and a real BSD
 * host will be one more. Every datagram goes to {@link DivertContract#PORT} on 127.0.0.1.
 */
interface ContractKernel extends AutoCloseable {
    /** Binds a channel to divert port {@link DivertContract#QUEUE} with {@code handler}. */
    DivertChannel bind(ChannelHandler handler) throws Exception;

    /** Makes the kernel divert a UDP datagram carrying {@code payload} to the bound channel. */
    void divert(byte[] payload) throws Exception;

    /**
     * The payloads of the datagrams that left the kernel for {@link DivertContract#PORT} since the
     * last call, in the order they left, waiting until {@code expected} came or a short while
     * passed without any.
     */
    List<byte[]> passed(int expected) throws Exception;

    /**
     * Packets the kernel still holds waiting for the channel's verdict, once they settled (NFQUEUE:
     * every packet gets exactly one verdict, so this must end at 0). 0 where there are no verdicts.
     */
    long waitingForVerdicts() throws Exception;

    @Override
    void close();
}
