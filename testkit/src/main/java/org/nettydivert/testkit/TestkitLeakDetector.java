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
package org.nettydivert.testkit;

import io.netty.util.ResourceLeakDetector;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The leak detector behind the kit's end-of-test check: it keeps every leak report for {@link
 * IsolatedNetwork} to fail the test with, instead of only logging it. The kit installs it (system
 * property {@code io.netty.customResourceLeakDetector}, level {@code paranoid}) before Netty
 * makes its detectors, unless the build already chose a detector; set both properties in the
 * test JVM's arguments to be sure:
 *
 * <pre>{@code
 * -Dio.netty.leakDetection.level=paranoid
 * -Dio.netty.customResourceLeakDetector=org.nettydivert.testkit.TestkitLeakDetector
 * }</pre>
 *
 * @param <T> the type of the tracked resource
 */
public final class TestkitLeakDetector<T> extends ResourceLeakDetector<T> {
    private static final List<String> LEAKS = new ArrayList<>();
    private static final Set<String> TRACKED_TYPES = ConcurrentHashMap.newKeySet();

    /**
     * Made by Netty for each tracked type.
     *
     * @param resourceType the tracked type
     * @param samplingInterval how often an allocation is tracked at {@code SIMPLE} and {@code ADVANCED}
     * @param maxActive ignored, as by Netty's own detector
     */
    public TestkitLeakDetector(Class<?> resourceType, int samplingInterval, long maxActive) {
        this(resourceType, samplingInterval);
    }

    /**
     * The constructor Netty tries after the other; having both keeps it from logging the miss.
     *
     * @param resourceType the tracked type
     * @param samplingInterval how often an allocation is tracked at {@code SIMPLE} and {@code ADVANCED}
     */
    public TestkitLeakDetector(Class<?> resourceType, int samplingInterval) {
        super(resourceType, samplingInterval);
        TRACKED_TYPES.add(resourceType.getName());
    }

    @Override
    protected boolean needReport() {
        return true;
    }

    @Override
    protected void reportTracedLeak(String resourceType, String records) {
        record("LEAK: " + resourceType + " was garbage-collected without release():" + records);
    }

    @Override
    protected void reportUntracedLeak(String resourceType) {
        record("LEAK: " + resourceType + " was garbage-collected without release() (no records)");
    }

    private static void record(String report) {
        synchronized (LEAKS) {
            LEAKS.add(report);
        }
    }

    /** Whether Netty uses this detector for {@code type} (its detectors are made once per JVM). */
    public static boolean tracks(Class<?> type) {
        return TRACKED_TYPES.contains(type.getName());
    }

    /** Returns and forgets the leaks reported so far. */
    public static List<String> drain() {
        synchronized (LEAKS) {
            List<String> leaks = new ArrayList<>(LEAKS);
            LEAKS.clear();
            return leaks;
        }
    }
}
