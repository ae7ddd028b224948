"""The DNSSEC lab's zones, signed by BIND's own tools (dnssec-keygen, dnssec-signzone).

Everything is signed bottom-up: a child's DS records (dnssec-dsfromkey) go into its
parent's zone text before the parent is signed, up to the lab root, whose KSK becomes the
lab's trust anchor. Keys and signed files live in the lab's temp directory.

Chain (each step a real referral between BIND servers)::

    .                     root   NSEC
    test.                 tld    NSEC
      secure.test         auth   NSEC, valid; MX -> mx1.mailzone.test
      mailzone.test       auth   NSEC, valid (the mail host's zone)
      unsigned.test       auth   unsigned; test. proves "no DS" with NSEC
      dsmismatch.test     auth   signed, but test. holds the DS of a key the zone lacks
      expired.test        auth   signatures from 2020-01-01 to 2020-02-01
      rsasha1.test        auth   algorithm 5 (RSASHA1), valid
      nsec3iter.test      auth   NSEC3, 10 extra iterations, salt ABCDEF
      manykeys.test       hostile  300 extra DNSKEYs sharing the ZSK's key tag (KeyTrap)
      loop.test           auth   a.loop.test CNAME b.loop.test CNAME a.loop.test, signed
      tc / garbage / silent.test   hostile_dns.py, each with a DS (so the chain needs them)
    nsec3tld.             tld    NSEC3 (0 iterations, no salt)
      secure.nsec3tld     auth   NSEC, valid
      unsigned.nsec3tld   auth   unsigned; nsec3tld. proves "no DS" with a matching NSEC3
    optout.               tld    NSEC3 with opt-out
      unsigned.optout     auth   unsigned; covered by an opt-out NSEC3 span
"""

from __future__ import annotations

import base64
import struct
import subprocess
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .netlab import LabError, program

TTL = 300
NEGATIVE_TTL = 60
#: Seconds any signing tool may take.
TOOL_TIMEOUT = 60

#: Addresses the lab's names point at (nothing needs to listen there).
WEB4, WEB6 = "198.18.2.80", "2001:db8:2::80"
MAIL4, MAIL6 = "198.18.2.25", "2001:db8:2::25"

#: How many extra keys manykeys.test carries, all with its ZSK's key tag and algorithm.
CROWD_SIZE = 300
#: The validity window of expired.test's signatures (dnssec-signzone -s / -e).
EXPIRED_WINDOW = ("20200101000000", "20200201000000")


@dataclass(frozen=True, slots=True)
class NameServer:
    name: str  # absolute, e.g. "ns-auth.test."
    ipv4: str
    ipv6: str


@dataclass(frozen=True, slots=True)
class Nsec3:
    """dnssec-signzone's NSEC3 options: -3 salt (or "-" for none), -H iterations, -A."""

    salt: str = "-"
    iterations: int = 0
    opt_out: bool = False

    def argv(self) -> list[str]:
        return ["-3", self.salt, "-H", str(self.iterations), *(["-A"] if self.opt_out else [])]


@dataclass
class LabZones:
    """The signed zone texts by server role, the anchor files, and what tests need."""

    by_server: dict[str, dict[str, str]] = field(default_factory=dict)
    #: the lab root's KSK as zone-file DS records: netready's and unbound's anchor format
    anchor_ds: str = ""
    #: the same anchor in BIND's syntax, for delv -a
    anchor_bind: str = ""
    #: signed zone files hostile_dns.py serves (origin -> file)
    hostile_zone_files: dict[str, Path] = field(default_factory=dict)


class Signer:
    """Runs dnssec-keygen, dnssec-dsfromkey and dnssec-signzone in one directory."""

    def __init__(self, workdir: Path) -> None:
        self.workdir = workdir
        workdir.mkdir(parents=True, exist_ok=True)

    def keygen(self, zone: str, algorithm: str, *, ksk: bool, bits: int | None = None) -> str:
        """A new key; returns its base name (``Kzone.+alg+tag``)."""
        argv = [program("dnssec-keygen"), "-q", "-a", algorithm, "-n", "ZONE"]
        argv += ["-b", str(bits)] if bits else []
        argv += ["-f", "KSK"] if ksk else []
        return self._run([*argv, zone]).strip()

    def ds(self, key: str) -> str:
        """The SHA-256 DS record of a key, as a zone-file line."""
        return self._run([program("dnssec-dsfromkey"), "-2", f"{key}.key"]).strip()

    def dnskey(self, key: str) -> str:
        """The DNSKEY record line of a key file (comments dropped)."""
        text = (self.workdir / f"{key}.key").read_text()
        return "\n".join(line for line in text.splitlines() if not line.startswith(";"))

    def sign(
        self,
        zone: str,
        text: str,
        keys: Sequence[str],
        *,
        nsec3: Nsec3 | None = None,
        window: tuple[str, str] | None = None,
        extra_dnskeys: Sequence[str] = (),
    ) -> str:
        """Sign `text` with `keys` (their DNSKEYs are added); returns the signed zone text."""
        name = zone.rstrip(".") or "root"
        unsigned = self.workdir / f"{name}.zone"
        signed = self.workdir / f"{name}.signed"
        dnskeys = [self.dnskey(key) for key in keys]
        unsigned.write_text(text + "\n".join([*dnskeys, *extra_dnskeys]) + "\n")
        argv = [program("dnssec-signzone"), "-o", zone, "-f", str(signed)]
        # -P: no post-sign verification, which would refuse the deliberately broken zones
        argv += ["-P"] + (nsec3.argv() if nsec3 else [])
        argv += ["-s", window[0], "-e", window[1]] if window else ["-e", "+2592000"]
        self._run([*argv, str(unsigned), *keys])
        return signed.read_text()

    def _run(self, argv: Sequence[str]) -> str:
        done = subprocess.run(
            argv,
            cwd=self.workdir,
            capture_output=True,
            text=True,
            timeout=TOOL_TIMEOUT,
            check=False,
        )
        if done.returncode != 0:
            raise LabError(f"{' '.join(argv)} failed:\n{done.stdout}{done.stderr}")
        return done.stdout


def zone_text(origin: str, primary: NameServer, lines: Sequence[str]) -> str:
    head = [
        f"$TTL {TTL}",
        f"{origin} SOA {primary.name} hostmaster.{origin.lstrip('.')} "
        f"1 3600 600 86400 {NEGATIVE_TTL}",
        f"{origin} NS {primary.name}",
    ]
    return "\n".join([*head, *lines]) + "\n"


def addresses(server: NameServer) -> list[str]:
    return [f"{server.name} A {server.ipv4}", f"{server.name} AAAA {server.ipv6}"]


def crowd_of(dnskey_line: str, count: int) -> list[str]:
    """`count` DNSKEY lines with the same key tag and algorithm as `dnskey_line`.

    The key tag is a 16-bit sum over the record's bytes, odd and even positions apart
    (RFC 4034 appendix B): adding to one byte of the key and taking the same from the byte
    two places on keeps it. For RSA every modulus parses, so the keys are well-formed,
    just useless: a validator that tries every key with the tag does hundreds of RSA
    verifications per signature.
    """
    fields = dnskey_line.split()
    at = fields.index("DNSKEY")
    owner, (flags, protocol, algorithm) = fields[0], fields[at + 1 : at + 4]
    key = bytearray(base64.b64decode("".join(fields[at + 4 :])))
    head = struct.pack("!HBB", int(flags), int(protocol), int(algorithm))
    tag = _key_tag(head + key)
    crowd: list[str] = []
    for step in range(1, 8):
        for index in range(8, len(key) - 2):  # leave the exponent alone
            if len(crowd) == count:
                return crowd
            if key[index] + step > 255 or key[index + 2] - step < 0:
                continue
            variant = bytearray(key)
            variant[index] += step
            variant[index + 2] -= step
            assert _key_tag(head + variant) == tag
            encoded = base64.b64encode(bytes(variant)).decode()
            crowd.append(f"{owner} {TTL} IN DNSKEY {flags} {protocol} {algorithm} {encoded}")
    raise LabError(f"could not build {count} keys sharing key tag {tag}")


def _key_tag(rdata: bytes) -> int:
    total = sum(byte if index & 1 else byte << 8 for index, byte in enumerate(rdata))
    total += (total >> 16) & 0xFFFF
    return total & 0xFFFF


# --- the zones ----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Servers:
    root: NameServer
    tld: NameServer
    auth: NameServer
    hostile: NameServer


#: Hostile zones: name -> what hostile_dns.py does for it (see that module).
HOSTILE_ZONES = ("tc.test.", "garbage.test.", "silent.test.")


def build_zones(signer: Signer, servers: Servers) -> LabZones:
    """Sign every lab zone, children first; the result maps server role -> zone -> text."""
    zones = LabZones(by_server={"root": {}, "tld": {}, "auth": {}})
    child_ds: dict[str, list[str]] = {"test.": [], "nsec3tld.": [], "optout.": []}

    def add(parent: str, signed: tuple[str, str, list[str]]) -> None:
        origin, text, ds = signed
        zones.by_server["auth"][origin] = text
        child_ds[parent] += ds

    def signed(origin: str, lines: Sequence[str] | None = None, **options: Any) -> None:
        parent = origin.split(".", 1)[1]
        body = _web_lines(origin) if lines is None else lines
        add(parent, _signed(signer, servers, origin, body, **options))

    signed("secure.test.", _secure_lines())
    signed("mailzone.test.", _mail_lines())
    signed("expired.test.", window=EXPIRED_WINDOW)
    signed("rsasha1.test.", algorithm="RSASHA1", bits=1024)
    signed("nsec3iter.test.", nsec3=Nsec3(salt="ABCDEF", iterations=10))
    signed("loop.test.", _loop_lines())
    signed("secure.nsec3tld.")
    add("test.", _ds_mismatch(signer, servers))
    origin, signed_file, many_ds = _many_keys(signer, servers)
    zones.hostile_zone_files[origin] = signed_file
    child_ds["test."] += many_ds
    for origin in ("unsigned.test.", "unsigned.nsec3tld.", "unsigned.optout."):
        add(origin.split(".", 1)[1], (origin, _unsigned(servers, origin), []))
    child_ds["test."] += _hostile_ds(signer)

    tlds = {
        "test.": (_test_lines(servers, child_ds["test."]), None),
        "nsec3tld.": (_tld_lines("nsec3tld.", servers, child_ds["nsec3tld."]), Nsec3()),
        "optout.": (_tld_lines("optout.", servers, child_ds["optout."]), Nsec3(opt_out=True)),
    }
    root_ds: list[str] = []
    for origin, (lines, nsec3) in tlds.items():
        _origin, text, ds = _signed(
            signer, servers, origin, lines, primary=servers.tld, nsec3=nsec3
        )
        zones.by_server["tld"][origin] = text
        root_ds += ds
    root_text, root_ksk = _signed_root(signer, servers, root_ds)
    zones.by_server["root"]["."] = root_text
    zones.anchor_ds = signer.ds(root_ksk) + "\n"
    zones.anchor_bind = _bind_anchor(zones.anchor_ds)
    return zones


def _signed(
    signer: Signer,
    servers: Servers,
    origin: str,
    lines: Sequence[str],
    *,
    primary: NameServer | None = None,
    algorithm: str = "ECDSAP256SHA256",
    bits: int | None = None,
    nsec3: Nsec3 | None = None,
    window: tuple[str, str] | None = None,
) -> tuple[str, str, list[str]]:
    """(origin, signed text, DS lines for the parent) of a zone with a fresh KSK and ZSK."""
    ksk = signer.keygen(origin, algorithm, ksk=True, bits=bits)
    zsk = signer.keygen(origin, algorithm, ksk=False, bits=bits)
    text = zone_text(origin, primary or servers.auth, lines)
    signed = signer.sign(origin, text, [ksk, zsk], nsec3=nsec3, window=window)
    return origin, signed, [signer.ds(ksk)]


def _unsigned(servers: Servers, origin: str) -> str:
    return zone_text(origin, servers.auth, _web_lines(origin))


def _ds_mismatch(signer: Signer, servers: Servers) -> tuple[str, str, list[str]]:
    """Signed correctly, but the parent holds the DS of a key the zone never publishes."""
    origin = "dsmismatch.test."
    _origin, text, _right_ds = _signed(signer, servers, origin, _web_lines(origin))
    stranger = signer.keygen(origin, "ECDSAP256SHA256", ksk=True)
    return origin, text, [signer.ds(stranger)]


def _many_keys(signer: Signer, servers: Servers) -> tuple[str, Path, list[str]]:
    """RSASHA256 keys, and CROWD_SIZE more that share the ZSK's key tag and algorithm.

    Served by hostile_dns.py: BIND 9.18 refuses to load more than 100 records of one type.
    """
    origin = "manykeys.test."
    ksk = signer.keygen(origin, "RSASHA256", ksk=True, bits=1024)
    zsk = signer.keygen(origin, "RSASHA256", ksk=False, bits=1024)
    crowd = crowd_of(signer.dnskey(zsk), CROWD_SIZE)
    text = zone_text(origin, servers.auth, _web_lines(origin))
    signer.sign(origin, text, [ksk, zsk], extra_dnskeys=crowd)
    return origin, signer.workdir / "manykeys.test.signed", [signer.ds(ksk)]


def _hostile_ds(signer: Signer) -> list[str]:
    """A DS for each hostile zone, so a validator must ask the hostile server for keys."""
    return [signer.ds(signer.keygen(zone, "ECDSAP256SHA256", ksk=True)) for zone in HOSTILE_ZONES]


def _signed_root(signer: Signer, servers: Servers, tld_ds: Sequence[str]) -> tuple[str, str]:
    ksk = signer.keygen(".", "ECDSAP256SHA256", ksk=True)
    zsk = signer.keygen(".", "ECDSAP256SHA256", ksk=False)
    lines = [
        *addresses(servers.root),
        *addresses(servers.tld),  # glue: both names lie under test.
        *(f"{tld} NS {servers.tld.name}" for tld in ("test.", "nsec3tld.", "optout.")),
        *tld_ds,
    ]
    text = zone_text(".", servers.root, lines)
    return signer.sign(".", text, [ksk, zsk]), ksk


def _bind_anchor(ds_lines: str) -> str:
    """BIND's trust-anchors statement (delv -a) for zone-file DS lines."""
    anchors = []
    for line in ds_lines.splitlines():
        fields = line.split()
        at = fields.index("DS")
        tag, algorithm, digest_type = fields[at + 1 : at + 4]
        digest = "".join(fields[at + 4 :])
        anchors.append(f'    . static-ds {tag} {algorithm} {digest_type} "{digest}";')
    return "trust-anchors {\n" + "\n".join(anchors) + "\n};\n"


def _web_lines(origin: str) -> list[str]:
    return [f"{origin} A {WEB4}", f"{origin} AAAA {WEB6}", f"www.{origin} A {WEB4}"]


def _secure_lines() -> list[str]:
    origin = "secure.test."
    return [
        *_web_lines(origin),
        f"{origin} MX 10 mx1.mailzone.test.",
        f"www.{origin} AAAA {WEB6}",
        f"v4only.{origin} A {WEB4}",
    ]


def _mail_lines() -> list[str]:
    return [f"mx1.mailzone.test. A {MAIL4}", f"mx1.mailzone.test. AAAA {MAIL6}"]


def _loop_lines() -> list[str]:
    return ["a.loop.test. CNAME b.loop.test.", "b.loop.test. CNAME a.loop.test."]


def _test_lines(servers: Servers, child_ds: Sequence[str]) -> list[str]:
    auth_zones = [
        "secure", "mailzone", "unsigned", "dsmismatch", "expired", "rsasha1", "nsec3iter",
        "loop",
    ]  # fmt: skip
    return [
        *addresses(servers.root),
        *addresses(servers.tld),
        *addresses(servers.auth),
        *addresses(servers.hostile),
        *(f"{zone}.test. NS {servers.auth.name}" for zone in auth_zones),
        *(f"{zone} NS {servers.hostile.name}" for zone in (*HOSTILE_ZONES, "manykeys.test.")),
        *child_ds,
    ]


def _tld_lines(origin: str, servers: Servers, child_ds: Sequence[str]) -> list[str]:
    children = {"nsec3tld.": ["secure", "unsigned"], "optout.": ["unsigned"]}[origin]
    return [
        f"www.{origin} A {WEB4}",
        *(f"{name}.{origin} NS {servers.auth.name}" for name in children),
        *child_ds,
    ]
