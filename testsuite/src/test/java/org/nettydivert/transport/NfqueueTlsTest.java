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

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.LengthFieldBasedFrameDecoder;
import io.netty.handler.codec.LengthFieldPrepender;
import io.netty.handler.ssl.OpenSsl;
import io.netty.handler.ssl.ReferenceCountedOpenSslEngine;
import io.netty.handler.ssl.SslCloseCompletionEvent;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.ssl.SslProvider;
import io.netty.util.ReferenceCountUtil;
import java.io.File;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.nettydivert.testkit.Host;
import org.nettydivert.testkit.IsolatedNetwork;
import org.nettydivert.testkit.TestNetwork;

/**
 * TLS through NFQUEUE: a Netty client and server, both on OpenSSL (netty-tcnative BoringSSL),
 * talk over a connection whose every packet both ways is read by a DivertChannel and written
 * back; the handshake completes and every response arrives intact.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class NfqueueTlsTest {
    private static final int QUEUE = 5;
    private static final int REQUESTS = 1000;
    /** Requests sent before the first response is awaited, and kept in flight afterwards. */
    private static final int WINDOW = 8;
    /** Request payloads are 1 to this many bytes: up to one whole TLS record, many TCP segments. */
    private static final int MAX_PAYLOAD = 16384;
    /** An Ethernet-sized MTU on lo: a large request is a dozen TCP segments. */
    private static final String MTU = "1500";
    /** A response: request number, payload length, SHA-256 of the payload. */
    private static final int RESPONSE_BYTES = 4 + 4 + 32;

    @TempDir
    Path dir;

    /** Not a kernel test: wherever the tests run, tcnative must load; a skip would hide it. */
    @Test
    void openSslFromNettyTcnativeIsAvailable() {
        assertTrue(OpenSsl.isAvailable(), () -> "netty-tcnative cannot load: " + OpenSsl.unavailabilityCause());
    }

    @Test
    @IsolatedNetwork
    void aTlsClientAndServerOnOpenSslExchangeAThousandVerifiedRequestsOverADivertedConnection(TestNetwork network)
            throws Exception {
        assertTrue(OpenSsl.isAvailable(), () -> "netty-tcnative cannot load: " + OpenSsl.unavailabilityCause());
        File[] pem = selfSignedCertificate();
        SslContext serverContext = SslContextBuilder.forServer(pem[0], pem[1])
                .sslProvider(SslProvider.OPENSSL)
                .build();
        // Netty 4.2 clients verify the host name: the certificate names localhost.
        SslContext clientContext = SslContextBuilder.forClient()
                .sslProvider(SslProvider.OPENSSL)
                .trustManager(pem[0])
                .endpointIdentificationAlgorithm("HTTPS")
                .build();
        InetAddress address = InetAddress.getByName("127.0.0.1");
        byte[][] payloads = payloads();

        Host host = network.host();
        try {
            EndToEnd.exec(host, "ip", "link", "set", "lo", "mtu", MTU);
            EventLoopGroup tcpGroup = host.eventLoopGroup(2, NioIoHandler.newFactory());
            Channel server = null;
            Channel client = null;
            DivertChannel divert = null;
            CompletableFuture<SslHandler> serverTls = new CompletableFuture<>();
            CompletableFuture<Void> serverClosed = new CompletableFuture<>();
            ServerBootstrap serverBootstrap = new ServerBootstrap()
                    .group(tcpGroup)
                    .channel(NioServerSocketChannel.class)
                    .childHandler(new ChannelInitializer<SocketChannel>() {
                        @Override
                        protected void initChannel(SocketChannel ch) {
                            ch.closeFuture().addListener(f -> serverClosed.complete(null));
                            SslHandler tls = serverContext.newHandler(ch.alloc());
                            serverTls.complete(tls);
                            framing(ch.pipeline().addLast(tls)).addLast(new HashingServer());
                        }
                    });
            // Sockets are opened by the thread that binds or connects: inside the namespace.
            server = host.call(() -> serverBootstrap
                    .bind(new InetSocketAddress(address, 0))
                    .sync()
                    .channel());
            int port = ((InetSocketAddress) server.localAddress()).getPort();

            TcpFlows flows = new TcpFlows(port);
            WriteBackHandler writeBack = new WriteBackHandler(flows::count);
            divert = host.bind(QUEUE, writeBack);
            EndToEnd.divertTcpPort(host, true, port, QUEUE);

            CompletableFuture<Integer> verified = new CompletableFuture<>();
            VerifyingClient requester = new VerifyingClient(payloads, verified);
            Bootstrap clientBootstrap = new Bootstrap()
                    .group(tcpGroup)
                    .channel(NioSocketChannel.class)
                    .handler(new ChannelInitializer<SocketChannel>() {
                        @Override
                        protected void initChannel(SocketChannel ch) {
                            SslHandler tls = clientContext.newHandler(ch.alloc(), "localhost", port);
                            framing(ch.pipeline().addLast(tls)).addLast(requester);
                        }
                    });
            client = host.call(() -> clientBootstrap
                    .connect(new InetSocketAddress(address, port))
                    .sync()
                    .channel());
            SslHandler clientTls = client.pipeline().get(SslHandler.class);
            clientTls.handshakeFuture().get(20, TimeUnit.SECONDS);
            assertInstanceOf(ReferenceCountedOpenSslEngine.class, clientTls.engine(), "client engine");
            assertInstanceOf(
                    ReferenceCountedOpenSslEngine.class,
                    serverTls.get(10, TimeUnit.SECONDS).engine(),
                    "server engine");
            assertTrue(
                    List.of("TLSv1.2", "TLSv1.3")
                            .contains(clientTls.engine().getSession().getProtocol()),
                    clientTls.engine().getSession().getProtocol());

            client.eventLoop().execute(requester::start);
            assertEquals(REQUESTS, verified.get(40, TimeUnit.SECONDS), "responses verified");

            // An orderly TLS close: the client says close_notify and the server, on reading
            // it, closes; the client then reads the end of the stream and closes too. (Had
            // the client closed its socket at once, the server's close_notify would find it
            // gone and be answered with a reset.)
            clientTls.closeOutbound().sync();
            serverClosed.get(10, TimeUnit.SECONDS);
            assertTrue(client.closeFuture().await(10, TimeUnit.SECONDS), "the client closes at end of stream");
            flows.closed.get(10, TimeUnit.SECONDS);
            assertEquals(0, flows.resets.get(), "an orderly close: " + flows);
            DivertStats stats = EndToEnd.awaitSettled(host, QUEUE, divert, writeBack, Duration.ofSeconds(10));
            writeBack.assertNoFailure();
            assertEquals(0, flows.strangers.get(), "packets of other flows, or not OUTBOUND on lo");
            long payloadBytes = 0;
            for (byte[] payload : payloads) {
                payloadBytes += payload.length;
            }
            // The requests' bytes, and more (TLS records, framing), went to the server
            // through the channel; the responses' came back through it.
            assertTrue(flows.toServerData.get() > payloadBytes, flows.toString());
            assertTrue(flows.fromServerData.get() > (long) REQUESTS * RESPONSE_BYTES, flows.toString());
            EndToEnd.assertEveryPacketWrittenBack(
                    stats,
                    flows.toServerPackets.get() + flows.fromServerPackets.get(),
                    EndToEnd.queueStats(host, QUEUE));
        } finally {
            ReferenceCountUtil.release(serverContext);
            ReferenceCountUtil.release(clientContext);
        }
    }

    /** Length-prefixed frames after the TLS handler, both ends. */
    private static ChannelPipeline framing(ChannelPipeline pipeline) {
        return pipeline.addLast(new LengthFieldBasedFrameDecoder(1 << 20, 0, 4, 0, 4), new LengthFieldPrepender(4));
    }

    /** Request payloads of random length and content, the same in every run. */
    private static byte[][] payloads() {
        Random random = new Random(0x7115);
        byte[][] payloads = new byte[REQUESTS][];
        for (int i = 0; i < REQUESTS; i++) {
            payloads[i] = new byte[1 + random.nextInt(MAX_PAYLOAD)];
            random.nextBytes(payloads[i]);
        }
        return payloads;
    }

    /**
     * A self-signed EC certificate for localhost and 127.0.0.1, made by the openssl command:
     * {certificate, PKCS#8 private key}, both PEM.
     */
    private File[] selfSignedCertificate() throws Exception {
        Path cert = dir.resolve("cert.pem");
        Path key = dir.resolve("key.pem");
        Path log = dir.resolve("openssl.log");
        Process openssl = new ProcessBuilder(
                        "openssl",
                        "req",
                        "-x509",
                        "-newkey",
                        "ec",
                        "-pkeyopt",
                        "ec_paramgen_curve:prime256v1",
                        "-nodes",
                        "-keyout",
                        key.toString(),
                        "-out",
                        cert.toString(),
                        "-days",
                        "2",
                        "-subj",
                        "/CN=localhost",
                        "-addext",
                        "subjectAltName=DNS:localhost,IP:127.0.0.1")
                .redirectErrorStream(true)
                .redirectOutput(log.toFile())
                .start();
        if (!openssl.waitFor(30, TimeUnit.SECONDS)) {
            openssl.destroyForcibly();
            throw new AssertionError("openssl req did not finish within 30 s");
        }
        assertEquals(0, openssl.exitValue(), () -> "openssl req failed: " + readQuietly(log));
        return new File[] {cert.toFile(), key.toFile()};
    }

    private static String readQuietly(Path file) {
        try {
            return Files.readString(file);
        } catch (IOException e) {
            return "(" + e + ")";
        }
    }

    /** Answers each request with its number, its payload's length and the payload's SHA-256. */
    private static final class HashingServer extends SimpleChannelInboundHandler<ByteBuf> {
        private final MessageDigest digest = EndToEnd.sha256();

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, ByteBuf request) {
            int number = request.readInt();
            int length = request.readableBytes();
            EndToEnd.update(digest, request);
            ByteBuf response = ctx.alloc().buffer(RESPONSE_BYTES);
            response.writeInt(number).writeInt(length).writeBytes(digest.digest());
            ctx.write(response);
        }

        @Override
        public void channelReadComplete(ChannelHandlerContext ctx) {
            ctx.flush();
        }

        @Override
        public void userEventTriggered(ChannelHandlerContext ctx, Object event) {
            if (event instanceof SslCloseCompletionEvent) {
                ctx.close(); // the client said close_notify
            }
            ctx.fireUserEventTriggered(event);
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            ctx.close();
        }
    }

    /**
     * Sends the requests, {@link #WINDOW} in flight, and checks every response: in order, for
     * the right request, with the payload's length and hash. Completes {@code verified} with
     * the count once all are in, or with the first discrepancy. Event loop only.
     */
    private static final class VerifyingClient extends SimpleChannelInboundHandler<ByteBuf> {
        private final byte[][] payloads;
        private final byte[][] hashes;
        private final CompletableFuture<Integer> verified;
        private ChannelHandlerContext ctx;
        private int sent;
        private int answered;

        VerifyingClient(byte[][] payloads, CompletableFuture<Integer> verified) {
            this.payloads = payloads;
            this.verified = verified;
            hashes = new byte[payloads.length][];
            for (int i = 0; i < payloads.length; i++) {
                hashes[i] = EndToEnd.sha256(payloads[i]);
            }
        }

        @Override
        public void handlerAdded(ChannelHandlerContext ctx) {
            this.ctx = ctx;
        }

        void start() {
            while (sent < WINDOW && sent < payloads.length) {
                send();
            }
            ctx.flush();
        }

        private void send() {
            byte[] payload = payloads[sent];
            ByteBuf request = ctx.alloc().buffer(4 + payload.length);
            request.writeInt(sent).writeBytes(payload);
            ctx.write(request);
            sent++;
        }

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, ByteBuf response) {
            try {
                assertEquals(RESPONSE_BYTES, response.readableBytes(), "response size");
                assertEquals(answered, response.readInt(), "responses come in request order");
                assertEquals(payloads[answered].length, response.readInt(), "payload length of " + answered);
                byte[] hash = new byte[32];
                response.readBytes(hash);
                assertArrayEquals(hashes[answered], hash, () -> "payload hash of request " + answered);
            } catch (AssertionError e) {
                verified.completeExceptionally(e);
                ctx.close();
                return;
            }
            answered++;
            if (answered == payloads.length) {
                verified.complete(answered);
            } else if (sent < payloads.length) {
                send();
            }
        }

        @Override
        public void channelReadComplete(ChannelHandlerContext ctx) {
            ctx.flush();
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            verified.completeExceptionally(new AssertionError("closed after " + answered + " responses"));
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            verified.completeExceptionally(cause);
            ctx.close();
        }
    }
}
