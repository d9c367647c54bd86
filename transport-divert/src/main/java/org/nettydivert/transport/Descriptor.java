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

import io.netty.channel.IoEvent;
import io.netty.channel.IoRegistration;
import org.nettydivert.transport.spi.Poller;

/** One descriptor of a {@link DivertChannel}, as the event loop sees it. */
final class Descriptor implements DivertIoHandle {
    private final DivertChannel channel;
    final int fd;
    IoRegistration registration;
    private int interest;

    Descriptor(DivertChannel channel, int fd) {
        this.channel = channel;
        this.fd = fd;
    }

    @Override
    public int fd() {
        return fd;
    }

    void setInterest(int op, boolean on) {
        int wanted = on ? interest | op : interest & ~op;
        if (wanted != interest && registration != null && registration.isValid()) {
            registration.submit(DivertIoOps.of(wanted));
            interest = wanted;
        }
    }

    @Override
    public void handle(IoRegistration registration, IoEvent event) {
        DivertIoEvent e = (DivertIoEvent) event;
        if (e.isWritable() && (interest & Poller.WRITABLE) != 0) {
            channel.writeReady();
        }
        if (e.isReadable() && (interest & Poller.READABLE) != 0) {
            channel.readReady(fd);
        }
    }

    @Override
    public void close() {
        channel.unsafe().close(channel.unsafe().voidPromise());
    }
}
