"""Request forgery: the known tricks to make a webhook reach the tracker's own network, each
refused before a byte is sent. The receiver is real and listens on 127.0.0.1 at the port each
trick aims at, so a trick that got through would show up as a request it received.

DNS answers that need a name server (a name resolving to 10.0.0.1, one resolving public then
private) come from a resolver the test passes in: the outside world, played by the test."""

import socket

import pytest

from statements.webhooks.outbound import Network, forbidden, post, system_connect, system_resolve

BODY = b'{"type": "statement.published"}'


def attempt(url: str, network: Network | None = None, allow_private: bool = False):
    return post(
        url, BODY, {"content-type": "application/json"}, timeout=5, allow_private=allow_private, network=network
    )


@pytest.mark.parametrize(
    "host",
    [
        "127.1",  # inet_aton's short form
        "2130706433",  # 127.0.0.1 as one decimal number
        "0x7f000001",  # … in hexadecimal
        "017700000001",  # … in octal
        "[::1]",  # IPv6 loopback
        "[::ffff:127.0.0.1]",  # IPv4 loopback mapped into IPv6
        "0.0.0.0",  # unspecified: Linux connects it to the local host
        "localhost.",  # a fully qualified localhost
        "LocalHost",
        "www.localhost",  # RFC 6761: every *.localhost is loopback
    ],
)
def test_loopback_in_any_spelling_is_refused_and_nothing_arrives(receiver, host):
    port = receiver.server.server_address[1]

    answer = attempt(f"http://{host}:{port}/hooks")

    assert answer.status is None
    assert answer.error.startswith("refused:"), answer.error
    assert receiver.requests == []


@pytest.mark.parametrize(
    ("address", "reason"),
    [
        ("169.254.169.254", "link-local"),  # cloud metadata
        ("[fe80::1]", "link-local"),
        ("10.0.0.1", "private"),
        ("172.16.5.4", "private"),
        ("192.168.1.1", "private"),
        ("[fd00::1]", "private"),
        ("100.64.0.1", "CGNAT"),
        ("224.0.0.1", "multicast"),
        ("[ff02::1]", "multicast"),
        ("[::]", "unspecified"),
        ("[64:ff9b::a00:1]", "private"),  # NAT64 of 10.0.0.1
        ("[2002:a00:1::]", "private"),  # 6to4 of 10.0.0.1
        ("192.0.2.1", "private"),  # documentation range (TEST-NET-1)
    ],
)
def test_private_and_special_addresses_are_refused_before_connecting(address, reason):
    connected = []
    network = Network(connect=lambda *args: connected.append(args) or system_connect(*args))

    answer = attempt(f"https://{address}/hooks", network)

    assert answer.error.startswith("refused:") and reason in answer.error, answer.error
    assert connected == []


def test_a_name_resolving_to_a_private_address_is_refused():
    connected = []
    network = Network(
        resolve=lambda host, port: ["10.0.0.1"] if host == "hooks.newsroom.example" else [],
        connect=lambda *args: connected.append(args),
    )

    answer = attempt("https://hooks.newsroom.example/in", network)

    assert answer.error == "refused: hooks.newsroom.example resolves to 10.0.0.1, a private address"
    assert connected == []


def test_a_name_with_one_private_address_among_public_ones_is_refused():
    network = Network(resolve=lambda host, port: ["93.184.215.14", "127.0.0.1"])

    answer = attempt("https://mixed.example/", network)

    assert answer.error == "refused: mixed.example resolves to 127.0.0.1, a loopback address"


def test_dns_rebinding_the_connection_goes_to_the_address_that_was_checked(receiver):
    """A name that answers public, then private (a rebinding DNS server): the name is resolved
    once per attempt and the connection goes to the address checked, never to a second answer.
    The 'public' address is played by the local receiver's socket (connect is the outside world
    too); the private second answer is never asked for."""
    answers = iter([["93.184.215.14"], ["127.0.0.1"]])
    asked, connected = [], []

    def resolve(host, port):
        asked.append(host)
        return next(answers)

    def connect(address, port, timeout):
        connected.append(address)
        return socket.create_connection(receiver.server.server_address, timeout=timeout)

    answer = attempt("http://rebind.example/hooks", Network(resolve=resolve, connect=connect))

    assert answer.status == 200 and answer.address == "93.184.215.14"
    assert asked == ["rebind.example"] and connected == ["93.184.215.14"]
    assert receiver.requests[0].headers["Host"] == "rebind.example"
    # The next attempt resolves again, gets the private answer and is refused before connecting.
    again = attempt("http://rebind.example/hooks", Network(resolve=resolve, connect=connect))
    assert again.error == "refused: rebind.example resolves to 127.0.0.1, a loopback address"
    assert connected == ["93.184.215.14"]


def test_a_redirect_to_loopback_is_not_followed(make_receiver):
    inside, outside = make_receiver(), make_receiver()
    outside.statuses.append(302)
    outside.redirect_to = inside.url

    answer = attempt(outside.url, allow_private=True)  # the first hop is allowed (a test receiver)

    assert answer.status == 302
    assert len(outside.requests) == 1 and inside.requests == []


def test_only_4_kib_of_a_huge_answer_is_read(receiver):
    """A receiver answering with an endless body does not keep the sender reading."""
    import threading
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

    sent = []

    class Endless(BaseHTTPRequestHandler):
        def do_POST(self):
            self.rfile.read(int(self.headers["Content-Length"]))
            self.send_response(200)
            self.send_header("Content-Length", str(100 * 2**20))
            self.end_headers()
            try:
                for _ in range(100 * 16):
                    self.wfile.write(b"x" * 65536)
                    sent.append(65536)
            except OSError:
                pass

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Endless)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        answer = attempt(f"http://127.0.0.1:{server.server_address[1]}/", allow_private=True)
    finally:
        server.shutdown()
        server.server_close()

    assert answer.status == 200 and answer.error == ""
    assert sum(sent) < 100 * 2**20  # the sender hung up long before the end


def test_a_server_dripping_its_answer_is_cut_at_the_deadline():
    """Headers sent a byte at a time, forever: the attempt ends at its deadline, not per byte."""
    import threading

    listener = socket.create_server(("127.0.0.1", 0))
    stop = threading.Event()

    def drip():
        conn, _ = listener.accept()
        conn.recv(65536)
        conn.sendall(b"HTTP/1.1 200 OK\r\n")
        while not stop.is_set():
            try:
                conn.sendall(b"X")
            except OSError:
                break
            stop.wait(0.05)
        conn.close()

    threading.Thread(target=drip, daemon=True).start()
    try:
        answer = post(
            f"http://127.0.0.1:{listener.getsockname()[1]}/",
            BODY,
            {},
            timeout=0.5,
            allow_private=True,
        )
    finally:
        stop.set()
        listener.close()

    assert answer.status is None
    assert answer.error == "timed out after 0.5 s"


@pytest.mark.parametrize(
    ("address", "verdict"),
    [
        ("93.184.215.14", None),
        ("2606:2800:21f:cb07:6820:80da:af6b:8b2c", None),
        ("127.0.0.1", "a loopback address"),
        ("::ffff:10.1.2.3", "a private address (10.1.2.3 inside ::ffff:a01:203)"),
        ("100.127.255.255", "a CGNAT (shared address space) address"),
    ],
)
def test_forbidden_names_the_reason(address, verdict):
    assert forbidden(address) == verdict


def test_the_system_resolver_reads_numeric_tricks_without_dns():
    assert system_resolve("0x7f000001", 80) == ["127.0.0.1"]
    assert system_resolve("127.1", 80) == ["127.0.0.1"]
