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

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

/**
 * The demo's traffic: three UDP datagrams to a local receiver and one small TCP exchange, all
 * on the loopback address, so that a machine needs nothing but Java to run the demo.
 */
final class Traffic {
    private static final int TIMEOUT_MILLIS = 5000;

    private Traffic() {}

    static int run(int port, PrintStream out) throws IOException, InterruptedException {
        InetAddress loopback = InetAddress.getLoopbackAddress();
        try (DatagramSocket receiver = new DatagramSocket(new InetSocketAddress(loopback, port));
                DatagramSocket sender = new DatagramSocket()) {
            receiver.setSoTimeout(TIMEOUT_MILLIS);
            for (int i = 1; i <= 3; i++) {
                byte[] data = ("datagram " + i).getBytes(StandardCharsets.US_ASCII);
                sender.send(new DatagramPacket(data, data.length, loopback, port));
                DatagramPacket got = new DatagramPacket(new byte[64], 64);
                receiver.receive(got);
                out.println("traffic: UDP received '"
                        + new String(got.getData(), 0, got.getLength(), StandardCharsets.US_ASCII) + "'");
            }
        }
        try (ServerSocket server = new ServerSocket()) {
            server.bind(new InetSocketAddress(loopback, port));
            server.setSoTimeout(TIMEOUT_MILLIS);
            Thread echo = new Thread(() -> {
                try (Socket s = server.accept()) {
                    s.setSoTimeout(TIMEOUT_MILLIS);
                    byte[] request = s.getInputStream().readNBytes(5);
                    s.getOutputStream()
                            .write(new String(request, StandardCharsets.US_ASCII)
                                    .toUpperCase(java.util.Locale.ROOT)
                                    .getBytes(StandardCharsets.US_ASCII));
                } catch (IOException e) {
                    out.println("traffic: TCP server failed: " + e.getMessage());
                }
            });
            echo.start();
            try (Socket client = new Socket()) {
                client.connect(new InetSocketAddress(loopback, port), TIMEOUT_MILLIS);
                client.setSoTimeout(TIMEOUT_MILLIS);
                OutputStream o = client.getOutputStream();
                InputStream in = client.getInputStream();
                o.write("hello".getBytes(StandardCharsets.US_ASCII));
                out.println("traffic: TCP sent 'hello', received '"
                        + new String(in.readNBytes(5), StandardCharsets.US_ASCII) + "'");
            }
            echo.join(TIMEOUT_MILLIS);
        }
        return 0;
    }
}
