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

import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.nettydivert.codec.ip.ChecksumPolicy;
import org.nettydivert.codec.ip.DirectionRule;
import org.nettydivert.codec.ip.IpPacketDecoder;
import org.nettydivert.codec.ip.IpPacketEncoder;
import org.nettydivert.codec.ip.MalformedPacketAction;
import org.nettydivert.codec.ip.OfflineReplay;
import org.nettydivert.codec.ip.PcapFormat;
import org.nettydivert.transport.DivertAddress;

/**
 * {@code replay}: the rewrite-port or drop pipeline over a capture instead of a kernel. No root,
 * any OS: this is also how the programs' pipelines are tested.
 */
final class Replay {
    private Replay() {}

    /**
     * Runs {@code pipeline} (its name, then its options) over {@code inName}; the other arguments
     * are replay's options as given, null when absent.
     */
    static int run(
            String inName,
            String outName,
            String local,
            String formatName,
            String checksumsName,
            boolean completeChecksums,
            List<String> pipelineArgs,
            PrintStream out)
            throws Exception {
        Path in = Path.of(inName);
        Path output = Path.of(outName);
        if (pipelineArgs.isEmpty()) {
            throw new UsageException("replay: name the pipeline: rewrite-port or drop (see replay --help)");
        }
        String pipeline = pipelineArgs.get(0);
        if (!pipeline.equals("rewrite-port") && !pipeline.equals("drop")) {
            throw new UsageException("replay: the pipeline must be rewrite-port or drop, not '" + pipeline + "'");
        }
        if (!Files.isReadable(in)) {
            throw new UsageException("replay: cannot read " + in);
        }
        if (Files.isDirectory(in)) {
            throw new UsageException("replay: --in " + in + " is a directory");
        }
        if (Files.isDirectory(output)) {
            throw new UsageException("replay: --out " + output + " is a directory");
        }
        Path outputDirectory = output.toAbsolutePath().getParent();
        if (!Files.isDirectory(outputDirectory)) {
            throw new UsageException("replay: cannot write " + output + ": no directory " + outputDirectory);
        }
        // Writing the output over the input would destroy the capture as it is read; links and
        // other spellings of its path are the same file too.
        if (Files.exists(output) && Files.isSameFile(in, output)) {
            throw new UsageException("replay: --out " + output + " is the same file as --in " + in
                    + ": write the output to another file");
        }
        PcapFormat format = formatName == null ? PcapFormat.forFileName(output) : Main.format("replay", formatName);
        ChecksumPolicy checksums;
        if (checksumsName == null) {
            checksums = ChecksumPolicy.IGNORE;
        } else if (checksumsName.equals("strict")) {
            checksums = ChecksumPolicy.STRICT;
        } else if (checksumsName.equals("partial")) {
            checksums = ChecksumPolicy.ACCEPT_PARTIAL;
        } else {
            throw new UsageException("replay: --checksums must be strict or partial, not '" + checksumsName + "'");
        }
        // Unchecked, malformed datagrams pass on raw as they always did; checked, the ones that fail
        // are dropped, as a firewall that verifies checksums would.
        IpPacketDecoder decoder = new IpPacketDecoder(
                checksums == ChecksumPolicy.IGNORE ? MalformedPacketAction.PASS_RAW : MalformedPacketAction.DROP,
                checksums);
        DirectionRule direction;
        try {
            direction = local == null
                    ? DirectionRule.always(DivertAddress.Direction.OUTBOUND)
                    : DirectionRule.outboundFrom(local.split(","));
        } catch (IllegalArgumentException e) {
            throw new UsageException("replay: --local: " + e.getMessage());
        }
        Main.Filter filter;
        try {
            filter = Main.Filter.parse(pipeline, pipelineArgs.subList(1, pipelineArgs.size()), false);
        } catch (UsageException e) {
            // The pipeline's errors start with its name ("drop: ..."); the command run was replay.
            throw new UsageException("replay: " + e.getMessage());
        }
        OfflineReplay.Result result = OfflineReplay.builder()
                .input(in)
                .output(output)
                .outputFormat(format)
                .completePartialChecksums(completeChecksums)
                .direction(direction)
                .build()
                .run(decoder, new IpPacketEncoder(), filter.handler);
        String badChecksums = checksums == ChecksumPolicy.IGNORE
                ? ""
                : ", " + decoder.malformedCount() + " malformed or with bad checksums"
                        + (checksums == ChecksumPolicy.ACCEPT_PARTIAL
                                ? ", " + decoder.partialChecksumCount() + " partial checksums accepted"
                                : "");
        out.println("replay: read " + result.read() + ", written " + (result.reinjected() + result.injected())
                + ", dropped " + result.dropped() + badChecksums + " (" + filter.totals() + ")");
        return result.exceptions() == 0 ? 0 : 1;
    }
}
