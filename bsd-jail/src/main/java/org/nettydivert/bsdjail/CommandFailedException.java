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

/** A command of a test network exited with a nonzero status. */
public final class CommandFailedException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /** The result, or null after deserialisation. */
    private final transient CommandRunner.Result result;

    /** Reports {@code result}: its command line, exit status and the first line of its stderr. */
    public CommandFailedException(CommandRunner.Result result) {
        super(result.commandLine() + " exited with " + result.exitCode() + firstLine(result));
        this.result = result;
    }

    private static String firstLine(CommandRunner.Result result) {
        String err = result.err().strip();
        if (err.isEmpty()) {
            err = result.out().strip();
        }
        int newline = err.indexOf('\n');
        return err.isEmpty() ? "" : ": " + (newline < 0 ? err : err.substring(0, newline));
    }

    /** What the command did (null after deserialisation). */
    public CommandRunner.Result result() {
        return result;
    }
}
