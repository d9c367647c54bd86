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

import io.netty.channel.IoHandle;
import io.netty.channel.IoHandler;
import io.netty.channel.IoHandlerContext;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.IoOps;
import io.netty.channel.IoRegistration;
import io.netty.util.collection.IntObjectHashMap;
import io.netty.util.collection.IntObjectMap;
import io.netty.util.concurrent.SingleThreadEventExecutor;
import io.netty.util.concurrent.ThreadAwareExecutor;
import io.netty.util.internal.logging.InternalLogger;
import io.netty.util.internal.logging.InternalLoggerFactory;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import org.nettydivert.transport.spi.Poller;

/**
 * The Netty {@link IoHandler} that drives {@link DivertChannel}s: epoll on Linux, kqueue on
 * FreeBSD and OpenBSD, both over JNA. Create event loops with it as with Netty's own
 * native transports:
 *
 * <pre>{@code
 * EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, DivertIoHandler.newFactory());
 * }</pre>
 */
public final class DivertIoHandler implements IoHandler {
    private static final InternalLogger logger = InternalLoggerFactory.getInstance(DivertIoHandler.class);

    private final ThreadAwareExecutor executor;
    private final Poller poller;
    private final IntObjectMap<Registration> registrations = new IntObjectHashMap<>();
    // True while the loop is awake: other threads then need not make the poller return.
    private final AtomicBoolean awake = new AtomicBoolean(true);
    private boolean shutdownHookAdded;

    private DivertIoHandler(ThreadAwareExecutor executor) {
        Divert.ensureAvailability();
        this.executor = executor;
        try {
            this.poller = Backends.openPoller();
        } catch (IOException e) {
            throw new IllegalStateException("cannot open the event loop's poller", e);
        }
    }

    /** A factory for {@code MultiThreadIoEventLoopGroup}; fails if {@link Divert#isAvailable()} is false. */
    public static IoHandlerFactory newFactory() {
        Divert.ensureAvailability();
        return DivertIoHandler::new;
    }

    @Override
    public int run(IoHandlerContext context) {
        int ready;
        try {
            if (context.canBlock()) {
                awake.set(false);
                // A task queued before we said we sleep did not wake us: look again.
                long timeout = context.canBlock() ? context.delayNanos(System.nanoTime()) : 0;
                ready = poller.poll(timeout);
                awake.set(true);
            } else {
                ready = poller.poll(0);
            }
        } catch (IOException e) {
            logger.warn("poller failed", e);
            return 0;
        }
        for (int i = 0; i < ready; i++) {
            Registration registration = registrations.get(poller.readyFd(i));
            if (registration != null && registration.isValid()) {
                registration.handle.handle(registration, DivertIoEvent.of(poller.readyOps(i)));
            }
        }
        return ready;
    }

    @Override
    public void wakeup() {
        if (!executor.isExecutorThread(Thread.currentThread()) && awake.compareAndSet(false, true)) {
            poller.wakeup();
        }
    }

    @Override
    public IoRegistration register(IoHandle handle) throws Exception {
        DivertIoHandle divertHandle = (DivertIoHandle) handle;
        int fd = divertHandle.fd();
        if (registrations.containsKey(fd)) {
            throw new IllegalStateException("descriptor " + fd + " is already registered");
        }
        addShutdownHook();
        poller.add(fd, 0);
        Registration registration = new Registration(divertHandle, fd);
        registrations.put(fd, registration);
        handle.registered();
        return registration;
    }

    @Override
    public boolean isCompatible(Class<? extends IoHandle> handleType) {
        return DivertIoHandle.class.isAssignableFrom(handleType);
    }

    /**
     * Closes the channels while the loop still runs tasks. The loop skips {@link
     * #prepareToDestroy()} when shutdown is requested while it runs tasks and it may stop at once
     * (no quiet period); by {@link #destroy()} it accepts no task, and a channel closed then
     * cannot deliver channelInactive (Netty logs "Can't invoke task later as EventLoop rejected
     * it"). Shutdown hooks run before that, in every case. Called on the loop, from register.
     */
    private void addShutdownHook() {
        if (!shutdownHookAdded && executor instanceof SingleThreadEventExecutor) {
            shutdownHookAdded = true;
            ((SingleThreadEventExecutor) executor).addShutdownHook(this::closeAll);
        }
    }

    @Override
    public void prepareToDestroy() {
        closeAll();
    }

    private void closeAll() {
        // Closing a handle cancels its registration, which edits the map: iterate over a copy.
        List<Registration> all = new ArrayList<>(registrations.values());
        for (Registration registration : all) {
            try {
                registration.handle.close();
            } catch (Exception e) {
                logger.debug("failed to close {} on shutdown", registration.handle, e);
            }
        }
    }

    @Override
    public void destroy() {
        // Normally nothing is left (see addShutdownHook); on an executor without shutdown hooks
        // this is the last chance to close what is.
        closeAll();
        poller.close();
    }

    private final class Registration implements IoRegistration {
        final DivertIoHandle handle;
        final int fd;
        int interest;
        boolean valid = true;

        Registration(DivertIoHandle handle, int fd) {
            this.handle = handle;
            this.fd = fd;
        }

        @Override
        @SuppressWarnings("unchecked")
        public <T> T attachment() {
            return null;
        }

        @Override
        public long submit(IoOps ops) {
            assert executor.isExecutorThread(Thread.currentThread());
            if (!valid) {
                return -1;
            }
            int wanted = ((DivertIoOps) ops).interest;
            if (wanted != interest) {
                try {
                    poller.modify(fd, interest, wanted);
                    interest = wanted;
                } catch (IOException e) {
                    throw new IllegalStateException(e);
                }
            }
            return interest;
        }

        @Override
        public boolean isValid() {
            return valid;
        }

        @Override
        public boolean cancel() {
            if (!valid) {
                return false;
            }
            valid = false;
            if (executor.isExecutorThread(Thread.currentThread())) {
                deregister();
            } else {
                executor.execute(this::deregister);
            }
            return true;
        }

        private void deregister() {
            if (registrations.get(fd) == this) {
                registrations.remove(fd);
                try {
                    poller.remove(fd, interest);
                } catch (IOException e) {
                    // The descriptor may already be closed, which removed it from the poller.
                    logger.debug("failed to stop watching descriptor {}", fd, e);
                }
            }
            handle.unregistered();
        }
    }
}
