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
package org.nettydivert.transport.bsd;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.nettydivert.transport.DivertIoException;
import org.nettydivert.transport.spi.Poller;
import org.nettydivert.transport.unix.Errno;

/**
 * {@link KqueuePoller} against a stand-in kqueue ({@link FakeKqueue}): what it registers, how
 * it waits, wakes and reports readiness, on FreeBSD's 64-byte and OpenBSD's 32-byte kevents.
 */
class KqueuePollerLoopTest {
    private FakeKqueue kernel;
    private KqueuePoller poller;

    @AfterEach
    void close() {
        if (poller != null) {
            poller.close();
        }
    }

    private KqueuePoller open(KeventLayout layout) throws Exception {
        kernel = new FakeKqueue(layout);
        poller = new KqueuePoller(layout, kernel, layout.hasUserFilter() ? 0 : BsdAbi.OPENBSD.pipeFlags());
        return poller;
    }

    @Test
    void freeBsdRegistersAClearingUserFilterForWakeups() throws Exception {
        open(KeventLayout.FREEBSD);
        assertEquals(List.of("add 0/-11 flags 0x61"), kernel.changes);
        assertEquals(-1, kernel.pipeFlags, "no pipe");
    }

    @Test
    void wakeupFromAnotherThreadEndsTheWaitAndIsNotReportedAsReadiness() throws Exception {
        open(KeventLayout.FREEBSD);
        Thread other = new Thread(poller::wakeup);
        other.start();
        other.join();
        assertEquals(1, kernel.triggers);
        assertEquals(0, poller.poll(-1));
        assertEquals(0, poller.poll(0), "consumed: EV_CLEAR reset it");
    }

    @Test
    void macOsWakesWithItsOwnUserFilter() throws Exception {
        open(KeventLayout.MACOS);
        assertEquals(List.of("add 0/-10 flags 0x61"), kernel.changes);
        poller.wakeup();
        assertEquals(1, kernel.triggers);
    }

    @Test
    void openBsdWakesThroughANonBlockingCloseOnExecPipeThatThePollDrains() throws Exception {
        open(KeventLayout.OPENBSD);
        assertEquals(0x10004, kernel.pipeFlags);
        assertEquals(List.of("add 20/-1 flags 0x41"), kernel.changes);
        for (int i = 0; i < 100; i++) {
            poller.wakeup();
        }
        assertEquals(100, kernel.pipeBytes);
        assertEquals(0, poller.poll(-1), "the pipe is the poller's own, not a ready descriptor");
        assertEquals(0, kernel.pipeBytes, "drained");
    }

    @Test
    void readAndWriteReadinessAreReportedPerFilter() throws Exception {
        open(KeventLayout.FREEBSD);
        poller.add(7, Poller.READABLE | Poller.WRITABLE);
        assertEquals(Set.of("0/-11", "7/-1", "7/-2"), kernel.registered);
        kernel.ready.add(new long[] {7, KeventLayout.EVFILT_READ, 0, 1500});
        kernel.ready.add(new long[] {7, KeventLayout.EVFILT_WRITE, 0, 65536});
        assertEquals(2, poller.poll(0));
        assertEquals(7, poller.readyFd(0));
        assertEquals(Poller.READABLE, poller.readyOps(0));
        assertEquals(7, poller.readyFd(1));
        assertEquals(Poller.WRITABLE, poller.readyOps(1));
    }

    @Test
    void modifyAddsAndDeletesOnlyTheFiltersThatChange() throws Exception {
        open(KeventLayout.OPENBSD);
        poller.add(9, Poller.READABLE);
        poller.modify(9, Poller.READABLE, Poller.WRITABLE);
        assertTrue(kernel.registered.contains("9/-2"));
        assertFalse(kernel.registered.contains("9/-1"));
        poller.remove(9, Poller.WRITABLE);
        assertEquals(Set.of("20/-1"), kernel.registered);
    }

    @Test
    void refusedChangeThrowsNamingTheFilterAndDescriptor() throws Exception {
        open(KeventLayout.FREEBSD);
        kernel.changeErrors.put("11/-1", Errno.EBADF);
        DivertIoException e = assertThrows(DivertIoException.class, () -> poller.add(11, Poller.READABLE));
        assertEquals("EBADF", e.errnoName());
        assertTrue(e.getMessage().contains("filter -1 of descriptor 11"), e.getMessage());
    }

    @Test
    void errorEntriesInTheResultAreSkipped() throws Exception {
        open(KeventLayout.FREEBSD);
        kernel.ready.add(new long[] {5, KeventLayout.EVFILT_READ, KeventLayout.EV_ERROR, Errno.EBADF});
        kernel.ready.add(new long[] {6, KeventLayout.EVFILT_READ, 0, 1});
        assertEquals(1, poller.poll(0));
        assertEquals(6, poller.readyFd(0));
    }

    @Test
    void endOfFileIsReportedAsReadableAndWritable() throws Exception {
        open(KeventLayout.OPENBSD);
        kernel.ready.add(new long[] {6, KeventLayout.EVFILT_READ, KeventLayout.EV_EOF, 0});
        assertEquals(1, poller.poll(0));
        assertEquals(Poller.READABLE | Poller.WRITABLE, poller.readyOps(0));
    }

    @Test
    void interruptedWaitReportsNothingReady() throws Exception {
        open(KeventLayout.FREEBSD);
        kernel.waitError = Errno.EINTR;
        assertEquals(0, poller.poll(-1));
    }

    @Test
    void failedWaitThrowsNamingKevent() throws Exception {
        open(KeventLayout.FREEBSD);
        kernel.waitError = Errno.EBADF;
        DivertIoException e = assertThrows(DivertIoException.class, () -> poller.poll(0));
        assertEquals("kevent", e.call());
    }

    @Test
    void negativeTimeoutWaitsForeverWithANullTimespec() throws Exception {
        open(KeventLayout.FREEBSD);
        poller.poll(-1);
        assertNull(kernel.lastTimeout);
    }

    @Test
    void timeoutIsPassedAsSecondsAndNanoseconds() throws Exception {
        open(KeventLayout.FREEBSD);
        poller.poll(1_500_000_000L);
        assertArrayEquals(new long[] {1, 500_000_000}, kernel.lastTimeout);
        poller.poll(0);
        assertArrayEquals(new long[] {0, 0}, kernel.lastTimeout);
    }

    @Test
    void closeClosesTheQueueAndThePipeOnce() throws Exception {
        open(KeventLayout.OPENBSD);
        poller.close();
        poller.close();
        assertEquals(List.of(FakeKqueue.PIPE_READ, FakeKqueue.PIPE_WRITE, FakeKqueue.KQ), kernel.closed);
        poller = null;
    }
}
