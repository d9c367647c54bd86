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
package org.nettydivert.transport.unix;

/**
 * Layouts of {@code struct iovec}, {@code struct msghdr} and {@code struct mmsghdr} on the 64-bit
 * systems we support. Linux widens {@code msg_iovlen} and {@code msg_controllen} to {@code size_t};
 * the BSDs keep them {@code int}/{@code socklen_t}, so their msghdr is 48 bytes, not 56. Pinned
 * by {@code LinuxAbiTest} (against the system headers) and {@code BsdAbiTest} (against {@code
 * docs/ABI.md#bsd-message-headers}, which cites the BSD headers).
 */
public final class MsgLayout {
    public static final int IOVEC_SIZE = 16;
    public static final int IOV_BASE = 0;
    public static final int IOV_LEN = 8;

    public static final int MSG_NAME = 0;
    public static final int MSG_NAMELEN = 8;
    public static final int MSG_IOV = 16;
    public static final int MSG_IOVLEN = 24;
    public static final int MSG_CONTROL = 32;
    public static final int MSG_CONTROLLEN = 40;

    public static final MsgLayout LINUX = new MsgLayout(56, 48, 64, 56, true);
    public static final MsgLayout BSD = new MsgLayout(48, 44, 56, 48, false);

    public final int msghdrSize;
    public final int flagsOffset;
    public final int mmsghdrSize;
    /** {@code msg_len}: unsigned int on Linux and OpenBSD, ssize_t on FreeBSD; its low 32 bits on all. */
    public final int msgLenOffset;
    /** Whether msg_iovlen and msg_controllen are 64-bit. */
    public final boolean wideLengths;

    private MsgLayout(int msghdrSize, int flagsOffset, int mmsghdrSize, int msgLenOffset, boolean wideLengths) {
        this.msghdrSize = msghdrSize;
        this.flagsOffset = flagsOffset;
        this.mmsghdrSize = mmsghdrSize;
        this.msgLenOffset = msgLenOffset;
        this.wideLengths = wideLengths;
    }

    public static MsgLayout current() {
        return Os.CURRENT == Os.LINUX ? LINUX : BSD;
    }
}
