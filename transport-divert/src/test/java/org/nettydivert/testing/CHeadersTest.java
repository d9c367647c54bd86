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
package org.nettydivert.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.opentest4j.TestAbortedException;

/** CHeaders against values that no Linux kernel will ever change. */
class CHeadersTest {
    private static final List<String> NETLINK = List.of("linux/netlink.h");

    @Test
    void evaluatesSizeofOffsetofAndConstants() {
        Map<String, String> expressions = new LinkedHashMap<>();
        expressions.put("nlmsghdr", "sizeof(struct nlmsghdr)");
        expressions.put("nlmsg_type", "offsetof(struct nlmsghdr, nlmsg_type)");
        expressions.put("nlmsg_pid", "offsetof(struct nlmsghdr, nlmsg_pid)");
        expressions.put("family", "NETLINK_NETFILTER");

        Map<String, Long> values = CHeaders.evaluate(NETLINK, expressions);

        assertEquals(Map.of("nlmsghdr", 16L, "nlmsg_type", 4L, "nlmsg_pid", 12L, "family", 12L), values);
        assertEquals(List.copyOf(expressions.keySet()), List.copyOf(values.keySet()), "order is kept");
    }

    @Test
    void evaluatesNfqueueAttributesAndPackedStructs() {
        Map<String, Long> values = CHeaders.evaluate(
                List.of("<linux/netfilter/nfnetlink_queue.h>"),
                "NFQA_PAYLOAD",
                "NFNL_SUBSYS_QUEUE",
                "sizeof(struct nfqnl_msg_packet_hdr)");

        assertEquals(10L, values.get("NFQA_PAYLOAD"));
        assertEquals(3L, values.get("NFNL_SUBSYS_QUEUE"));
        // __attribute__((packed)): 4 + 2 + 1 with no tail padding.
        assertEquals(7L, values.get("sizeof(struct nfqnl_msg_packet_hdr)"));
    }

    @Test
    void keepsSignAndAllBitsOfValues() {
        assertEquals(-105L, CHeaders.value(List.of("errno.h"), "-ENOBUFS"));
        assertEquals(4294967295L, CHeaders.value(List.of(), "0xffffffffu"));
        assertEquals(-1L, CHeaders.value(List.of(), "0xffffffffffffffffull"));
    }

    @Test
    void cachesResultsForTheSameExpressions() {
        // Expressions no other test asks for, so that the first call here is the one that compiles.
        int before = CHeaders.compilations();
        Map<String, Long> a = CHeaders.evaluate(NETLINK, "NLMSG_HDRLEN", "NLMSG_ALIGNTO");
        Map<String, Long> b = CHeaders.evaluate(NETLINK, "NLMSG_HDRLEN", "NLMSG_ALIGNTO");
        // The same expressions under other names are the same program.
        Map<String, String> renamed = new LinkedHashMap<>();
        renamed.put("len", "NLMSG_HDRLEN");
        renamed.put("align", "NLMSG_ALIGNTO");
        Map<String, Long> c = CHeaders.evaluate(NETLINK, renamed);

        assertEquals(Map.of("NLMSG_HDRLEN", 16L, "NLMSG_ALIGNTO", 4L), a);
        assertEquals(a, b);
        assertEquals(Map.of("len", 16L, "align", 4L), c);
        assertEquals(1, CHeaders.compilations() - before, "compiled once");
    }

    @Test
    void aPreprocessorLineComesBeforeEveryHeaderSoFeatureMacrosWork() {
        // struct mmsghdr is declared only under _GNU_SOURCE, which must precede stdio.h.
        long size = CHeaders.value(List.of("#define _GNU_SOURCE", "sys/socket.h"), "sizeof(struct mmsghdr)");

        assertTrue(size > 0, "sizeof(struct mmsghdr) = " + size);
    }

    @Test
    void anExpressionThatDoesNotCompileFailsWithGccsMessage() {
        IllegalArgumentException e =
                assertThrows(IllegalArgumentException.class, () -> CHeaders.value(NETLINK, "NETLINK_NO_SUCH_CONSTANT"));

        assertTrue(e.getMessage().contains("NETLINK_NO_SUCH_CONSTANT"), e.getMessage());
    }

    @Test
    void aMissingHeaderSkipsWithOneLine() {
        TestAbortedException e = assertThrows(
                TestAbortedException.class, () -> CHeaders.value(List.of("linux/netty_divert_no_such_header.h"), "1"));

        assertTrue(e.getMessage().contains("netty_divert_no_such_header.h"), e.getMessage());
        assertEquals(-1, e.getMessage().indexOf('\n'), e.getMessage());
    }
}
