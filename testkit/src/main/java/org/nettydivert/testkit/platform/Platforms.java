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
package org.nettydivert.testkit.platform;

import java.util.List;
import java.util.Locale;
import org.nettydivert.testkit.Topology;
import org.nettydivert.testkit.freebsd.FreeBsdPlatform;
import org.nettydivert.testkit.linux.LinuxPlatform;

/** Picks the {@link Platform} of the running system. */
public final class Platforms {
    private Platforms() {}

    /** The platform of this JVM's system. */
    public static Platform current() {
        return of(System.getProperty("os.name", ""));
    }

    /** The platform for a system Java calls {@code os}. */
    static Platform of(String os) {
        String lower = os.toLowerCase(Locale.ROOT);
        if (lower.startsWith("linux")) {
            return LinuxPlatform.INSTANCE;
        }
        if (lower.startsWith("freebsd")) {
            return FreeBsdPlatform.INSTANCE;
        }
        if (lower.startsWith("openbsd")) {
            return new Unsupported("openbsd", OPENBSD);
        }
        return new Unsupported(
                os, "isolated networks need Linux (network namespaces) or FreeBSD (VNET jails); this is " + os);
    }

    /**
     * Why OpenBSD is not supported. rdomains would isolate routing and pf per domain, but a socket's
     * rdomain is set per socket or per process (SO_RTABLE, setrtable(2)) rather than by a thread the
     * kit could hand to Netty, and nobody has run such a kit on OpenBSD: the contract suite covers it.
     */
    static final String OPENBSD = "isolated networks are not supported on OpenBSD (rdomains were not built or"
            + " tried): see testkit/FREEBSD.md, section OpenBSD; the transport's own -Pbsd-contract suite runs there";

    /** A system the kit cannot make networks on: every test skips with {@link #whyUnavailable()}. */
    record Unsupported(String name, String whyUnavailable) implements Platform {
        @Override
        public ManagedNetwork create(Topology topology) {
            throw new UnsupportedOperationException(whyUnavailable);
        }

        @Override
        public List<String> sweep() {
            return List.of();
        }
    }
}
