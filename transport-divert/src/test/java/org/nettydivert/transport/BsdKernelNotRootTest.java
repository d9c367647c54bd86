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
package org.nettydivert.transport;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.nettydivert.transport.bsd.BsdAbi;
import org.nettydivert.transport.bsd.RawDivertSocket;
import org.nettydivert.transport.unix.Errno;

/**
 * What a normal user gets from a divert socket on a real BSD: FreeBSD EPERM ({@code priv_check},
 * PRIV_NETINET_DIVERT), OpenBSD EACCES. Root skips these with a line saying to run the command once
 * more as a normal user.
 */
@ExtendWith(BsdContractReport.class)
class BsdKernelNotRootTest {
    @BeforeAll
    static void onABsd() {
        RealBsd.assumeBsd();
    }

    @Test
    void freeBsdGivesEpermWhenNotRoot() {
        RealBsd.assume("FreeBSD", false);
        int errno = RawDivertSocket.trySocket(BsdAbi.FREEBSD.pfDivert, 0);
        if (Errno.name(errno).equals("EAFNOSUPPORT")) { // 13: the PF_INET form
            errno = RawDivertSocket.trySocket(BsdAbi.AF_INET, BsdAbi.IPPROTO_DIVERT);
        }
        assertEquals("EPERM", Errno.name(errno));
    }

    @Test
    void openBsdGivesEaccesForBothSocketsWhenNotRoot() {
        RealBsd.assume("OpenBSD", false);
        assertEquals("EACCES", Errno.name(RawDivertSocket.trySocket(BsdAbi.AF_INET, BsdAbi.IPPROTO_DIVERT)));
        assertEquals("EACCES", Errno.name(RawDivertSocket.trySocket(BsdAbi.OPENBSD.afInet6, BsdAbi.IPPROTO_DIVERT)));
    }
}
