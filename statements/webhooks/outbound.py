"""Outbound POSTs that cannot be turned against the tracker's own network (request forgery).

For every attempt: the URL's host is resolved once; every address it resolves to must be a
public one (no loopback, private, link-local, CGNAT, multicast, unspecified or otherwise reserved
address, an IPv4 address hidden in IPv6 included); the connection is made to the very address
that was checked (no second lookup a rebinding DNS server could answer differently), with TLS
verified against the URL's host name. No redirect is followed; at most 4 KiB of the answer's
body is read, then dropped unseen; the whole exchange is cut at the deadline, however slowly a
server drips its answer. WEBHOOKS_ALLOW_PRIVATE_TARGETS=true lifts the address rule only (tests
and local development).

`Network` is the outside world (name resolution and connecting): tests pass their own resolver
to play a DNS server, the code under test stays the same.
"""

import contextlib
import http.client
import ipaddress
import socket
import ssl
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from urllib.parse import urlsplit

MAX_BODY_READ = 4096
# IPv4 ranges `is_global` misses or that carry no traffic of their own: CGNAT (is_global already
# says no, named for the message), and the IPv6 forms that embed an IPv4 address.
CGNAT = ipaddress.ip_network("100.64.0.0/10")
NAT64 = ipaddress.ip_network("64:ff9b::/96")
NAT64_LOCAL = ipaddress.ip_network("64:ff9b:1::/48")


class Refused(Exception):
    """The target may not be contacted (its address, its URL): nothing was sent."""


def system_resolve(host: str, port: int) -> list[str]:
    """Every address `host` resolves to (IP literals in any form getaddrinfo reads, names)."""
    infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return list(dict.fromkeys(info[4][0] for info in infos))


def system_connect(address: str, port: int, timeout: float) -> socket.socket:
    return socket.create_connection((address, port), timeout=timeout)


@dataclass(frozen=True)
class Network:
    """Name resolution and connecting: the system's, unless a test plays them."""

    resolve: Callable[[str, int], list[str]] = system_resolve
    connect: Callable[[str, int, float], socket.socket] = system_connect


def forbidden(address: str) -> str | None:
    """Why `address` may not be contacted ("a loopback address" …), or None when it is public."""
    ip = ipaddress.ip_address(address.split("%")[0])  # a zone index (fe80::1%eth0) is no part of it
    if isinstance(ip, ipaddress.IPv6Address):
        embedded = ip.ipv4_mapped or ip.sixtofour or (ip.teredo[1] if ip.teredo else None)
        if embedded is None and ip in NAT64:
            embedded = ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
        if embedded is not None:
            reason = forbidden(str(embedded))
            return f"{reason} ({embedded} inside {ip})" if reason else None
        if ip in NAT64_LOCAL:
            return "a local NAT64 address"
    for reason, test in (
        ("an unspecified address", ip.is_unspecified),
        ("a loopback address", ip.is_loopback),
        ("a link-local address", ip.is_link_local),
        ("a multicast address", ip.is_multicast),
        ("a CGNAT (shared address space) address", isinstance(ip, ipaddress.IPv4Address) and ip in CGNAT),
        ("a private address", ip.is_private),
        ("a reserved address", ip.is_reserved),
        ("not globally routable", not ip.is_global),
    ):
        if test:
            return reason
    return None


def is_localhost(host: str) -> bool:
    """RFC 6761: localhost and every name under it are the local host, whatever DNS says."""
    name = host.rstrip(".").lower()
    return name == "localhost" or name.endswith(".localhost")


@dataclass(frozen=True)
class Target:
    scheme: str
    host: str  # as written in the URL (a name, or an address without brackets)
    port: int
    path: str  # with the query


def parse_target(url: str) -> Target:
    """The parts of an http(s) URL a POST needs; Refused for anything else."""
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as exc:
        raise Refused(f"not a valid URL ({exc})") from exc
    if parts.scheme not in ("https", "http") or not parts.hostname:
        raise Refused("not an http(s) URL with a host")
    if parts.username is not None or parts.password is not None:
        raise Refused("credentials in the URL are not sent; use the signature to authenticate")
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    return Target(parts.scheme, parts.hostname, port or (443 if parts.scheme == "https" else 80), path)


@dataclass
class Answer:
    """What one attempt got: the status code (None when no answer came), the address it talked
    to, how long it took and, when it failed before or without an answer, why."""

    status: int | None = None
    address: str = ""
    latency_ms: int = 0
    error: str = ""
    location: str = field(default="", repr=False)


def check_addresses(host: str, port: int, network: Network, allow_private: bool) -> list[str]:
    """Resolve `host` once; every address must be public (unless `allow_private`)."""
    if is_localhost(host) and not allow_private:
        raise Refused(f"refused: {host} is the local host")
    try:
        addresses = network.resolve(host, port)
    except (OSError, UnicodeError) as exc:
        raise Refused(f"{host} does not resolve ({exc})") from exc
    if not addresses:
        raise Refused(f"{host} resolves to no address")
    if not allow_private:
        for address in addresses:
            reason = forbidden(address)
            if reason and _same_address(host, address):
                raise Refused(f"refused: {address} is {reason}")
            if reason:
                raise Refused(f"refused: {host} resolves to {address}, {reason}")
    return addresses


def _same_address(host: str, address: str) -> bool:
    try:
        return ipaddress.ip_address(host) == ipaddress.ip_address(address)
    except ValueError:
        return False


class _PinnedConnection(http.client.HTTPConnection):
    """http.client on a socket already connected to the checked address."""

    def __init__(self, target: Target, sock: socket.socket, timeout: float):
        super().__init__(target.host, target.port, timeout=timeout)
        self.sock = sock

    def connect(self):  # the socket is given; never resolve the name again
        raise http.client.CannotSendRequest("already connected")


def post(
    url: str,
    body: bytes,
    headers: dict[str, str],
    *,
    timeout: float,
    allow_private: bool,
    network: Network | None = None,
) -> Answer:
    """POST `body` to `url` under the rules above. Never raises for the target's doing: the
    answer says what happened (status, or error)."""
    network = network or Network()
    started = time.monotonic()
    answer = Answer()
    try:
        target = parse_target(url)
        addresses = check_addresses(target.host, target.port, network, allow_private)
        sock = _connect(addresses, target, network, timeout, answer)
        _exchange(sock, target, body, headers, started + timeout, answer)
    except Refused as exc:
        answer.error = str(exc)
    except TimeoutError:
        answer.error = f"timed out after {timeout:g} s"
    except ssl.SSLError as exc:
        answer.error = f"TLS: {exc.reason or exc}"
    except (OSError, http.client.HTTPException) as exc:
        answer.error = f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__
    answer.latency_ms = round((time.monotonic() - started) * 1000)
    if answer.error and time.monotonic() - started >= timeout:
        answer.error = f"timed out after {timeout:g} s"
    return answer


def _connect(addresses: list[str], target: Target, network: Network, timeout: float, answer: Answer):
    """A socket to the first checked address that accepts, TLS-wrapped for https."""
    last: OSError | None = None
    for address in addresses:
        try:
            sock = network.connect(address, target.port, timeout)
        except OSError as exc:
            last = exc
            continue
        answer.address = address
        if target.scheme == "https":
            context = ssl.create_default_context()
            return context.wrap_socket(sock, server_hostname=target.host)
        return sock
    raise last or OSError("no address accepted the connection")


def _exchange(sock, target: Target, body: bytes, headers: dict, deadline: float, answer: Answer) -> None:
    """Send the request and read the status, headers and ≤ 4 KiB of body before `deadline`: a
    watchdog shuts the socket at the deadline, so a server dripping bytes cannot hold on (and
    what was read until then does not count as an answer)."""
    remaining = max(0.001, deadline - time.monotonic())
    sock.settimeout(remaining)
    fired = threading.Event()
    watchdog = threading.Timer(remaining, _shut, args=(sock, fired))
    watchdog.daemon = True
    watchdog.start()
    connection = _PinnedConnection(target, sock, remaining)
    try:
        connection.request("POST", target.path, body=body, headers=headers)
        response = connection.getresponse()
        status, location = response.status, response.getheader("Location", "")[:300]
        response.read(MAX_BODY_READ)  # read a little, never shown, never kept
    finally:
        watchdog.cancel()
        connection.close()
    if fired.is_set():
        raise TimeoutError
    answer.status, answer.location = status, location


def _shut(sock, fired: threading.Event) -> None:
    fired.set()
    with contextlib.suppress(OSError):  # already closed: the exchange ended in time
        sock.shutdown(socket.SHUT_RDWR)
