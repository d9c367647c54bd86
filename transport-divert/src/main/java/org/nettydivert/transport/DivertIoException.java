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

import java.io.IOException;

/**
 * A system call failed: the message names the call, the errno and the system's text for it,
 * and where the cause is a known one, what to do about it.
 */
public class DivertIoException extends IOException {
    private static final long serialVersionUID = 1L;

    private final String call;
    private final int errno;
    private final String errnoName;

    /**
     * An exception for {@code call} failing with {@code errno} (named {@code errnoName}), with
     * the whole {@code message}. The backends make these through one place that knows the
     * system's errno names and texts; a user has no need to.
     *
     * @param call the system call that failed, e.g. {@code "sendto"}
     * @param errno the errno value, as the running system numbers it
     * @param errnoName the errno's symbolic name, e.g. {@code "EADDRNOTAVAIL"}
     * @param message the whole message: the call, the errno and what to do about it
     */
    public DivertIoException(String call, int errno, String errnoName, String message) {
        super(message);
        this.call = call;
        this.errno = errno;
        this.errnoName = errnoName;
    }

    /** The system call that failed, e.g. {@code "sendto"}. */
    public String call() {
        return call;
    }

    /** The errno value, as the running system numbers it. */
    public int errno() {
        return errno;
    }

    /** The errno's symbolic name, e.g. {@code "EADDRNOTAVAIL"}. */
    public String errnoName() {
        return errnoName;
    }
}
