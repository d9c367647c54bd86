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
package org.nettydivert.testkit;

import java.util.List;

/**
 * What a command run inside a host did.
 *
 * @param argv the command as run
 * @param exitCode its exit status
 * @param stdout what it printed on standard output
 * @param stderr what it printed on standard error
 */
public record CommandResult(List<String> argv, int exitCode, String stdout, String stderr) {
    /** Whether the command exited with 0. */
    public boolean ok() {
        return exitCode == 0;
    }

    /**
     * The command's standard output, once it is known to have succeeded.
     *
     * @throws IllegalStateException when it exited with another status, naming the command, the
     *     status and its standard error
     */
    public String checked() {
        if (!ok()) {
            throw new IllegalStateException(describe());
        }
        return stdout;
    }

    /** One line for messages: the command, its status and its standard error. */
    public String describe() {
        return String.join(" ", argv) + " exited with " + exitCode + (stderr.isBlank() ? "" : ": " + stderr.strip());
    }
}
