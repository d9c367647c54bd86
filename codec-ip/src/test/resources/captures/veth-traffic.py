# Runs in namespace ndvA (10.99.0.1, fd99::1); the peer ndvB (10.99.0.2, fd99::2) runs the servers.
import socket, subprocess, sys, time
def tcp(fam, addr, port, msg):
    c = socket.create_connection((addr, port)); c.sendall(msg); c.recv(100); c.close()
def udp(fam, addr, port, msg):
    s = socket.socket(fam, socket.SOCK_DGRAM); s.settimeout(2); s.sendto(msg, (addr, port)); s.recv(100); s.close()
tcp(socket.AF_INET, "10.99.0.2", 8080, b"GET / HTTP/1.0\r\n\r\n")
tcp(socket.AF_INET6, "fd99::2", 8443, b"ping")
udp(socket.AF_INET, "10.99.0.2", 5353, b"hello udp")
udp(socket.AF_INET6, "fd99::2", 5353, b"hello udp6")
