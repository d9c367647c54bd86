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
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.IoEvent;
import io.netty.channel.IoEventLoop;
import io.netty.channel.IoHandle;
import io.netty.channel.IoRegistration;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.ScheduledFuture;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.nettydivert.transport.nfqueue.EpollPoller;
import org.nettydivert.transport.spi.Poller;
import org.nettydivert.transport.unix.Native;
import org.nettydivert.transport.unix.Os;

/** The epoll event loop on Linux: tasks, timers, wakeups, registrations, shutdown. No root needed. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class DivertIoHandlerTest {
    private static final long WAIT_SECONDS = 10;

    private MultiThreadIoEventLoopGroup group;
    private IoEventLoop loop;
    private final List<EventFdHandle> handles = new ArrayList<>();

    @BeforeAll
    static void linuxOnly() {
        assumeTrue(Os.CURRENT == Os.LINUX, "epoll event loop test skipped: not Linux but " + Os.CURRENT);
    }

    @BeforeEach
    void startLoop() {
        group = new MultiThreadIoEventLoopGroup(1, DivertIoHandler.newFactory());
        loop = group.next();
    }

    @AfterEach
    void stopLoop() throws InterruptedException {
        if (group != null) {
            group.shutdownGracefully(0, 0, TimeUnit.MILLISECONDS).await(WAIT_SECONDS, TimeUnit.SECONDS);
        }
        for (EventFdHandle handle : handles) {
            handle.free();
        }
    }

    // ---- tasks

    @Test
    void tasksFromManyThreadsAllRunInEachThreadsOrder() throws Exception {
        int threads = 8;
        int tasksPerThread = 5000;
        CountDownLatch done = new CountDownLatch(threads * tasksPerThread);
        int[] lastSeen = new int[threads]; // touched only by the loop thread
        AtomicReference<String> disorder = new AtomicReference<>();
        List<Thread> submitters = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            int thread = t;
            submitters.add(new Thread(() -> {
                for (int i = 1; i <= tasksPerThread; i++) {
                    int seq = i;
                    loop.execute(() -> {
                        if (lastSeen[thread] != seq - 1) {
                            disorder.compareAndSet(
                                    null, "thread " + thread + ": " + seq + " after " + lastSeen[thread]);
                        }
                        lastSeen[thread] = seq;
                        done.countDown();
                    });
                }
            }));
        }

        submitters.forEach(Thread::start);
        for (Thread submitter : submitters) {
            submitter.join();
        }

        assertTrue(done.await(WAIT_SECONDS, TimeUnit.SECONDS), done.getCount() + " tasks never ran");
        assertNull(disorder.get());
    }

    @Test
    void aTaskFromAnotherThreadWakesALoopBlockedInPoll() throws Exception {
        // With a timer an hour away the loop sleeps in epoll_wait for an hour: only a wakeup
        // (the eventfd) can make it run the task.
        ScheduledFuture<?> farAway = loop.schedule(() -> {}, 1, TimeUnit.HOURS);
        try {
            for (int round = 0; round < 5; round++) {
                Thread.sleep(50); // let the loop go back to sleep
                CountDownLatch ran = new CountDownLatch(1);
                long submitted = System.nanoTime();
                AtomicLong ranAt = new AtomicLong();
                loop.execute(() -> {
                    ranAt.set(System.nanoTime());
                    ran.countDown();
                });

                assertTrue(ran.await(WAIT_SECONDS, TimeUnit.SECONDS), "round " + round + ": the loop was not woken");
                long latencyMillis = TimeUnit.NANOSECONDS.toMillis(ranAt.get() - submitted);
                assertTrue(latencyMillis < 1000, "round " + round + ": woken after " + latencyMillis + " ms");
            }
        } finally {
            farAway.cancel(false);
        }
    }

    // ---- timers

    @Test
    void scheduledTasksFireNotBeforeTheirDelayAndAtMost50MillisLate() throws Exception {
        long[] delaysMillis = {1, 5, 10, 25, 50, 100, 250};
        long[] firedAfter = new long[delaysMillis.length];
        CountDownLatch fired = new CountDownLatch(delaysMillis.length);
        long start = System.nanoTime();
        for (int i = 0; i < delaysMillis.length; i++) {
            int index = i;
            loop.schedule(
                    () -> {
                        firedAfter[index] = System.nanoTime() - start;
                        fired.countDown();
                    },
                    delaysMillis[i],
                    TimeUnit.MILLISECONDS);
        }

        assertTrue(fired.await(WAIT_SECONDS, TimeUnit.SECONDS), fired.getCount() + " timers never fired");
        for (int i = 0; i < delaysMillis.length; i++) {
            long delay = TimeUnit.MILLISECONDS.toNanos(delaysMillis[i]);
            assertTrue(firedAfter[i] >= delay, "fired early: " + firedAfter[i] + " ns for " + delaysMillis[i] + " ms");
            assertTrue(
                    firedAfter[i] <= delay + TimeUnit.MILLISECONDS.toNanos(50),
                    "fired late: " + TimeUnit.NANOSECONDS.toMillis(firedAfter[i]) + " ms for " + delaysMillis[i]
                            + " ms");
        }
    }

    @Test
    void anEarlierTimerAddedWhileTheLoopWaitsForALaterOneFiresOnTime() throws Exception {
        ScheduledFuture<?> later = loop.schedule(() -> {}, 1, TimeUnit.HOURS);
        try {
            Thread.sleep(50); // the loop now sleeps until the later timer
            CountDownLatch fired = new CountDownLatch(1);
            AtomicLong firedAt = new AtomicLong();
            long start = System.nanoTime();
            loop.schedule(
                    () -> {
                        firedAt.set(System.nanoTime());
                        fired.countDown();
                    },
                    20,
                    TimeUnit.MILLISECONDS);

            assertTrue(fired.await(WAIT_SECONDS, TimeUnit.SECONDS), "the earlier timer never fired");
            long elapsedMillis = TimeUnit.NANOSECONDS.toMillis(firedAt.get() - start);
            assertTrue(elapsedMillis >= 20 && elapsedMillis <= 70, "fired after " + elapsedMillis + " ms");
        } finally {
            later.cancel(false);
        }
    }

    @Test
    void aCancelledTimerDoesNotFire() throws Exception {
        AtomicInteger runs = new AtomicInteger();
        ScheduledFuture<?> timer = loop.schedule(runs::incrementAndGet, 30, TimeUnit.MILLISECONDS);

        assertTrue(timer.cancel(false));
        // A later timer on the same loop shows that the cancelled one's time has passed.
        loop.schedule(() -> {}, 80, TimeUnit.MILLISECONDS).await(WAIT_SECONDS, TimeUnit.SECONDS);

        assertEquals(0, runs.get());
    }

    // ---- registrations

    @Test
    void aRegisteredHandleIsToldWhenItsDescriptorBecomesReadable() throws Exception {
        EventFdHandle handle = newHandle();
        IoRegistration registration = register(handle);
        submit(registration, Poller.READABLE);

        handle.signal();

        DivertIoEvent event = handle.events.poll(WAIT_SECONDS, TimeUnit.SECONDS);
        assertNotNull(event, "no event for a readable descriptor");
        assertTrue(event.isReadable());
    }

    @Test
    void registeringCallsRegisteredOnTheHandle() throws Exception {
        EventFdHandle handle = newHandle();

        IoRegistration registration = register(handle);

        assertTrue(registration.isValid());
        assertEquals(1, handle.registered.get());
    }

    @Test
    void aHandleWithoutReadInterestIsNotToldOfReadability() throws Exception {
        EventFdHandle handle = newHandle();
        register(handle);

        handle.signal();
        sync();

        assertNull(handle.events.poll(100, TimeUnit.MILLISECONDS));
    }

    @Test
    void writeInterestReportsAWritableDescriptor() throws Exception {
        EventFdHandle handle = newHandle();
        IoRegistration registration = register(handle);

        submit(registration, Poller.WRITABLE);

        DivertIoEvent event = handle.events.poll(WAIT_SECONDS, TimeUnit.SECONDS);
        assertNotNull(event, "no event for a writable descriptor");
        assertTrue(event.isWritable());
        submit(registration, 0);
    }

    @Test
    void aCancelledRegistrationIsNoLongerToldOfReadability() throws Exception {
        EventFdHandle handle = newHandle();
        IoRegistration registration = register(handle);
        submit(registration, Poller.READABLE);
        handle.signal();
        assertNotNull(handle.events.poll(WAIT_SECONDS, TimeUnit.SECONDS), "the handle works before cancel");

        assertTrue(registration.cancel());
        assertTrue(handle.unregisteredLatch.await(WAIT_SECONDS, TimeUnit.SECONDS), "unregistered() not called");
        handle.signal();
        sync();

        assertFalse(registration.isValid());
        assertNull(handle.events.poll(100, TimeUnit.MILLISECONDS), "an event after cancel");
        assertFalse(registration.cancel(), "a second cancel does nothing");
        assertEquals(1, handle.unregistered.get());
    }

    @Test
    void aDescriptorCanBeRegisteredAgainAfterCancel() throws Exception {
        EventFdHandle handle = newHandle();
        IoRegistration first = register(handle);
        first.cancel();
        assertTrue(handle.unregisteredLatch.await(WAIT_SECONDS, TimeUnit.SECONDS));

        IoRegistration second = register(handle);
        submit(second, Poller.READABLE);
        handle.signal();

        assertNotNull(handle.events.poll(WAIT_SECONDS, TimeUnit.SECONDS));
    }

    @Test
    void registeringADescriptorTwiceFails() throws Exception {
        EventFdHandle handle = newHandle();
        register(handle);

        Future<IoRegistration> again = loop.register(new EventFdHandle(handle.fd, null));

        assertTrue(again.await(WAIT_SECONDS, TimeUnit.SECONDS));
        assertFalse(again.isSuccess());
        assertTrue(
                again.cause().getMessage().contains("already registered"),
                again.cause().toString());
    }

    @Test
    void registeringAClosedDescriptorFailsNamingEpollCtlAndEbadf() throws Exception {
        int fd = Native.Linux.eventfd(0, EpollPoller.EFD_CLOEXEC);
        Native.Posix.close(fd);

        Future<IoRegistration> registered = loop.register(new EventFdHandle(fd, null));

        assertTrue(registered.await(WAIT_SECONDS, TimeUnit.SECONDS));
        assertFalse(registered.isSuccess());
        DivertIoException e = assertInstanceOf(DivertIoException.class, registered.cause());
        assertEquals("epoll_ctl", e.call());
        assertEquals("EBADF", e.errnoName());
        assertTrue(e.getMessage().startsWith("epoll_ctl failed: EBADF"), e.getMessage());
    }

    @Test
    void isCompatibleWithDivertIoHandlesOnly() {
        assertTrue(loop.isCompatible(EventFdHandle.class));
        assertTrue(loop.isCompatible(Descriptor.class));
        assertFalse(loop.isCompatible(ForeignHandle.class));
        assertTrue(loop.isIoType(DivertIoHandler.class));
    }

    @Test
    void registeringAForeignHandleFails() throws Exception {
        Future<IoRegistration> registered = loop.register(new ForeignHandle());

        assertTrue(registered.await(WAIT_SECONDS, TimeUnit.SECONDS));
        assertFalse(registered.isSuccess());
    }

    // ---- shutdown

    @Test
    void gracefulShutdownRunsPendingTasksAndTerminates() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        loop.execute(() -> {
            try {
                release.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        AtomicInteger ran = new AtomicInteger();
        for (int i = 0; i < 100; i++) {
            loop.execute(ran::incrementAndGet);
        }

        Future<?> terminated = group.shutdownGracefully(0, WAIT_SECONDS, TimeUnit.SECONDS);
        release.countDown();

        assertTrue(terminated.await(WAIT_SECONDS, TimeUnit.SECONDS), "shutdown did not complete");
        assertTrue(terminated.isSuccess());
        assertTrue(group.isTerminated());
        assertEquals(100, ran.get());
    }

    @Test
    void shutdownClosesEveryRegisteredHandleOnce() throws Exception {
        EventFdHandle a = newHandle();
        EventFdHandle b = newHandle();
        a.registration = register(a);
        b.registration = register(b);

        assertTrue(group.shutdownGracefully(0, WAIT_SECONDS, TimeUnit.SECONDS).await(WAIT_SECONDS, TimeUnit.SECONDS));

        assertEquals(1, a.closed.get());
        assertEquals(1, b.closed.get());
        assertEquals(1, a.unregistered.get(), "closing cancelled the registration");
    }

    @Test
    void manyGroupsCreatedAndShutDownLeaveNoDescriptorBehind() throws Exception {
        cycleGroup(); // the first cycle may load classes and open jars
        long before = openDescriptors();

        for (int i = 0; i < 200; i++) {
            cycleGroup();
        }

        long after = openDescriptors();
        assertTrue(after - before <= 3, before + " descriptors before, " + after + " after 200 groups");
    }

    private static void cycleGroup() throws Exception {
        MultiThreadIoEventLoopGroup g = new MultiThreadIoEventLoopGroup(1, DivertIoHandler.newFactory());
        g.submit(() -> {}).get(WAIT_SECONDS, TimeUnit.SECONDS); // starts the loop's thread
        assertTrue(g.shutdownGracefully(0, 0, TimeUnit.MILLISECONDS).await(WAIT_SECONDS, TimeUnit.SECONDS));
    }

    static long openDescriptors() throws IOException {
        try (Stream<Path> fds = Files.list(Path.of("/proc/self/fd"))) {
            return fds.count();
        }
    }

    // ---- helpers

    private EventFdHandle newHandle() {
        int fd = Native.Linux.eventfd(0, EpollPoller.EFD_CLOEXEC | EpollPoller.EFD_NONBLOCK);
        assertTrue(fd >= 0, "eventfd failed: errno " + Native.errno());
        EventFdHandle handle = new EventFdHandle(fd, Unpooled.directBuffer(8));
        handles.add(handle);
        return handle;
    }

    private IoRegistration register(IoHandle handle) throws Exception {
        return loop.register(handle).get(WAIT_SECONDS, TimeUnit.SECONDS);
    }

    private void submit(IoRegistration registration, int interest) throws Exception {
        loop.submit(() -> registration.submit(DivertIoOps.of(interest))).get(WAIT_SECONDS, TimeUnit.SECONDS);
    }

    /** Returns once the loop has polled at least once since the call. */
    private void sync() throws Exception {
        loop.submit(() -> {}).get(WAIT_SECONDS, TimeUnit.SECONDS);
        loop.submit(() -> {}).get(WAIT_SECONDS, TimeUnit.SECONDS);
    }

    /** An eventfd as a DivertIoHandle: readable once signalled, until the handle reads it. */
    static final class EventFdHandle implements DivertIoHandle {
        final int fd;
        private final ByteBuf buffer; // null for a second handle on the same descriptor
        final BlockingQueue<DivertIoEvent> events = new LinkedBlockingQueue<>();
        final AtomicInteger registered = new AtomicInteger();
        final AtomicInteger unregistered = new AtomicInteger();
        final CountDownLatch unregisteredLatch = new CountDownLatch(1);
        final AtomicInteger closed = new AtomicInteger();
        volatile IoRegistration registration;
        private boolean fdClosed;

        EventFdHandle(int fd, ByteBuf buffer) {
            this.fd = fd;
            this.buffer = buffer;
        }

        @Override
        public int fd() {
            return fd;
        }

        /** Makes the descriptor readable. Any thread. */
        void signal() {
            ByteBuf one = Unpooled.directBuffer(8).writeLongLE(1);
            try {
                assertEquals(8, Native.Posix.write(fd, one.memoryAddress(), 8));
            } finally {
                one.release();
            }
        }

        @Override
        public void handle(IoRegistration registration, IoEvent event) {
            DivertIoEvent e = (DivertIoEvent) event;
            events.add(e);
            if (e.isReadable()) {
                Native.Posix.read(fd, buffer.memoryAddress(), 8); // level-triggered: consume it
            }
        }

        @Override
        public void registered() {
            registered.incrementAndGet();
        }

        @Override
        public void unregistered() {
            unregistered.incrementAndGet();
            unregisteredLatch.countDown();
        }

        @Override
        public void close() {
            closed.incrementAndGet();
            if (registration != null) {
                registration.cancel();
            }
        }

        synchronized void free() {
            if (buffer != null && !fdClosed) {
                fdClosed = true;
                Native.Posix.close(fd);
                buffer.release();
            }
        }
    }

    /** An IoHandle of some other transport. */
    static final class ForeignHandle implements IoHandle {
        @Override
        public void handle(IoRegistration registration, IoEvent ioEvent) {}

        @Override
        public void close() {}
    }
}
