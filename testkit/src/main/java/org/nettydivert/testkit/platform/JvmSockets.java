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
package org.nettydivert.testkit.platform;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.HttpURLConnection;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.nettydivert.testkit.HttpFileServer;
import org.nettydivert.testkit.TcpEchoServer;
import org.nettydivert.testkit.UdpEndpoint;

/**
 * The traffic helpers of a host whose sockets this JVM can open: each socket is made by a thread
 * inside the host ({@link Runner}), which is all it takes, since a socket stays in the network
 * stack it was made in whichever thread uses it later.
 */
public final class JvmSockets {
    /** Runs a task on a thread inside the host. */
    @FunctionalInterface
    public interface Runner {
        /** Runs {@code task} inside the host. */
        <T> T call(Callable<T> task) throws Exception;
    }

    private static final Duration IO_TIMEOUT = Duration.ofSeconds(10);

    private final Runner host;
    private final String hostName;
    private final List<AutoCloseable> open = new ArrayList<>();

    /** Helpers for the host {@code hostName} that {@code host} runs tasks in. */
    public JvmSockets(Runner host, String hostName) {
        this.host = host;
        this.hostName = hostName;
    }

    /** A UDP socket on every address of the host. */
    public UdpEndpoint udp(int port) throws Exception {
        DatagramSocket socket = host.call(() -> {
            DatagramSocket s = new DatagramSocket(null);
            // Bursts of test traffic must not be lost to a small default buffer.
            s.setReceiveBufferSize(4 << 20);
            s.bind(new InetSocketAddress(port));
            return s;
        });
        return remember(new Udp(socket));
    }

    /** A TCP echo server on every address of the host. */
    public TcpEchoServer tcpEcho(int port) throws Exception {
        ServerSocket server = host.call(() -> new ServerSocket(port, 50));
        Echo echo = remember(new Echo(server));
        Thread acceptor = new Thread(echo::acceptLoop, "tcp-echo-" + hostName + "-" + server.getLocalPort());
        acceptor.setDaemon(true);
        acceptor.start();
        return echo;
    }

    /** Connects, sends, ends its side, and reads to the end. */
    public byte[] tcpExchange(InetSocketAddress server, byte[] data) throws Exception {
        try (Socket socket = host.call(() -> {
            Socket s = new Socket();
            s.connect(server, (int) IO_TIMEOUT.toMillis());
            return s;
        })) {
            socket.setSoTimeout((int) IO_TIMEOUT.toMillis());
            // Written on a thread of its own: an echo server sends while we still write, and a
            // single thread writing a large payload would fill both directions' buffers and stall.
            Thread writer = new Thread(
                    () -> {
                        try {
                            OutputStream out = socket.getOutputStream();
                            out.write(data);
                            out.flush();
                            socket.shutdownOutput();
                        } catch (IOException e) {
                            // The read below fails or comes up short, which is what the caller sees.
                        }
                    },
                    "tcp-exchange-writer-" + hostName);
            writer.setDaemon(true);
            writer.start();
            byte[] received = socket.getInputStream().readAllBytes();
            writer.join(IO_TIMEOUT.toMillis());
            return received;
        }
    }

    /** An HTTP server answering every GET with {@code body}. */
    public HttpFileServer httpServe(int port, byte[] body, InetAddress advertised) throws Exception {
        HttpServer server = host.call(() -> HttpServer.create(new InetSocketAddress(port), 50));
        AtomicInteger requests = new AtomicInteger();
        server.createContext("/", exchange -> {
            try (exchange) {
                requests.incrementAndGet();
                exchange.sendResponseHeaders(200, body.length == 0 ? -1 : body.length);
                if (body.length > 0) {
                    try (OutputStream out = exchange.getResponseBody()) {
                        out.write(body);
                    }
                }
            }
        });
        server.start();
        String hostPart = advertised.getHostAddress();
        if (hostPart.indexOf(':') >= 0) {
            hostPart = "[" + hostPart + "]";
        }
        URI uri = URI.create("http://" + hostPart + ":" + server.getAddress().getPort() + "/");
        return remember(new Http(server, uri, requests));
    }

    /** Downloads {@code uri}; the connection is made inside the host. */
    public byte[] httpGet(URI uri) throws Exception {
        return host.call(() -> {
            HttpURLConnection connection = (HttpURLConnection) uri.toURL().openConnection();
            connection.setConnectTimeout((int) IO_TIMEOUT.toMillis());
            connection.setReadTimeout((int) IO_TIMEOUT.toMillis());
            try {
                int status = connection.getResponseCode();
                if (status != 200) {
                    throw new IOException("GET " + uri + " from " + hostName + " answered " + status);
                }
                try (InputStream in = connection.getInputStream()) {
                    return in.readAllBytes();
                }
            } finally {
                connection.disconnect();
            }
        });
    }

    /** Closes every socket and server these helpers opened; returns the first failure, or null. */
    public RuntimeException closeAll() {
        RuntimeException failure = null;
        List<AutoCloseable> all;
        synchronized (open) {
            all = new ArrayList<>(open);
            open.clear();
        }
        for (AutoCloseable c : all) {
            try {
                c.close();
            } catch (Exception e) {
                if (failure == null) {
                    failure = new IllegalStateException("closing " + c + " of " + hostName, e);
                } else {
                    failure.addSuppressed(e);
                }
            }
        }
        return failure;
    }

    private <T extends AutoCloseable> T remember(T resource) {
        synchronized (open) {
            open.add(resource);
        }
        return resource;
    }

    private static final class Udp implements UdpEndpoint {
        private final DatagramSocket socket;
        private final byte[] buffer = new byte[65536];

        Udp(DatagramSocket socket) {
            this.socket = socket;
        }

        @Override
        public int port() {
            return socket.getLocalPort();
        }

        @Override
        public void send(InetSocketAddress to, byte[] payload) throws IOException {
            socket.send(new DatagramPacket(payload, payload.length, to));
        }

        @Override
        public synchronized byte[] receive(Duration timeout) throws IOException {
            DatagramPacket packet = new DatagramPacket(buffer, buffer.length);
            socket.setSoTimeout((int) Math.max(1, timeout.toMillis()));
            try {
                socket.receive(packet);
            } catch (SocketTimeoutException e) {
                return null;
            }
            return Arrays.copyOfRange(packet.getData(), packet.getOffset(), packet.getOffset() + packet.getLength());
        }

        @Override
        public List<byte[]> receive(int count, Duration quiet) throws IOException {
            List<byte[]> received = new ArrayList<>();
            while (received.size() < count) {
                byte[] payload = receive(quiet);
                if (payload == null) {
                    break;
                }
                received.add(payload);
            }
            return received;
        }

        @Override
        public void close() {
            socket.close();
        }

        @Override
        public String toString() {
            return "UDP port " + port();
        }
    }

    private static final class Echo implements TcpEchoServer {
        private final ServerSocket server;
        private final AtomicInteger connections = new AtomicInteger();
        private final AtomicLong echoed = new AtomicLong();

        Echo(ServerSocket server) {
            this.server = server;
        }

        void acceptLoop() {
            while (!server.isClosed()) {
                Socket socket;
                try {
                    socket = server.accept();
                } catch (IOException e) {
                    return; // closed
                }
                connections.incrementAndGet();
                Thread t = new Thread(() -> echo(socket), "tcp-echo-conn-" + server.getLocalPort());
                t.setDaemon(true);
                t.start();
            }
        }

        private void echo(Socket socket) {
            try (socket) {
                socket.setSoTimeout((int) IO_TIMEOUT.toMillis());
                InputStream in = socket.getInputStream();
                OutputStream out = socket.getOutputStream();
                byte[] chunk = new byte[65536];
                int n;
                while ((n = in.read(chunk)) > 0) {
                    out.write(chunk, 0, n);
                    echoed.addAndGet(n);
                }
            } catch (SocketException | SocketTimeoutException e) {
                // The peer reset or went quiet: the exchange on its side reports it.
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        @Override
        public int port() {
            return server.getLocalPort();
        }

        @Override
        public int connections() {
            return connections.get();
        }

        @Override
        public long bytesEchoed() {
            return echoed.get();
        }

        @Override
        public void close() {
            try {
                server.close();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        @Override
        public String toString() {
            return "TCP echo on port " + port();
        }
    }

    private record Http(HttpServer server, URI uri, AtomicInteger count) implements HttpFileServer {
        @Override
        public int requests() {
            return count.get();
        }

        @Override
        public void close() {
            server.stop(0);
        }
    }
}
