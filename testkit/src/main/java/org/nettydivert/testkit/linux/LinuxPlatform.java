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
package org.nettydivert.testkit.linux;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.nettydivert.testkit.CommandResult;
import org.nettydivert.testkit.DivertRule;
import org.nettydivert.testkit.Topology;
import org.nettydivert.testkit.platform.Commands;
import org.nettydivert.testkit.platform.ManagedNetwork;
import org.nettydivert.testkit.platform.Platform;

/** Isolated networks on Linux: network namespaces, veth pairs, and iptables or nft rules. */
public final class LinuxPlatform implements Platform {
    /** The one instance. */
    public static final LinuxPlatform INSTANCE = new LinuxPlatform();

    /** The names {@link NetworkNamespace#create()} gives: {@code nd-PID-N}. */
    private static final Pattern OURS = Pattern.compile("nd-(\\d+)-\\d+");

    private LinuxPlatform() {}

    @Override
    public String name() {
        return "linux";
    }

    @Override
    public String whyUnavailable() {
        long uid = effectiveUid();
        if (uid != 0) {
            return "isolated networks need root (uid " + (uid < 0 ? "unknown" : String.valueOf(uid))
                    + "): run the tests as root to include them";
        }
        if (Commands.which("ip").isEmpty()) {
            return "isolated networks need ip: apt-get install iproute2";
        }
        FilterRules filter = FilterRules.choose();
        if (filter == FilterRules.NFT && Commands.which("nft").isEmpty()) {
            return "diversion rules need iptables or nft: apt-get install iptables (or nftables)";
        }
        try (NetworkNamespace probe = NetworkNamespace.create()) {
            return whyRulesFail(filter, probe);
        } catch (RuntimeException | Error e) {
            return "a network namespace cannot be made here: " + firstLine(String.valueOf(e.getMessage()));
        }
    }

    /**
     * Why {@code filter} cannot install an NFQUEUE rule in {@code probe}, or "" when it can: the
     * only sure test, since a kernel may lack the pieces (nft's queue expression needs
     * CONFIG_NFT_QUEUE, iptables' target CONFIG_NETFILTER_XT_TARGET_NFQUEUE).
     */
    static String whyRulesFail(FilterRules filter, NetworkNamespace probe) {
        for (List<String> argv : filter.render(DivertRule.udp().toPort(9).divertTo(0), true)) {
            CommandResult result = probe.run(argv.toArray(new String[0]));
            if (!result.ok()) {
                return "this kernel takes no NFQUEUE rule from " + argv.get(0) + " (" + firstLine(result.stderr())
                        + ")"
                        + (filter == FilterRules.NFT
                                ? ": install iptables, or a kernel with CONFIG_NFT_QUEUE"
                                : ": a kernel with CONFIG_NETFILTER_XT_TARGET_NFQUEUE is needed");
            }
        }
        return "";
    }

    @Override
    public ManagedNetwork create(Topology topology) {
        return LinuxNetwork.create(topology, FilterRules.choose());
    }

    /** Deletes the namespaces named {@code nd-PID-N} whose process is gone. */
    @Override
    public List<String> sweep() {
        List<String> removed = new ArrayList<>();
        if (!Files.isDirectory(NetworkNamespace.NETNS_DIR)) {
            return removed;
        }
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(NetworkNamespace.NETNS_DIR)) {
            for (Path entry : entries) {
                String name = entry.getFileName().toString();
                Matcher m = OURS.matcher(name);
                if (m.matches() && ProcessHandle.of(Long.parseLong(m.group(1))).isEmpty()) {
                    CommandResult deleted = Commands.run(
                            List.of(NetworkNamespace.tool("ip"), "netns", "del", name), Duration.ofSeconds(30));
                    if (deleted.ok()) {
                        removed.add(name);
                    }
                }
            }
        } catch (IOException | NumberFormatException e) {
            // A sweep is a courtesy: a namespace it cannot read or remove is left as it was.
        }
        return removed;
    }

    private static String firstLine(String message) {
        String m = message.strip();
        int newline = m.indexOf('\n');
        return newline < 0 ? m : m.substring(0, newline);
    }

    /**
     * The effective uid, read from /proc so that no native call is made before we know we may;
     * -1 when it cannot be read.
     */
    static long effectiveUid() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("Uid:")) {
                    // Real, effective, saved set and filesystem uid.
                    String[] ids = line.substring(4).trim().split("\\s+");
                    return ids.length > 1 ? Long.parseLong(ids[1]) : -1;
                }
            }
            return -1;
        } catch (IOException | NumberFormatException e) {
            return -1;
        }
    }
}
