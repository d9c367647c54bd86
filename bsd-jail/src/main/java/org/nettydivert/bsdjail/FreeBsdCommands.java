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

import java.util.ArrayList;
import java.util.List;

/**
 * The FreeBSD commands of a test network, as argv, from the man pages: jail(8) (parameters {@code
 * name}, {@code path}, {@code vnet}, {@code persist}, {@code children.max}, {@code
 * host.hostname}; {@code -c} create, {@code -r} remove, which also removes the jail's children),
 * jexec(8), jls(8), ifconfig(8) ({@code epairN create} makes {@code epairNa} and {@code epairNb},
 * epair(4); {@code vnet JAIL} moves an interface into a jail's stack, and back to its home when that
 * stack goes), ipfw(8) and route(8). Nothing here runs anything.
 */
public final class FreeBsdCommands {
    /** The rule every jail of the kit ends with: ipfw's own last rule (65535) denies by default. */
    public static final int ALLOW_RULE = 65000;

    private FreeBsdCommands() {}

    /**
     * Creates a persistent VNET jail that sees the whole file system ({@code path=/}); {@code
     * childrenMax} above 0 lets processes in it create that many jails of their own.
     */
    public static List<String> jailCreate(String name, int childrenMax) {
        List<String> argv = new ArrayList<>(List.of("jail", "-c", "name=" + name, "path=/", "vnet", "persist"));
        if (childrenMax > 0) {
            argv.add("children.max=" + childrenMax);
        }
        argv.add("host.hostname=" + name);
        return argv;
    }

    /** Removes a jail, its children, their processes and their network stacks. */
    public static List<String> jailRemove(String name) {
        return List.of("jail", "-r", name);
    }

    /** Prints the jail id of {@code name}. */
    public static List<String> jid(String name) {
        return List.of("jls", "-j", name, "jid");
    }

    /** Prints the name of every jail this process can see, one a line (children as parent.child). */
    public static List<String> jailNames() {
        return List.of("jls", "name");
    }

    /** Runs {@code argv} in the jail {@code name} (a child's name is relative to the caller's jail). */
    public static List<String> jexec(String name, List<String> argv) {
        List<String> all = new ArrayList<>(List.of("jexec", name));
        all.addAll(argv);
        return all;
    }

    /** Whether the kernel module {@code module} is in the kernel (loaded, or compiled in). */
    public static List<String> kldstat(String module) {
        return List.of("kldstat", "-q", "-m", module);
    }

    /** Makes {@code epair<unit>a} and {@code epair<unit>b}. */
    public static List<String> epairCreate(int unit) {
        return List.of("ifconfig", "epair" + unit, "create");
    }

    /** Destroys both ends of {@code epair<unit>}. */
    public static List<String> epairDestroy(int unit) {
        return List.of("ifconfig", "epair" + unit + "a", "destroy");
    }

    /** Moves {@code iface} into the network stack of the jail {@code jail}. */
    public static List<String> moveToJail(String iface, String jail) {
        return List.of("ifconfig", iface, "vnet", jail);
    }

    /** Gives {@code iface} an IPv4 address ({@code 10.99.0.1/24}) and brings it up. */
    public static List<String> inet(String iface, String cidr) {
        return List.of("ifconfig", iface, "inet", cidr, "up");
    }

    /**
     * Turns IPv6 on for {@code iface}, without duplicate address detection (whose second of delay
     * would make the first test packets of a fresh link vanish).
     */
    public static List<String> inet6Enable(String iface) {
        return List.of("ifconfig", iface, "inet6", "-ifdisabled", "no_dad");
    }

    /** Gives {@code iface} an IPv6 address ({@code fd99::1/64}). */
    public static List<String> inet6(String iface, String cidr) {
        return List.of("ifconfig", iface, "inet6", cidr);
    }

    /** A new stack's loopback: 127.0.0.1 (::1 comes with IPv6 turned on). */
    public static List<List<String>> loopbackUp() {
        return List.of(List.of("ifconfig", "lo0", "inet", "127.0.0.1/8", "up"), inet6Enable("lo0"));
    }

    /** A default route via {@code gateway} (IPv4 or IPv6 by its form). */
    public static List<String> defaultRoute(String gateway) {
        return List.of("route", "-n", "add", gateway.indexOf(':') >= 0 ? "-inet6" : "-inet", "default", gateway);
    }

    /** Sets a sysctl ({@code net.inet.ip.forwarding=1}; per network stack in a VNET jail). */
    public static List<String> sysctl(String name, String value) {
        return List.of("sysctl", name + "=" + value);
    }

    /** Removes every ipfw rule but the default one. */
    public static List<String> ipfwFlush() {
        return List.of("ipfw", "-q", "flush");
    }

    /** {@code ipfw -q add RULE allow ip from any to any}. */
    public static List<String> ipfwAllowAll(int rule) {
        return List.of("ipfw", "-q", "add", String.valueOf(rule), "allow", "ip", "from", "any", "to", "any");
    }

    /**
     * {@code ipfw -q add RULE divert PORT PROTO from any [PORT] to any [PORT] [in|out] [OPTIONS]
     * not diverted}: the packet goes to the divert socket bound to {@code divertPort}, which reads
     * {@code rule} as the packet's tag; written back, the packet resumes at {@code rule + 1}.
     */
    public static List<String> ipfwDivert(int rule, int divertPort, IpfwMatch match) {
        if (rule < 1 || rule >= ALLOW_RULE) {
            throw new IllegalArgumentException("rule " + rule + " must be 1.." + (ALLOW_RULE - 1));
        }
        List<String> argv = new ArrayList<>(List.of(
                "ipfw", "-q", "add", String.valueOf(rule), "divert", String.valueOf(divertPort), match.protocol()));
        argv.add("from");
        argv.add("any");
        if (match.fromPort() != 0) {
            argv.add(String.valueOf(match.fromPort()));
        }
        argv.add("to");
        argv.add("any");
        if (match.toPort() != 0) {
            argv.add(String.valueOf(match.toPort()));
        }
        if (match.direction() != null) {
            argv.add(match.direction());
        }
        argv.addAll(match.options());
        argv.add("not");
        argv.add("diverted");
        return argv;
    }

    /** {@code ipfw -q delete RULE}. */
    public static List<String> ipfwDelete(int rule) {
        return List.of("ipfw", "-q", "delete", String.valueOf(rule));
    }

    /**
     * A child jail of the caller's jail joined to it by {@code epair<unit>}: the {@code a} end stays
     * here with {@code here4}/{@code here6}, the {@code b} end moves into the child with {@code
     * there4}/{@code there6}; the child gets its loopback and ipfw's closing {@code allow}. Undone by
     * destroying the epair and removing the child (either alone would do; both leave nothing).
     *
     * @param here4 an IPv4 address with its prefix length ({@code 10.99.0.1/24})
     * @param here6 an IPv6 address with its prefix length ({@code fd99::1/64})
     */
    public static Plan childOverEpair(
            String child, int unit, String here4, String here6, String there4, String there6) {
        String a = "epair" + unit + "a";
        String b = "epair" + unit + "b";
        Plan plan = new Plan()
                .step(jailCreate(child, 0), jailRemove(child))
                .step(epairCreate(unit), epairDestroy(unit))
                .step(moveToJail(b, child))
                .step(inet(a, here4))
                .step(inet6Enable(a))
                .step(inet6(a, here6));
        for (List<String> argv : loopbackUp()) {
            plan.step(jexec(child, argv));
        }
        return plan.step(jexec(child, inet(b, there4)))
                .step(jexec(child, inet6Enable(b)))
                .step(jexec(child, inet6(b, there6)))
                .step(jexec(child, ipfwAllowAll(ALLOW_RULE)));
    }

    /**
     * A process that waits for its standard input to end (its parent, the JVM, exited or died) and
     * then removes the jail {@code name}: a JVM attached to a jail cannot remove the jail it is in.
     * The name is passed as {@code $0}, never spliced into the script.
     */
    public static List<String> reaper(String name) {
        return List.of("/bin/sh", "-c", "cat >/dev/null; exec /usr/sbin/jail -r \"$0\"", name);
    }
}
