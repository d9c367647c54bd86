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

import com.sun.jna.LastErrorException;
import com.sun.jna.Native;
import com.sun.jna.NativeLibrary;
import com.sun.jna.Platform;

/**
 * FreeBSD's jail_attach(2), {@code int jail_attach(int jid)}: the calling process joins the jail,
 * its root and, for a VNET jail, its network stack; there is no way back (kern_jail.c, {@code
 * sys_jail_attach}, {@code do_jail_attach}: the process's credential gets the prison, which every
 * socket it makes afterwards takes its vnet from). Root only ({@code PRIV_JAIL_ATTACH}), and from
 * inside a jail only into its descendants. Bound on first use, so it loads on FreeBSD only.
 */
final class JailLibc {
    static {
        // The C library as JNA names it for this system (the transport binds libc the same way).
        Native.register(JailLibc.class, NativeLibrary.getInstance(Platform.C_LIBRARY_NAME));
    }

    private JailLibc() {}

    static native int jail_attach(int jid) throws LastErrorException;

    /**
     * chdir(2). jail_attach(2) also changes the working directory to the jail's root
     * ({@code do_jail_attach}); the session jails have {@code path=/}, so the JVM's own directory
     * ({@code user.dir}) is still there, and going back to it keeps relative paths working.
     */
    static native int chdir(String path) throws LastErrorException;
}
