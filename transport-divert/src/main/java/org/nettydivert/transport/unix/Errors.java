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
package org.nettydivert.transport.unix;

import org.nettydivert.transport.DivertIoException;

/** The one place where an errno becomes an exception. */
public final class Errors {
    private Errors() {}

    /** An exception for {@code call} failing with {@code errno}, with {@code hint} (may be null) appended. */
    public static DivertIoException newException(String call, int errno, String hint) {
        String name = Errno.name(errno);
        String text;
        try {
            text = Native.Posix.strerror(errno);
        } catch (LinkageError e) {
            text = null;
        }
        StringBuilder message = new StringBuilder(call).append(" failed: ").append(name);
        if (text != null) {
            message.append(" (").append(text).append(')');
        }
        if (hint != null) {
            message.append(": ").append(hint);
        }
        return new DivertIoException(call, errno, name, message.toString());
    }

    /** An exception for {@code call} failing with this thread's last errno. */
    public static DivertIoException newException(String call) {
        return newException(call, Native.errno(), null);
    }

    /** Throws for a negative result of {@code call}; returns the result otherwise. */
    public static int check(String call, int result) throws DivertIoException {
        if (result < 0) {
            throw newException(call);
        }
        return result;
    }
}
