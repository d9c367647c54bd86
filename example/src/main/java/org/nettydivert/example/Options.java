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
package org.nettydivert.example;

import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * {@code --name value} and {@code --flag} arguments, checked against what a command accepts.
 * Every mistake is a {@link UsageException} with a one-line message.
 */
final class Options {
    private final Map<String, String> values = new HashMap<>();
    private final Set<String> flags = new HashSet<>();
    private final List<String> rest;

    private Options(List<String> rest) {
        this.rest = rest;
    }

    /**
     * Parses {@code args} from {@code start}: {@code valued} names take a value, {@code flagNames}
     * do not. Parsing stops at the first word that is not an option; the rest is {@link #rest()}.
     */
    static Options parse(String command, List<String> args, Set<String> valued, Set<String> flagNames)
            throws UsageException {
        int i = 0;
        Map<String, String> values = new HashMap<>();
        Set<String> flags = new HashSet<>();
        while (i < args.size() && args.get(i).startsWith("--")) {
            String name = args.get(i).substring(2);
            if (valued.contains(name)) {
                if (i + 1 >= args.size()) {
                    throw new UsageException(command + ": --" + name + " needs a value");
                }
                values.put(name, args.get(i + 1));
                i += 2;
            } else if (flagNames.contains(name)) {
                flags.add(name);
                i++;
            } else {
                throw new UsageException(command + ": unknown option --" + name + " (see " + command + " --help)");
            }
        }
        Options options = new Options(args.subList(i, args.size()));
        options.values.putAll(values);
        options.flags.addAll(flags);
        return options;
    }

    boolean flag(String name) {
        return flags.contains(name);
    }

    String string(String name, String fallback) {
        return values.getOrDefault(name, fallback);
    }

    String required(String command, String name) throws UsageException {
        String value = values.get(name);
        if (value == null) {
            throw new UsageException(command + ": --" + name + " is required");
        }
        return value;
    }

    int integer(String command, String name, int min, int max, Integer fallback) throws UsageException {
        String value = values.get(name);
        if (value == null) {
            if (fallback == null) {
                throw new UsageException(command + ": --" + name + " is required");
            }
            return fallback;
        }
        try {
            int n = Integer.parseInt(value);
            if (n < min || n > max) {
                throw new NumberFormatException();
            }
            return n;
        } catch (NumberFormatException e) {
            throw new UsageException(
                    command + ": --" + name + " must be a number from " + min + " to " + max + ", not '" + value + "'");
        }
    }

    /** Words after the options. */
    List<String> rest() {
        return rest;
    }
}
