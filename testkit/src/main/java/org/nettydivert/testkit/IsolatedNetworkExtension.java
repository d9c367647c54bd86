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

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.netty.util.ResourceLeakDetector;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;
import org.junit.platform.commons.support.AnnotationSupport;
import org.nettydivert.testkit.platform.ManagedNetwork;
import org.nettydivert.testkit.platform.Platform;
import org.nettydivert.testkit.platform.Platforms;
import org.opentest4j.AssertionFailedError;
import org.opentest4j.TestAbortedException;

/**
 * The JUnit 5 extension behind {@link IsolatedNetwork}: before each test it makes the network
 * (or skips the test, saying why in one line), hands it to the test as a {@link TestNetwork}
 * parameter, and after the test checks it and removes it.
 *
 * <p>The checks, in order: no packet waits for a verdict (NFQUEUE's per-queue count, given two
 * seconds to drain), then, with the network removed, no namespace or jail survived, then no
 * buffer leaked. Any failure fails the test, with every problem found.
 */
public final class IsolatedNetworkExtension implements BeforeEachCallback, AfterEachCallback, ParameterResolver {
    private static final ExtensionContext.Namespace STORE =
            ExtensionContext.Namespace.create(IsolatedNetworkExtension.class);
    private static final long SETTLE_MILLIS = 2000;

    private static final Platform PLATFORM = Platforms.current();
    private static final AtomicBoolean SWEPT = new AtomicBoolean();
    private static final AtomicBoolean LEAK_CHECK_WARNED = new AtomicBoolean();
    private static volatile String skipReason;

    static {
        // Before any buffer exists, when the build chose nothing: the kit's detector, strictest level.
        if (System.getProperty("io.netty.customResourceLeakDetector") == null) {
            System.setProperty("io.netty.customResourceLeakDetector", TestkitLeakDetector.class.getName());
        }
        if (System.getProperty("io.netty.leakDetection.level") == null) {
            System.setProperty("io.netty.leakDetection.level", "paranoid");
            ResourceLeakDetector.setLevel(ResourceLeakDetector.Level.PARANOID);
        }
    }

    /** Made by JUnit through {@link IsolatedNetwork}. */
    public IsolatedNetworkExtension() {}

    @Override
    public void beforeEach(ExtensionContext context) {
        network(context);
    }

    @Override
    public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
        return parameter.getParameter().getType() == TestNetwork.class;
    }

    @Override
    public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
        return network(context);
    }

    @Override
    public void afterEach(ExtensionContext context) {
        Held held = context.getStore(STORE).remove(Held.class, Held.class);
        if (held == null) {
            return;
        }
        List<String> problems = new ArrayList<>(held.network.unsettled(SETTLE_MILLIS));
        RuntimeException closeFailure = null;
        try {
            held.close();
        } catch (RuntimeException e) {
            closeFailure = e;
            problems.add("removing the network failed: " + e);
        }
        for (String survivor : held.network.survivors()) {
            problems.add(survivor + " survived the test");
        }
        problems.addAll(leaks());
        if (!problems.isEmpty()) {
            AssertionFailedError failure = new AssertionFailedError("the isolated network of "
                    + context.getDisplayName() + " was not left clean:\n  " + String.join("\n  ", problems));
            if (closeFailure != null) {
                failure.addSuppressed(closeFailure);
            }
            throw failure;
        }
    }

    private static ManagedNetwork network(ExtensionContext context) {
        ExtensionContext.Store store = context.getStore(STORE);
        Held held = store.get(Held.class, Held.class);
        if (held == null) {
            assumeAvailable();
            if (SWEPT.compareAndSet(false, true)) {
                List<String> removed = PLATFORM.sweep();
                if (!removed.isEmpty()) {
                    System.err.println("netty-divert testkit: removed networks left by earlier runs: " + removed);
                }
            }
            TestkitLeakDetector.drain(); // leaks of code that ran before the test are not its own
            held = new Held(PLATFORM.create(topology(context)));
            store.put(Held.class, held);
        }
        return held.network;
    }

    private static Topology topology(ExtensionContext context) {
        Optional<IsolatedNetwork> onMethod =
                context.getTestMethod().flatMap(m -> AnnotationSupport.findAnnotation(m, IsolatedNetwork.class));
        return onMethod.or(() ->
                        context.getTestClass().flatMap(c -> AnnotationSupport.findAnnotation(c, IsolatedNetwork.class)))
                .map(IsolatedNetwork::value)
                .orElse(Topology.SINGLE);
    }

    /** Skips the test, with one line saying why, where networks cannot be made; the line is printed once. */
    static void assumeAvailable() {
        String reason = skipReason;
        if (reason == null) {
            synchronized (IsolatedNetworkExtension.class) {
                reason = skipReason;
                if (reason == null) {
                    reason = PLATFORM.whyUnavailable();
                    if (!reason.isEmpty()) {
                        // Surefire counts skipped tests but does not print why: this line does, once per JVM.
                        System.err.println(reason);
                    }
                    skipReason = reason;
                }
            }
        }
        if (!reason.isEmpty()) {
            throw new Skipped(reason);
        }
    }

    /**
     * Leaks reported since the test began. A leak is reported when the garbage collector has
     * taken the buffer and a later allocation polls the detector, so this collects and allocates
     * a few times first.
     */
    private static List<String> leaks() {
        for (int i = 0; i < 3; i++) {
            System.gc();
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
            ByteBuf pooled = ByteBufAllocator.DEFAULT.directBuffer(1);
            pooled.release();
            ByteBuf heap = Unpooled.buffer(1);
            heap.release();
        }
        if (!TestkitLeakDetector.tracks(ByteBuf.class) && LEAK_CHECK_WARNED.compareAndSet(false, true)) {
            String chosen = System.getProperty("io.netty.customResourceLeakDetector", "");
            if (!chosen.isEmpty() && !chosen.equals(TestkitLeakDetector.class.getName())) {
                // The build chose a detector of its own (and, presumably, a check of its own).
                System.err.println("netty-divert testkit: buffer leaks are left to " + chosen
                        + ", the leak detector this JVM was given (io.netty.customResourceLeakDetector)");
            } else {
                System.err.println("netty-divert testkit: leak check off, Netty chose its leak detector before the kit"
                        + " loaded: run the tests with -Dio.netty.customResourceLeakDetector="
                        + TestkitLeakDetector.class.getName() + " -Dio.netty.leakDetection.level=paranoid");
            }
        }
        return TestkitLeakDetector.drain();
    }

    /** Removes the network when JUnit discards the store, should afterEach never run. */
    private static final class Held implements AutoCloseable {
        final ManagedNetwork network;
        private final AtomicBoolean closed = new AtomicBoolean();

        Held(ManagedNetwork network) {
            this.network = network;
        }

        @Override
        public void close() {
            if (closed.compareAndSet(false, true)) {
                network.close();
            }
        }
    }

    /** One skipped test: the reason is the whole story, so no stack trace follows it in reports. */
    private static final class Skipped extends TestAbortedException {
        private static final long serialVersionUID = 1L;

        Skipped(String reason) {
            super(reason);
        }

        @Override
        public synchronized Throwable fillInStackTrace() {
            return this;
        }
    }
}
