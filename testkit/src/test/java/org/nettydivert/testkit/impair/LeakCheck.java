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
package org.nettydivert.testkit.impair;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import java.util.List;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.nettydivert.testkit.TestkitLeakDetector;
import org.opentest4j.AssertionFailedError;

/**
 * Fails a test that leaked a buffer, as {@code @IsolatedNetwork} does for the kernel tests: the
 * leak detector is PARANOID in this module's test runs and reports to {@link TestkitLeakDetector}.
 */
final class LeakCheck implements BeforeEachCallback, AfterEachCallback {
    @Override
    public void beforeEach(ExtensionContext context) {
        TestkitLeakDetector.drain();
    }

    @Override
    public void afterEach(ExtensionContext context) throws InterruptedException {
        // A leak is reported once the collector took the buffer and an allocation polls the detector.
        for (int i = 0; i < 3; i++) {
            System.gc();
            Thread.sleep(10);
            ByteBuf direct = ByteBufAllocator.DEFAULT.directBuffer(1);
            direct.release();
            ByteBuf heap = Unpooled.buffer(1);
            heap.release();
        }
        List<String> leaks = TestkitLeakDetector.drain();
        if (!leaks.isEmpty()) {
            throw new AssertionFailedError(context.getDisplayName() + " leaked:\n" + String.join("\n", leaks));
        }
    }
}
