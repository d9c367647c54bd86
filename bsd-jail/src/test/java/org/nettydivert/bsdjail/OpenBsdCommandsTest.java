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
package org.nettydivert.bsdjail;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/** The OpenBSD pfctl argv and pf.conf text, word for word, and the reading of pfctl's answers. */
class OpenBsdCommandsTest {
    @Test
    void anchorsAreLoadedAndFlushedByName() {
        assertEquals(
                List.of("pfctl", "-a", "nettydivert/contract", "-f", "/tmp/a.conf"),
                OpenBsdCommands.anchorLoad("nettydivert/contract", "/tmp/a.conf"));
        assertEquals(
                List.of("pfctl", "-a", "nettydivert/contract", "-F", "rules"),
                OpenBsdCommands.anchorFlush("nettydivert/contract"));
        assertEquals(List.of("pfctl", "-s", "info"), OpenBsdCommands.info());
        assertEquals(List.of("pfctl", "-s", "rules"), OpenBsdCommands.mainRules());
        assertEquals(List.of("pfctl", "-s", "Interfaces", "-v"), OpenBsdCommands.interfaces());
    }

    @Test
    void theAnchorTextHasOneDivertPacketRuleALine() {
        String v4 = OpenBsdCommands.divertRule("out", "lo0", "inet", "udp", "127.0.0.1", 9999, 7);
        String v6 = OpenBsdCommands.divertRule("in", "lo0", "inet6", "udp", "::1", 9999, 7);
        assertEquals("pass out quick on lo0 inet proto udp to 127.0.0.1 port 9999 divert-packet port 7", v4);
        assertEquals("pass in quick on lo0 inet6 proto udp to ::1 port 9999 divert-packet port 7", v6);
        assertEquals(v4 + "\n" + v6 + "\n", OpenBsdCommands.anchorText(List.of(v4, v6)));
        assertThrows(
                IllegalArgumentException.class,
                () -> OpenBsdCommands.divertRule("fwd", "lo0", "inet", "udp", "127.0.0.1", 1, 7));
        assertThrows(
                IllegalArgumentException.class,
                () -> OpenBsdCommands.divertRule("in", "lo0", "inet4", "udp", "127.0.0.1", 1, 7));
    }

    @Test
    void pfctlsAnswersAreRead() {
        assertTrue(OpenBsdCommands.enabled("Status: Enabled for 0 days 00:10:02           Debug: err\n"));
        assertFalse(OpenBsdCommands.enabled("Status: Disabled for 0 days\n"));
        assertTrue(OpenBsdCommands.hooked("block return all\nanchor \"nettydivert/*\" all\npass all flags S/SA\n"));
        assertFalse(OpenBsdCommands.hooked("block return all\npass all flags S/SA\n"));
        assertEquals("anchor \"nettydivert/*\"", OpenBsdCommands.ANCHOR_HOOK);
        String interfaces = "all\nem0\nlo (skip)\nlo0 (skip)\npair1\n";
        assertTrue(OpenBsdCommands.skipped(interfaces, "lo0"));
        assertFalse(OpenBsdCommands.skipped(interfaces, "em0"));
    }
}
