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

import io.netty.buffer.ByteBuf;

/**
 * What every header view has: a buffer and the absolute index where the header starts.
 *
 * <p>A view is a flyweight: {@code wrap} points it at a header, the getters and setters read and
 * write that buffer in network byte order at absolute indexes, and one instance can be re-wrapped
 * for every packet. Views never allocate, never move the buffer's indexes, check no bounds beyond
 * the buffer's own, and are not thread-safe. Only methods that return an {@code InetAddress} or a
 * {@code String} allocate; they are for people, not for the packet path.
 *
 * <p>Views can be subclassed in this package only (the constructors are package-private), so that a
 * new protocol is one new view class and one line in the protocol table, without a list of permitted
 * subclasses to edit.
 */
public abstract class HeaderView {
    ByteBuf buf;
    int offset;

    HeaderView() {}

    final void doWrap(ByteBuf buf, int offset) {
        this.buf = buf;
        this.offset = offset;
    }

    /** The buffer this view reads and writes, or {@code null} before the first {@code wrap}. */
    public final ByteBuf buffer() {
        return buf;
    }

    /** The absolute index in {@link #buffer()} where the header starts. */
    public final int offset() {
        return offset;
    }
}
