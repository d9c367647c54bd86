import socket, threading
def tcp(fam, addr, port, reply):
    s = socket.socket(fam); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1); s.bind((addr, port)); s.listen()
    c, _ = s.accept(); c.recv(100); c.sendall(reply); c.close(); s.close()
def udp(fam, addr, port):
    s = socket.socket(fam, socket.SOCK_DGRAM); s.bind((addr, port))
    for _ in range(1):
        d, a = s.recvfrom(100); s.sendto(d[::-1], a)
ts = [threading.Thread(target=tcp, args=(socket.AF_INET, "10.99.0.2", 8080, b"HTTP/1.0 200 OK\r\n\r\nhi")),
      threading.Thread(target=tcp, args=(socket.AF_INET6, "fd99::2", 8443, b"pong")),
      threading.Thread(target=udp, args=(socket.AF_INET, "10.99.0.2", 5353)),
      threading.Thread(target=udp, args=(socket.AF_INET6, "fd99::2", 5353))]
[t.start() for t in ts]; [t.join() for t in ts]
