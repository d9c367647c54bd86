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

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.nettydivert.testkit.Topology;

/** The platform of each system, chosen by name. */
class PlatformsTest {
    @Test
    void eachSystemGetsItsPlatform() {
        assertEquals("linux", Platforms.of("Linux").name());
        assertEquals("freebsd", Platforms.of("FreeBSD").name());
        assertEquals("openbsd", Platforms.of("OpenBSD").name());
    }

    @Test
    void openBsdSkipsWithOneLinePointingToTheDocs() {
        Platform openBsd = Platforms.of("OpenBSD");
        String why = openBsd.whyUnavailable();
        assertTrue(why.contains("testkit/FREEBSD.md"), why);
        assertTrue(why.indexOf('\n') < 0, why);
        assertThrows(UnsupportedOperationException.class, () -> openBsd.create(Topology.SINGLE));
        assertEquals(0, openBsd.sweep().size());
    }

    @Test
    void otherSystemsSayWhatIsNeeded() {
        assertEquals(
                "isolated networks need Linux (network namespaces) or FreeBSD (VNET jails); this is Mac OS X",
                Platforms.of("Mac OS X").whyUnavailable());
    }
}
