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

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.nettydivert.transport.bsd.KeventLayoutTest.assertBytes;
import static org.nettydivert.transport.bsd.KeventLayoutTest.filled;

import io.netty.buffer.ByteBuf;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.nettydivert.transport.spi.Poller;

/**
 * What {@link KqueuePoller} hands to kevent(2): change lists, the wakeup and timeouts, checked
 * byte for byte since no kqueue kernel runs here.
 */
class KqueuePollerTest {
    private static final KeventLayout FREEBSD = KeventLayout.FREEBSD;
    private static final int FD = 0x1234;

    private final ByteBuf changes = filled(2 * 64);

    @AfterEach
    void release() {
        changes.release();
    }

    private void assertChange(KeventLayout layout, int i, long ident, short filter, int flags, int fflags) {
        assertEquals(ident, layout.ident(changes, i), "ident of change " + i);
        assertEquals(filter, layout.filter(changes, i), "filter of change " + i);
        assertEquals(flags, layout.flags(changes, i), "flags of change " + i);
        assertEquals(fflags, layout.fflags(changes, i), "fflags of change " + i);
        assertEquals(0, layout.data(changes, i), "data of change " + i);
        assertEquals(0, layout.udata(changes, i), "udata of change " + i);
    }

    @Test
    void registeringWithNoInterestSubmitsNoChange() {
        assertEquals(0, KqueuePoller.encodeChanges(FREEBSD, changes, FD, 0, 0));
        assertEquals((byte) 0xA5, changes.getByte(0), "buffer untouched");
    }

    @Test
    void readInterestAddsTheReadFilterWithAReceipt() {
        assertEquals(1, KqueuePoller.encodeChanges(FREEBSD, changes, FD, 0, Poller.READABLE));
        assertChange(FREEBSD, 0, FD, KeventLayout.EVFILT_READ, KeventLayout.EV_ADD | KeventLayout.EV_RECEIPT, 0);
        // ident 0x1234, filter -1, flags EV_ADD|EV_RECEIPT = 0x41, little-endian.
        assertBytes(changes, 0, 0x34, 0x12, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 0x41, 0x00, 0, 0, 0, 0);
    }

    @Test
    void readAndWriteInterestAddsBothFiltersReadFirst() {
        assertEquals(2, KqueuePoller.encodeChanges(FREEBSD, changes, FD, 0, Poller.READABLE | Poller.WRITABLE));
        assertChange(FREEBSD, 0, FD, KeventLayout.EVFILT_READ, KeventLayout.EV_ADD | KeventLayout.EV_RECEIPT, 0);
        assertChange(FREEBSD, 1, FD, KeventLayout.EVFILT_WRITE, KeventLayout.EV_ADD | KeventLayout.EV_RECEIPT, 0);
    }

    @Test
    void switchingFromReadToWriteDeletesOneFilterAndAddsTheOther() {
        assertEquals(2, KqueuePoller.encodeChanges(FREEBSD, changes, FD, Poller.READABLE, Poller.WRITABLE));
        assertChange(FREEBSD, 0, FD, KeventLayout.EVFILT_READ, KeventLayout.EV_DELETE | KeventLayout.EV_RECEIPT, 0);
        assertChange(FREEBSD, 1, FD, KeventLayout.EVFILT_WRITE, KeventLayout.EV_ADD | KeventLayout.EV_RECEIPT, 0);
    }

    @Test
    void droppingWriteInterestDeletesOnlyTheWriteFilter() {
        int all = Poller.READABLE | Poller.WRITABLE;
        assertEquals(1, KqueuePoller.encodeChanges(FREEBSD, changes, FD, all, Poller.READABLE));
        assertChange(FREEBSD, 0, FD, KeventLayout.EVFILT_WRITE, KeventLayout.EV_DELETE | KeventLayout.EV_RECEIPT, 0);
    }

    @Test
    void unchangedInterestSubmitsNoChange() {
        assertEquals(0, KqueuePoller.encodeChanges(FREEBSD, changes, FD, Poller.WRITABLE, Poller.WRITABLE));
    }

    @Test
    void removingDeletesEveryWatchedFilter() {
        int all = Poller.READABLE | Poller.WRITABLE;
        assertEquals(2, KqueuePoller.encodeChanges(FREEBSD, changes, FD, all, 0));
        assertChange(FREEBSD, 0, FD, KeventLayout.EVFILT_READ, KeventLayout.EV_DELETE | KeventLayout.EV_RECEIPT, 0);
        assertChange(FREEBSD, 1, FD, KeventLayout.EVFILT_WRITE, KeventLayout.EV_DELETE | KeventLayout.EV_RECEIPT, 0);
    }

    @Test
    void freeBsdChangesZeroTheExtensionWords() {
        KqueuePoller.encodeChanges(FREEBSD, changes, FD, 0, Poller.READABLE | Poller.WRITABLE);
        for (int entry = 0; entry < 2; entry++) {
            for (int i = KeventLayout.EXT_OFFSET; i < 64; i++) {
                assertEquals(0, changes.getByte(entry * 64 + i), "entry " + entry + " ext byte " + i);
            }
        }
    }

    @Test
    void thirtyTwoByteChangesArePackedBackToBack() {
        KeventLayout openBsd = KeventLayout.OPENBSD;
        assertEquals(2, KqueuePoller.encodeChanges(openBsd, changes, 5, 0, Poller.READABLE | Poller.WRITABLE));
        // The second change starts at byte 32, not 64.
        assertBytes(changes, 32, 5, 0, 0, 0, 0, 0, 0, 0, 0xfe, 0xff, 0x41, 0x00);
        assertEquals((byte) 0xA5, changes.getByte(64), "nothing written past two entries");
    }

    @Test
    void userWakeupIsRegisteredClearingWithFreeBsdsFilter() {
        KqueuePoller.encodeUserWakeupRegistration(FREEBSD, changes);
        assertChange(
                FREEBSD,
                0,
                KqueuePoller.WAKEUP_IDENT,
                (short) -11,
                KeventLayout.EV_ADD | KeventLayout.EV_CLEAR | KeventLayout.EV_RECEIPT,
                0);
        assertBytes(changes, 8, 0xf5, 0xff, 0x61, 0x00);
    }

    @Test
    void userWakeupIsTriggeredWithNoteTrigger() {
        KqueuePoller.encodeUserTrigger(FREEBSD, changes);
        assertChange(FREEBSD, 0, KqueuePoller.WAKEUP_IDENT, (short) -11, 0, KeventLayout.NOTE_TRIGGER);
        assertBytes(changes, 12, 0x00, 0x00, 0x00, 0x01);
    }

    @Test
    void macOsWakeupUsesItsOwnUserFilterValue() {
        KqueuePoller.encodeUserTrigger(KeventLayout.MACOS, changes);
        assertEquals(-10, KeventLayout.MACOS.filter(changes, 0));
    }

    @Test
    void openBsdHasNoUserTriggerToEncode() {
        KqueuePoller.encodeUserTrigger(KeventLayout.OPENBSD, changes);
        assertEquals((byte) 0xA5, changes.getByte(0), "OpenBSD wakes with a pipe");
    }

    @Test
    void timespecIsSixteenBytesOfSecondsThenNanoseconds() {
        assertEquals(16, KqueuePoller.TIMESPEC_SIZE);
        assertEquals(0, KqueuePoller.TV_SEC_OFFSET);
        assertEquals(8, KqueuePoller.TV_NSEC_OFFSET);
        KqueuePoller.encodeTimespec(changes, 16, 2_500_000_001L);
        assertBytes(changes, 16, 2, 0, 0, 0, 0, 0, 0, 0);
        // 500000001 = 0x1DCD6501
        assertBytes(changes, 24, 0x01, 0x65, 0xcd, 0x1d, 0, 0, 0, 0);
    }

    @Test
    void zeroTimeoutIsAnAllZeroTimespec() {
        KqueuePoller.encodeTimespec(changes, 0, 0);
        assertBytes(changes, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0);
    }

    @Test
    void hugeTimeoutIsCappedAtTwoToTheThirtyOneSeconds() {
        KqueuePoller.encodeTimespec(changes, 0, Long.MAX_VALUE);
        assertEquals(Integer.MAX_VALUE, changes.getLongLE(0));
        assertEquals(Long.MAX_VALUE % 1_000_000_000L, changes.getLongLE(8));
    }

    @Test
    void readFilterReportsReadableAndWriteFilterWritable() {
        assertEquals(Poller.READABLE, KqueuePoller.readyOps(KeventLayout.EVFILT_READ, KeventLayout.EV_ADD));
        assertEquals(Poller.WRITABLE, KqueuePoller.readyOps(KeventLayout.EVFILT_WRITE, 0));
    }

    @Test
    void endOfFileReportsBothLikeAHangUp() {
        assertEquals(
                Poller.READABLE | Poller.WRITABLE,
                KqueuePoller.readyOps(KeventLayout.EVFILT_READ, KeventLayout.EV_EOF));
    }
}
