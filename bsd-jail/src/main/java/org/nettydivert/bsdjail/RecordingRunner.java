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
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A {@link CommandRunner} for tests on any system: it runs nothing, records every command (and
 * every event a test adds with {@link #note}), and answers each command by the first scripted
 * answer whose argv starts with the command's beginning; success with no output otherwise.
 */
public final class RecordingRunner implements CommandRunner {
    private final List<String> log = new ArrayList<>();
    private final Map<List<String>, Result> answers = new LinkedHashMap<>();

    /** A runner with no answers scripted: every command succeeds with no output. */
    public RecordingRunner() {}

    /** Answers commands that start with {@code prefix} with exit status {@code exit} and {@code out}. */
    public synchronized RecordingRunner answer(List<String> prefix, int exit, String out) {
        answers.put(List.copyOf(prefix), new Result(prefix, exit, out, exit == 0 ? "" : "scripted failure"));
        return this;
    }

    @Override
    public synchronized Result run(List<String> argv) {
        log.add(String.join(" ", argv));
        for (Map.Entry<List<String>, Result> e : answers.entrySet()) {
            List<String> prefix = e.getKey();
            if (argv.size() >= prefix.size() && argv.subList(0, prefix.size()).equals(prefix)) {
                Result r = e.getValue();
                return new Result(argv, r.exitCode(), r.out(), r.err());
            }
        }
        return Result.ok(argv, "");
    }

    /** Records an event that is not a command ("attach 7"), so that its place in the order is checked. */
    public synchronized void note(String event) {
        log.add("# " + event);
    }

    /** Everything recorded, in order: command lines, and notes prefixed with {@code # }. */
    public synchronized List<String> log() {
        return List.copyOf(log);
    }

    /** Forgets what was recorded (the answers stay). */
    public synchronized void clear() {
        log.clear();
    }
}
