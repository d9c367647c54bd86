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

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;

/**
 * Pins Linux ABI facts against the C headers of the machine running the tests: constants,
 * {@code sizeof(struct x)}, {@code offsetof(struct x, f)}. The transport hard-codes these
 * numbers (it talks to the kernel through JNA, with no C compiler at run time); this class lets a
 * test check each of them against the authority, the system headers, instead of against a copy
 * typed from them.
 *
 * <p>It writes a small C program printing every expression, compiles it with gcc, runs it, and
 * parses the output. Where gcc or a header is missing the calling test is skipped with one line
 * saying why; an expression that does not compile (a typo, a constant this kernel lacks) fails
 * the test with gcc's message. Results are cached per set of includes and expressions for the
 * life of the JVM, so many tests may ask for the same facts cheaply.
 *
 * <pre>{@code
 * Map<String, Long> abi = CHeaders.evaluate(
 *         List.of("linux/netlink.h"),
 *         Map.of("hdr", "sizeof(struct nlmsghdr)", "family", "NETLINK_NETFILTER"));
 * assertEquals(16, abi.get("hdr"));
 * }</pre>
 */
public final class CHeaders {
    private static final Duration TIMEOUT = Duration.ofSeconds(60);
    /** Always included: printf for the output and offsetof for the expressions. */
    private static final List<String> PRELUDE = List.of("<stdio.h>", "<stddef.h>");

    /** Keyed by the generated C source, which is determined by the includes and expressions. */
    private static final Map<String, List<Long>> CACHE = new ConcurrentHashMap<>();

    private static final AtomicInteger COMPILATIONS = new AtomicInteger();

    private CHeaders() {}

    /**
     * Evaluates named C expressions with {@code includes} in scope.
     *
     * @param includes headers, as {@code "linux/netlink.h"}, {@code "<linux/netlink.h>"} or
     *     {@code "\"local.h\""}; included in this order after stdio.h and stddef.h (order matters
     *     for headers that use types without including their definitions). An entry starting
     *     with {@code #} is a preprocessor line, such as {@code "#define _GNU_SOURCE"}, and is
     *     emitted before every header, where feature-test macros must be
     * @param expressions name to integral C expression; the iteration order is kept in the
     *     result
     * @return name to value, unmodifiable, in the iteration order of {@code expressions}; values
     *     are converted with C's {@code (long long)} cast, so an unsigned 64-bit value above
     *     {@code Long.MAX_VALUE} comes back with the same bits
     * @throws org.opentest4j.TestAbortedException (skipping the test) when gcc or a header is
     *     missing
     * @throws IllegalArgumentException when an expression does not compile
     */
    public static Map<String, Long> evaluate(List<String> includes, Map<String, String> expressions) {
        if (expressions.isEmpty()) {
            throw new IllegalArgumentException("no expressions");
        }
        List<String> headers = new ArrayList<>();
        for (String include : includes) {
            if (include.strip().startsWith("#")) {
                headers.add(include.strip());
            }
        }
        for (String prelude : PRELUDE) {
            headers.add("#include " + prelude);
        }
        for (String include : includes) {
            if (!include.strip().startsWith("#")) {
                headers.add("#include " + normalizeInclude(include));
            }
        }
        List<String> names = new ArrayList<>(expressions.keySet());
        List<String> exprs = new ArrayList<>(expressions.values());
        String source = program(headers, exprs);
        List<Long> values = CACHE.get(source);
        if (values == null) {
            values = compileAndRun(headers, exprs, source);
            CACHE.putIfAbsent(source, values);
        }
        Map<String, Long> result = new LinkedHashMap<>();
        for (int i = 0; i < names.size(); i++) {
            result.put(names.get(i), values.get(i));
        }
        return Collections.unmodifiableMap(result);
    }

    /**
     * Evaluates C expressions, each named by its own text: {@code evaluate(List.of("linux/netlink.h"),
     * "NETLINK_NETFILTER").get("NETLINK_NETFILTER")}.
     */
    public static Map<String, Long> evaluate(List<String> includes, String... expressions) {
        Map<String, String> named = new LinkedHashMap<>();
        for (String expression : expressions) {
            named.put(expression, expression);
        }
        return evaluate(includes, named);
    }

    /** Evaluates one C expression. */
    public static long value(List<String> includes, String expression) {
        return evaluate(includes, expression).get(expression);
    }

    /** How many probe programs this JVM has compiled: lets a test see the cache work. */
    static int compilations() {
        return COMPILATIONS.get();
    }

    private static String normalizeInclude(String include) {
        String trimmed = include.strip();
        if (trimmed.startsWith("<") || trimmed.startsWith("\"")) {
            return trimmed;
        }
        return "<" + trimmed + ">";
    }

    /**
     * The program prints "index value" per line rather than names, so that names never need C
     * string escaping. The expression is cast to long long inside a statement of its own, so a
     * non-integral or unknown expression is a compile error, not a wrong number.
     */
    private static String program(List<String> headers, List<String> exprs) {
        StringBuilder c = new StringBuilder();
        for (String header : headers) {
            c.append(header).append('\n');
        }
        c.append("\nint main(void) {\n");
        for (int i = 0; i < exprs.size(); i++) {
            c.append("    printf(\"%d %lld\\n\", ")
                    .append(i)
                    .append(", (long long) (")
                    .append(exprs.get(i))
                    .append("));\n");
        }
        c.append("    return 0;\n}\n");
        return c.toString();
    }

    private static List<Long> compileAndRun(List<String> headers, List<String> exprs, String source) {
        Optional<Path> gcc = which("gcc");
        Assumptions.assumeTrue(gcc.isPresent(), "C header test skipped: gcc not found (apt-get install gcc)");
        Path dir;
        try {
            dir = Files.createTempDirectory("netty-divert-cheaders");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        try {
            COMPILATIONS.incrementAndGet();
            Path binary = compile(gcc.get(), dir, "probe", source);
            if (binary == null) {
                throw compileFailure(gcc.get(), dir, headers, source);
            }
            Run run = run(List.of(binary.toString()), TIMEOUT);
            if (!run.ok()) {
                throw new IllegalStateException("the compiled probe failed: " + run.describe());
            }
            return parse(run.stdout(), exprs.size());
        } finally {
            deleteRecursively(dir);
        }
    }

    /** Returns the binary, or null with gcc's message left in {@code dir/name.err}. */
    private static Path compile(Path gcc, Path dir, String name, String source) {
        Path c = dir.resolve(name + ".c");
        Path binary = dir.resolve(name);
        try {
            Files.writeString(c, source, StandardCharsets.UTF_8);
            Run result = run(List.of(gcc.toString(), "-std=gnu11", "-o", binary.toString(), c.toString()), TIMEOUT);
            if (result.ok()) {
                return binary;
            }
            Files.writeString(dir.resolve(name + ".err"), result.stderr(), StandardCharsets.UTF_8);
            return null;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Tells a missing header (skip: the machine lacks linux-libc-dev or similar) from a bad
     * expression (fail: the test is wrong, or the kernel headers disagree with it) by compiling
     * the includes alone.
     */
    private static RuntimeException compileFailure(Path gcc, Path dir, List<String> headers, String source) {
        StringBuilder includesOnly = new StringBuilder();
        for (String header : headers) {
            includesOnly.append(header).append('\n');
        }
        includesOnly.append("int main(void) { return 0; }\n");
        if (compile(gcc, dir, "includes", includesOnly.toString()) == null) {
            String firstError = firstErrorLine(read(dir.resolve("includes.err")));
            Assumptions.abort("C header test skipped: cannot compile the includes (install the headers, e.g."
                    + " apt-get install linux-libc-dev): " + firstError);
        }
        return new IllegalArgumentException("C expression(s) do not compile:\n"
                + read(dir.resolve("probe.err")).strip() + "\nprogram:\n" + source);
    }

    private static String firstErrorLine(String gccOutput) {
        for (String line : gccOutput.split("\n")) {
            if (line.contains("error")) {
                return line.strip();
            }
        }
        String stripped = gccOutput.strip();
        int newline = stripped.indexOf('\n');
        return newline < 0 ? stripped : stripped.substring(0, newline);
    }

    private static List<Long> parse(String output, int count) {
        Long[] values = new Long[count];
        for (String line : output.split("\n")) {
            if (line.isBlank()) {
                continue;
            }
            String[] parts = line.strip().split(" ");
            values[Integer.parseInt(parts[0])] = Long.parseLong(parts[1]);
        }
        for (int i = 0; i < count; i++) {
            if (values[i] == null) {
                throw new IllegalStateException("the probe printed no value for expression " + i + ":\n" + output);
            }
        }
        return List.of(values);
    }

    /** What a program did: its exit status and output. */
    private record Run(List<String> argv, int exitCode, String stdout, String stderr) {
        boolean ok() {
            return exitCode == 0;
        }

        String describe() {
            return String.join(" ", argv) + " exited with " + exitCode
                    + (stderr.isBlank() ? "" : ": " + stderr.strip());
        }
    }

    /** Runs {@code argv} to completion, its output in files (no pipe to drain), killing it after {@code timeout}. */
    private static Run run(List<String> argv, Duration timeout) {
        Path out = null;
        Path err = null;
        try {
            out = Files.createTempFile("netty-divert-cheaders", ".out");
            err = Files.createTempFile("netty-divert-cheaders", ".err");
            Process process = new ProcessBuilder(argv)
                    .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                    .redirectOutput(out.toFile())
                    .redirectError(err.toFile())
                    .start();
            if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                process.destroyForcibly();
                throw new IllegalStateException(String.join(" ", argv) + " did not finish within " + timeout);
            }
            return new Run(List.copyOf(argv), process.exitValue(), read(out), read(err));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot run " + String.join(" ", argv), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while running " + String.join(" ", argv), e);
        } finally {
            for (Path file : new Path[] {out, err}) {
                if (file != null) {
                    try {
                        Files.deleteIfExists(file);
                    } catch (IOException ignored) {
                        // a temporary file left behind is no reason to fail the test
                    }
                }
            }
        }
    }

    /** Finds an executable on PATH or in the usual bin directories. */
    private static Optional<Path> which(String program) {
        List<String> dirs = new ArrayList<>();
        String path = System.getenv("PATH");
        if (path != null) {
            dirs.addAll(List.of(path.split(File.pathSeparator)));
        }
        dirs.addAll(List.of("/usr/local/bin", "/usr/bin", "/bin"));
        for (String dir : dirs) {
            if (dir.isEmpty()) {
                continue;
            }
            Path candidate = Path.of(dir, program);
            if (Files.isRegularFile(candidate) && Files.isExecutable(candidate)) {
                return Optional.of(candidate);
            }
        }
        return Optional.empty();
    }

    private static String read(Path file) {
        try {
            return Files.readString(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void deleteRecursively(Path dir) {
        try (Stream<Path> paths = Files.walk(dir)) {
            for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot delete " + dir, e);
        }
    }
}
