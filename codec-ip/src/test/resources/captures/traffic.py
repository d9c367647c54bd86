import socket, threading, struct
def csum(b):
    if len(b)%2: b+=b"\0"
    s=sum(struct.unpack("!%dH"%(len(b)//2),b)); s=(s>>16)+(s&0xffff); s+=s>>16; return ~s&0xffff
srv=socket.socket(); srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR,1); srv.bind(("127.0.0.1",8080)); srv.listen()
def serve():
    c,_=srv.accept(); d=c.recv(100); c.sendall(b"HTTP/1.0 200 OK\r\n\r\nhi"); c.close()
t=threading.Thread(target=serve); t.start()
c=socket.create_connection(("127.0.0.1",8080)); c.sendall(b"GET / HTTP/1.0\r\n\r\n"); c.recv(100); c.close(); t.join(); srv.close()
srv=socket.socket(socket.AF_INET6); srv.bind(("::1",8443)); srv.listen()
def serve6():
    c,_=srv.accept(); c.recv(100); c.sendall(b"pong"); c.close()
t=threading.Thread(target=serve6); t.start()
c=socket.create_connection(("::1",8443)); c.sendall(b"ping"); c.recv(100); c.close(); t.join(); srv.close()
for fam,addr in ((socket.AF_INET,"127.0.0.1"),(socket.AF_INET6,"::1")):
    r=socket.socket(fam,socket.SOCK_DGRAM); r.bind((addr,5353))
    s=socket.socket(fam,socket.SOCK_DGRAM)
    s.sendto(b"hello udp",(addr,5353)); r.recv(100)
    s.sendto(bytes(range(256))*10,(addr,5353)); r.recv(4000)
    r.close(); s.close()
# ICMP echo: we compute the checksum, the kernel answers with its own
s=socket.socket(socket.AF_INET,socket.SOCK_RAW,socket.IPPROTO_ICMP)
body=struct.pack("!HH",0x1234,1)+b"netty-divert ping"
s.sendto(struct.pack("!BBH",8,0,csum(struct.pack("!BBH",8,0,0)+body))+body,("127.0.0.1",0)); s.recv(200); s.recv(200)
s=socket.socket(socket.AF_INET6,socket.SOCK_RAW,socket.IPPROTO_ICMPV6)
s.sendto(struct.pack("!BBHHH",128,0,0,0x4321,1)+b"netty-divert ping6",("::1",0)); s.recv(200); s.recv(200)
