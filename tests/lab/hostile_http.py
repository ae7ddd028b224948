"""A deliberately badly behaved HTTP and HTTPS server for the web lab.

Run as a program in a lab namespace (the lab starts it; see web_servers.start_hostile)::

    python hostile_http.py --cert C --key K --address 198.18.1.66 --address 2001:db8:1::66

It listens on port 80 (HTTP) and 443 (HTTPS, with the lab certificate) at each address and
answers by the request's Host (over TLS, SNI names the same host):

=========================  ===================================================================
``loop.web.test``          HTTP -> ``https://loop.web.test<path>``, HTTPS -> ``http://...<path>``:
                           a two-step redirect loop (and ``www.loop.web.test`` the same way)
``tohttp.web.test``        HTTP ``/`` -> ``https://tohttp.web.test/``, HTTPS -> ``http://
                           tohttp.web.test/plain``, HTTP ``/plain`` 200: the chain ends on HTTP
``chain.web.test``         HTTP -> ``https://chain.web.test/hop/1``, HTTPS ``/hop/N`` ->
                           ``/hop/N+1``: an endless chain of distinct URLs
``bigbody.web.test``       200 with a 50 MB body (Content-Length given), on both ports
``drip.web.test``          one byte of a never-ending response per second, on both ports
``bigheaders.web.test``    200 with a 1 MB header block, on both ports
anything else              404
=========================  ===================================================================

Every www. name behaves like its name. Connections are closed after one response. It prints
nothing when ready: the lab waits until the ports listen.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import ssl
from collections.abc import Awaitable, Callable

BIG_BODY_BYTES = 50 * 1024 * 1024
BIG_HEADER_BYTES = 1024 * 1024
#: A drip stops by itself after this many bytes (an hour), so nothing runs forever.
DRIP_LIMIT = 3600
REQUEST_HEAD_LIMIT = 16 * 1024
REQUEST_TIMEOUT = 10.0

_BAD_REQUEST = (asyncio.IncompleteReadError, asyncio.LimitOverrunError)

Responder = Callable[[asyncio.StreamWriter, str, str], Awaitable[None]]


def _head(status: str, headers: list[tuple[str, str]]) -> bytes:
    lines = [f"HTTP/1.1 {status}", *(f"{name}: {value}" for name, value in headers)]
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")


async def _send(writer: asyncio.StreamWriter, status: str, body: bytes = b"", **extra: str) -> None:
    headers = [(name.replace("_", "-"), value) for name, value in extra.items()]
    headers += [("Content-Length", str(len(body))), ("Connection", "close")]
    writer.write(_head(status, headers) + body)
    await writer.drain()


async def _redirect(writer: asyncio.StreamWriter, location: str) -> None:
    await _send(writer, "301 Moved Permanently", b"moved\n", Location=location)


async def loop(writer: asyncio.StreamWriter, scheme: str, host: str, path: str) -> None:
    other = "https" if scheme == "http" else "http"
    await _redirect(writer, f"{other}://{host}{path}")


async def to_http(writer: asyncio.StreamWriter, scheme: str, host: str, path: str) -> None:
    if scheme == "https":
        await _redirect(writer, f"http://{host}/plain")
    elif path == "/plain":
        await _send(writer, "200 OK", b"plain HTTP at the end of the chain\n")
    else:
        await _redirect(writer, f"https://{host}/")


async def chain(writer: asyncio.StreamWriter, scheme: str, host: str, path: str) -> None:
    if scheme == "http":
        await _redirect(writer, f"https://{host}/hop/1")
        return
    step = path.removeprefix("/hop/")
    number = int(step) + 1 if step.isdigit() else 1
    await _redirect(writer, f"/hop/{number}")


async def big_body(writer: asyncio.StreamWriter, scheme: str, host: str, path: str) -> None:
    headers = [("Content-Type", "text/plain"), ("Content-Length", str(BIG_BODY_BYTES))]
    writer.write(_head("200 OK", [*headers, ("Connection", "close")]))
    chunk = b"x" * 65536
    for _ in range(BIG_BODY_BYTES // len(chunk)):
        writer.write(chunk)
        await writer.drain()  # raises once the client has gone: the loop ends with it


async def drip(writer: asyncio.StreamWriter, scheme: str, host: str, path: str) -> None:
    text = b"HTTP/1.1 200 OK\r\nX-Drip: " + b"." * DRIP_LIMIT
    for index in range(len(text)):
        writer.write(text[index : index + 1])
        await writer.drain()
        await asyncio.sleep(1)


async def big_headers(writer: asyncio.StreamWriter, scheme: str, host: str, path: str) -> None:
    filler = "f" * 1000
    headers = [(f"X-Filler-{number}", filler) for number in range(BIG_HEADER_BYTES // 1000)]
    writer.write(_head("200 OK", [*headers, ("Content-Length", "3"), ("Connection", "close")]))
    writer.write(b"ok\n")
    await writer.drain()


async def not_found(writer: asyncio.StreamWriter, scheme: str, host: str, path: str) -> None:
    await _send(writer, "404 Not Found", b"no such lab host\n")


RESPONDERS: dict[str, Responder] = {
    "loop.web.test": loop,
    "tohttp.web.test": to_http,
    "chain.web.test": chain,
    "bigbody.web.test": big_body,
    "drip.web.test": drip,
    "bigheaders.web.test": big_headers,
}


def responder_for(host: str) -> Responder:
    name = host.lower().rsplit(":", 1)[0] if not host.startswith("[") else host
    return RESPONDERS.get(name.removeprefix("www."), not_found)


async def _read_request(reader: asyncio.StreamReader) -> tuple[str, str]:
    """The path and the Host header of one request head; ValueError if there is none."""
    head = await reader.readuntil(b"\r\n\r\n")
    if len(head) > REQUEST_HEAD_LIMIT:
        raise ValueError("request head too long")
    request_line, *header_lines = head.decode("latin-1").split("\r\n")
    parts = request_line.split()
    path = parts[1] if len(parts) == 3 else "/"
    host = ""
    for line in header_lines:
        name, _, value = line.partition(":")
        if name.strip().lower() == "host":
            host = value.strip()
    return path, host


def handler(scheme: str) -> Callable[[asyncio.StreamReader, asyncio.StreamWriter], Awaitable[None]]:
    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            async with asyncio.timeout(REQUEST_TIMEOUT):
                path, host = await _read_request(reader)
            await responder_for(host)(writer, scheme, host, path)
        except (OSError, ValueError, TimeoutError, ssl.SSLError, *_BAD_REQUEST):
            pass  # a client that hangs up or talks nonsense: nothing to do but close
        finally:
            writer.close()
            with contextlib.suppress(OSError, ssl.SSLError, TimeoutError):
                async with asyncio.timeout(2):
                    await writer.wait_closed()

    return handle


async def serve(addresses: list[str], cert: str, key: str, http_port: int, https_port: int) -> None:
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert, key)
    servers = [
        await asyncio.start_server(handler("http"), addresses, http_port, limit=REQUEST_HEAD_LIMIT),
        await asyncio.start_server(
            handler("https"), addresses, https_port, ssl=context, limit=REQUEST_HEAD_LIMIT
        ),
    ]
    await asyncio.gather(*(server.serve_forever() for server in servers))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--address", action="append", required=True)
    parser.add_argument("--cert", required=True)
    parser.add_argument("--key", required=True)
    parser.add_argument("--http-port", type=int, default=80)
    parser.add_argument("--https-port", type=int, default=443)
    args = parser.parse_args()
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(serve(args.address, args.cert, args.key, args.http_port, args.https_port))


if __name__ == "__main__":
    main()
