#!/usr/bin/env python3
"""Peers for proxy.sh, on 127.0.0.1 (the port they listen on is their first line of output).

    proxy_peers.py connect-proxy LOG      an HTTP CONNECT proxy that appends each request line
                                          it is sent to LOG and tunnels to 127.0.0.1 whatever
                                          host is named (so a name like mcp.test needs no DNS)
    proxy_peers.py tls-front CERT KEY PORT TLS in, plain bytes out to 127.0.0.1:PORT
"""
import socket
import ssl
import sys
import threading


def pipe(source, sink):
    try:
        while True:
            data = source.recv(65536)
            if not data:
                break
            sink.sendall(data)
    except OSError:
        pass
    for end in (source, sink):
        try:
            end.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass


def join(a, b):
    threading.Thread(target=pipe, args=(a, b), daemon=True).start()
    pipe(b, a)


def connect_proxy(log_path):
    log = open(log_path, "a", buffering=1)

    def serve(client):
        head = b""
        while b"\r\n\r\n" not in head:
            chunk = client.recv(4096)
            if not chunk or len(head) > 65536:
                client.close()
                return
            head += chunk
        line = head.split(b"\r\n", 1)[0].decode("latin-1")
        log.write(line + "\n")
        parts = line.split(" ")
        if len(parts) != 3 or parts[0] != "CONNECT":
            client.sendall(b"HTTP/1.1 405 Method Not Allowed\r\nContent-Length: 0\r\n\r\n")
            client.close()
            return
        port = int(parts[1].rsplit(":", 1)[1])
        try:
            upstream = socket.create_connection(("127.0.0.1", port), timeout=10)
        except OSError:
            client.sendall(b"HTTP/1.1 502 Bad Gateway\r\nContent-Length: 0\r\n\r\n")
            client.close()
            return
        upstream.settimeout(None)
        client.sendall(b"HTTP/1.1 200 Connection established\r\n\r\n")
        join(client, upstream)

    return serve


def tls_front(cert, key, port):
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)

    def serve(raw):
        try:
            secure = context.wrap_socket(raw, server_side=True)
            upstream = socket.create_connection(("127.0.0.1", port), timeout=10)
        except OSError:
            raw.close()
            return
        upstream.settimeout(None)
        join(secure, upstream)

    return serve


def main():
    if sys.argv[1] == "connect-proxy":
        serve = connect_proxy(sys.argv[2])
    elif sys.argv[1] == "tls-front":
        serve = tls_front(sys.argv[2], sys.argv[3], int(sys.argv[4]))
    else:
        sys.exit(__doc__)
    listener = socket.create_server(("127.0.0.1", 0))
    print(listener.getsockname()[1], flush=True)
    while True:
        connection, _ = listener.accept()
        threading.Thread(target=serve, args=(connection,), daemon=True).start()


main()
