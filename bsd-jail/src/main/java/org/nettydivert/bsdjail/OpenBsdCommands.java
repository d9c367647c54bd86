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

import java.util.List;

/**
 * The OpenBSD commands of a contract run, as argv and pf.conf text, from pfctl(8) and pf.conf(5):
 * {@code pfctl -a ANCHOR -f FILE} loads rules into an anchor, {@code -F rules} flushes them; the
 * main ruleset evaluates an anchor only where it names it ({@code anchor "nettydivert/*"}); {@code
 * divert-packet port N} hands matching packets to the divert socket bound to N; pf does not see
 * interfaces under {@code set skip} (OpenBSD's default pf.conf skips {@code lo}).
 */
public final class OpenBsdCommands {
    /** The anchors the kit loads live under this one. */
    public static final String ANCHOR_ROOT = "nettydivert";

    /** The line the main ruleset needs for the kit's anchors to be evaluated. */
    public static final String ANCHOR_HOOK = "anchor \"" + ANCHOR_ROOT + "/*\"";

    private OpenBsdCommands() {}

    /** Loads {@code file} into {@code anchor}, replacing its rules. */
    public static List<String> anchorLoad(String anchor, String file) {
        return List.of("pfctl", "-a", anchor, "-f", file);
    }

    /** Removes the rules of {@code anchor}. */
    public static List<String> anchorFlush(String anchor) {
        return List.of("pfctl", "-a", anchor, "-F", "rules");
    }

    /** pf's status ("Status: Enabled"). */
    public static List<String> info() {
        return List.of("pfctl", "-s", "info");
    }

    /** The main ruleset, where the anchor hook must be. */
    public static List<String> mainRules() {
        return List.of("pfctl", "-s", "rules");
    }

    /** The interfaces with their flags: a skipped one shows {@code (skip)}. */
    public static List<String> interfaces() {
        return List.of("pfctl", "-s", "Interfaces", "-v");
    }

    /**
     * {@code pass DIR quick on IFACE FAMILY proto PROTO to ADDRESS port PORT divert-packet port
     * DIVERT}.
     *
     * @param direction {@code in} or {@code out}
     * @param family {@code inet} or {@code inet6}
     */
    public static String divertRule(
            String direction, String iface, String family, String proto, String address, int port, int divertPort) {
        if (!direction.equals("in") && !direction.equals("out")) {
            throw new IllegalArgumentException("direction is in or out: " + direction);
        }
        if (!family.equals("inet") && !family.equals("inet6")) {
            throw new IllegalArgumentException("family is inet or inet6: " + family);
        }
        return "pass " + direction + " quick on " + iface + " " + family + " proto " + proto + " to " + address
                + " port " + port + " divert-packet port " + divertPort;
    }

    /** The text of an anchor: the rules, one a line. */
    public static String anchorText(List<String> rules) {
        return String.join("\n", rules) + "\n";
    }

    /** Whether {@code pfctl -s info} says pf is enabled. */
    public static boolean enabled(String info) {
        return info.contains("Status: Enabled");
    }

    /** Whether {@code pfctl -s rules} shows the anchor hook. */
    public static boolean hooked(String mainRules) {
        for (String line : mainRules.split("\n")) {
            if (line.strip().startsWith(ANCHOR_HOOK)) {
                return true;
            }
        }
        return false;
    }

    /** Whether {@code pfctl -s Interfaces -v} shows {@code iface} as skipped. */
    public static boolean skipped(String interfaces, String iface) {
        for (String line : interfaces.split("\n")) {
            String l = line.strip();
            if (l.startsWith(iface + " ") && l.contains("(skip)")) {
                return true;
            }
        }
        return false;
    }
}
