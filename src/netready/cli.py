"""The command line: `netready scan`, `netready history`, `netready show`.

Exit status (DESIGN.md's output contract): 0 the command completed, 2 bad usage or input
(the message names the bad part), 1 internal error. An interrupted scan (Ctrl-C, SIGTERM)
exits 130 after saving what it finished; `netready scan --resume ID` continues it.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import logging
import multiprocessing
import signal
import sys
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any, TextIO

from netready import __version__
from netready.checks import FAMILIES, ON_REQUEST_FAMILIES
from netready.checks.dnssec import trust_anchor_problem
from netready.config import (
    ConfigError,
    ScanConfig,
    default_config_path,
    default_data_dir,
    load_config_file,
)
from netready.engine import (
    Engine,
    FindingMade,
    ScanFinished,
    TargetFinished,
    UnknownFamilyError,
)
from netready.findings import Finding, Status
from netready.net import lan as lan_inspection
from netready.net.dns import DnsClient
from netready.report import ExportFormat, ScanInfo, export_report, write_report
from netready.report.csv import CsvWriter
from netready.report.jsonl import JsonLinesWriter
from netready.store import (
    FindingWriter,
    ScanRecord,
    ScanState,
    Store,
    StoreError,
    UnknownScanError,
    default_database_path,
)
from netready.targets import (
    InvalidTargetError,
    Target,
    TargetError,
    TargetListError,
    interface_target,
    parse_target,
    parse_targets,
    parse_targets_file,
)

EXIT_OK = 0
EXIT_INTERNAL_ERROR = 1
EXIT_BAD_INPUT = 2
EXIT_INTERRUPTED = 130

logger = logging.getLogger("netready")
_DEFAULTS = ScanConfig()


class UsageError(Exception):
    """The command line asks for something impossible; the message says what and why."""


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit status."""
    multiprocessing.freeze_support()  # a frozen build's worker processes (the TLS checks)
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exit_request:  # --help, --version, or a usage error (status 2)
        return exit_request.code if isinstance(exit_request.code, int) else EXIT_BAD_INPUT
    _configure_logging(verbose=args.verbose)
    if not hasattr(args, "handler"):
        parser.print_help()
        return EXIT_BAD_INPUT
    try:
        handler: Callable[[argparse.Namespace], int] = args.handler
        return handler(args)
    except (UsageError, TargetError, ConfigError, UnknownFamilyError, UnknownScanError) as error:
        print(f"netready: {error}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except StoreError as error:
        print(f"netready: the results database cannot be used: {error}", file=sys.stderr)
        return EXIT_INTERNAL_ERROR
    except KeyboardInterrupt:
        print("netready: interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED
    except Exception:
        logger.critical(
            "internal error - this is a bug in netready; please report it with the text below",
            exc_info=True,
        )
        return EXIT_INTERNAL_ERROR


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="netready",
        description="How ready are your domains and networks for an encrypted, "
        "IPv6-capable Internet - and how to fix what is not.",
    )
    parser.add_argument("--version", action="version", version=f"netready {__version__}")
    parser.add_argument("-v", "--verbose", action="store_true", help="log details to stderr")
    commands = parser.add_subparsers(title="commands", metavar="COMMAND")
    _add_scan_command(commands)
    _add_history_command(commands)
    _add_show_command(commands)
    _add_export_command(commands)
    return parser


def _add_scan_command(commands: Any) -> None:
    scan = commands.add_parser(
        "scan",
        help="scan domains, addresses and networks",
        description="Scan targets; every finding is saved in the results database.",
    )
    scan.set_defaults(handler=run_scan_command)
    scan.add_argument("targets", nargs="*", metavar="TARGET", help="domain, URL, IP or CIDR")
    scan.add_argument(
        "--file",
        action="append",
        default=[],
        type=Path,
        metavar="F",
        help="read targets from F (one per line, # comments; or a CSV file)",
    )
    scan.add_argument("--column", metavar="NAME", help="the CSV column holding the targets")
    scan.add_argument(
        "--resume",
        type=int,
        metavar="SCAN_ID",
        help="continue an interrupted scan: re-run its unfinished targets",
    )
    _add_output_options(scan)
    _add_db_option(scan)
    settings = scan.add_argument_group("settings (override the config file)")
    settings.add_argument(
        "--config",
        type=Path,
        metavar="FILE",
        help=f"config file (default: {default_config_path()})",
    )
    settings.add_argument(
        "--resolver",
        action="append",
        metavar="IP",
        help="DNS resolver to use (repeatable; default: the system's)",
    )
    settings.add_argument(
        "--trust-anchor",
        type=Path,
        metavar="FILE",
        help="DNSSEC trust anchor (default: the IANA root keys)",
    )
    settings.add_argument(
        "--ca-file", type=Path, metavar="FILE", help="extra CA certificates to trust (PEM)"
    )
    settings.add_argument(
        "--timeout",
        type=float,
        metavar="SECONDS",
        help=f"time limit of one network probe (default: {_DEFAULTS.timeout:g})",
    )
    settings.add_argument(
        "--concurrency",
        type=int,
        metavar="N",
        help=f"probes in flight at once (default: {_DEFAULTS.concurrency})",
    )
    settings.add_argument(
        "--max-network",
        type=int,
        metavar="N",
        dest="max_network_addresses",
        help=f"largest network to expand (default: {_DEFAULTS.max_network_addresses} addresses)",
    )
    settings.add_argument(
        "--ipv6-probe",
        action="append",
        metavar="ADDR",
        help="an IPv6 address ([addr]:port) that proves this machine's IPv6 works when it "
        "answers (repeatable; default: the targets' own IPv6 addresses)",
    )
    settings.add_argument(
        "--ports",
        action="append",
        metavar="PORT,...",
        help="TCP ports the tls checks test (25/587 SMTP STARTTLS, 143 IMAP, 110 POP3, "
        f"others TLS; default: {','.join(map(str, _DEFAULTS.tls_ports))})",
    )
    settings.add_argument(
        "--mail",
        action="store_true",
        default=None,
        help="tls checks also test the mail ports: 25 on the MX hosts; 587, 465, 143, 993, "
        "110, 995 on the name",
    )
    _add_lan_options(scan, settings)
    settings.add_argument(
        "--checks",
        action="append",
        metavar="FAMILY,...",
        help=f"check families to run: {', '.join(FAMILIES)} (default: all)",
    )
    scan.add_argument("--no-progress", action="store_true", help="never draw a progress bar")
    scan.add_argument(
        "-q",
        "--quiet",
        action="store_true",
        help="print no findings on the terminal (they are still saved)",
    )


def _add_lan_options(scan: argparse.ArgumentParser, settings: Any) -> None:
    local = scan.add_argument_group("local network (IPv4-via-IPv6 exposure)")
    local.add_argument(
        "--lan",
        nargs="?",
        const="",
        metavar="IFACE",
        help="check the local network on interface IFACE (default: the one carrying the "
        "default IPv4 route): IPv6 hosts, router advertisements, DHCPv6, tunnels, and the "
        "ports of the hosts found over IPv4 and IPv6",
    )
    local.add_argument(
        "--lan-ipv4-only",
        action="store_true",
        default=None,
        help="the local network is meant to carry no IPv6: router advertisements, DHCPv6 "
        "servers and IPv6 hosts on it are failures",
    )
    settings.add_argument(
        "--ports-exposure",
        action="append",
        metavar="PORT,...",
        help="TCP ports compared over IPv4 and IPv6, e.g. 22,3389,8000-8010 (default: "
        f"{len(_DEFAULTS.exposure_ports)} commonly filtered ports)",
    )
    settings.add_argument(
        "--sweep-rate",
        type=int,
        metavar="N",
        help="connection attempts per second for port comparisons and network sweeps "
        f"(default: {_DEFAULTS.sweep_rate})",
    )


def _add_output_options(command: argparse.ArgumentParser) -> None:
    command.add_argument(
        "--json", metavar="FILE|-", help="write findings as JSON lines to FILE, or to stdout with -"
    )
    command.add_argument("--csv", metavar="FILE", help="write findings as CSV to FILE")


def _add_db_option(command: argparse.ArgumentParser) -> None:
    command.add_argument(
        "--db",
        type=Path,
        metavar="PATH",
        help=f"results database (default: {default_data_dir() / 'netready.db'})",
    )


def _add_history_command(commands: Any) -> None:
    history = commands.add_parser("history", help="list past scans")
    history.set_defaults(handler=run_history_command)
    history.add_argument(
        "--limit", type=int, default=50, metavar="N", help="show the N newest scans (default: 50)"
    )
    _add_db_option(history)


def _add_show_command(commands: Any) -> None:
    show = commands.add_parser("show", help="show the findings of a past scan")
    show.set_defaults(handler=run_show_command)
    show.add_argument("scan_id", type=int, metavar="SCAN_ID")
    _add_output_options(show)
    _add_db_option(show)


# --- scan -------------------------------------------------------------------------------


def run_scan_command(args: argparse.Namespace) -> int:
    with _open_store(args.db) as store:
        if args.resume is not None:
            if args.targets or args.file:
                raise UsageError("--resume continues a saved scan; give no targets with it")
            scan_id, config, targets = _prepare_resume(store, args.resume)
            engine = Engine(config)
        else:
            config = _config_from_args(args)
            targets = _targets_from_args(args, config)
            # made before the scan is saved: unknown families, or a machine without
            # resolvers, are refused with nothing left behind
            engine = Engine(config)
            scan_id = store.create_scan(
                targets=[(target.value, target.kind.value) for target in targets],
                families=config.families,
                config=config.to_json_dict(),
            )
        if not targets:
            store.finish_scan(scan_id, state=ScanState.COMPLETED)
            print(f"Scan {scan_id} has no unfinished targets.", file=sys.stderr)
            return EXIT_OK
        with _Outputs.open(args, stdout_is_findings=args.json == "-") as outputs:
            finished = asyncio.run(_scan(store, scan_id, engine, targets, outputs))
        return _report_end(store, scan_id, finished, args.db)


def _config_from_args(args: argparse.Namespace) -> ScanConfig:
    config_path = args.config or default_config_path()
    if args.config is not None and not args.config.is_file():
        raise UsageError(f"config file {str(args.config)!r} does not exist")
    overrides = {
        "resolvers": args.resolver,
        "trust_anchor": args.trust_anchor,
        "ca_file": args.ca_file,
        "timeout": args.timeout,
        "concurrency": args.concurrency,
        "max_network_addresses": args.max_network_addresses,
        "families": _family_names(args.checks),
        "ipv6_probe": args.ipv6_probe,
        "lan_ipv4_only": args.lan_ipv4_only,
        "exposure_ports": ",".join(args.ports_exposure) if args.ports_exposure else None,
        "sweep_rate": args.sweep_rate,
        "tls_ports": ",".join(args.ports) if args.ports else None,
        "mail": args.mail,
    }
    config = ScanConfig().with_overrides(load_config_file(config_path)).with_overrides(overrides)
    config = _with_lan_family(args, config)
    _refuse_unusable_trust_anchor(config)
    return config


def _refuse_unusable_trust_anchor(config: ScanConfig) -> None:
    """A bad --trust-anchor is bad input (exit 2), not 'error' on every DNSSEC finding."""
    runs_dnssec = config.families is None or "dnssec" in config.families
    if config.trust_anchor is not None and runs_dnssec:
        problem = trust_anchor_problem(config.trust_anchor)
        if problem is not None:
            raise UsageError(problem)


def _family_names(values: list[str] | None) -> list[str] | None:
    if not values:
        return None
    names = [name.strip().lower() for value in values for name in value.split(",")]
    return [name for name in names if name]


def _with_lan_family(args: argparse.Namespace, config: ScanConfig) -> ScanConfig:
    """`--lan` runs the lan family (otherwise only on request) besides the others."""
    if args.lan is None:
        if args.lan_ipv4_only:
            raise UsageError(
                "--lan-ipv4-only describes the network that --lan checks; add --lan IFACE"
            )
        return config
    families = config.families
    # a LAN check compares the ports of the hosts it finds (the exposure family), unless
    # the user named the families to run
    wanted = ("lan",) if families is not None else ("lan", "exposure")
    if families is None:
        families = tuple(name for name in FAMILIES if name not in ON_REQUEST_FAMILIES)
    families = (*families, *(name for name in wanted if name not in families))
    return config.with_overrides({"families": families})


def _lan_targets(args: argparse.Namespace, config: ScanConfig) -> list[Target]:
    """The `lan:IFACE` target of `--lan`: the interface named, else the configured one, else
    the one carrying the default IPv4 route. An interface this machine lacks is bad input."""
    if args.lan is None:
        return []
    try:
        snapshot = lan_inspection.inspector().snapshot()
    except lan_inspection.LanInspectionError as error:
        raise UsageError(f"--lan: {error}") from None
    names = ", ".join(i.name for i in snapshot.interfaces) or "; ".join(snapshot.notes)
    name = args.lan or config.lan_interface or snapshot.default_interface
    if not name:
        raise UsageError(
            "--lan: this machine has no default IPv4 route to pick an interface by; name one "
            f"with --lan IFACE (interfaces: {names})"
        )
    interface = snapshot.interface(name)
    if interface is None:
        raise UsageError(f"--lan: this machine has no interface named {name!r} ({names})")
    return [interface_target(interface.name)]


def _targets_from_args(args: argparse.Namespace, config: ScanConfig) -> list[Target]:
    """Targets from the command line and every --file, deduplicated in first-seen order.

    Every bad entry of every source is reported at once, files with their line numbers.
    """
    lan_targets = _lan_targets(args, config)
    if not args.targets and not args.file and lan_targets:
        return lan_targets  # DESIGN.md: `netready scan --lan IFACE` needs no other target
    if not args.targets and not args.file:
        # DESIGN.md: `--checks resolver` with no target checks the machine's own resolvers
        if config.families is not None and "resolver" in config.families:
            return _own_resolver_targets()
        raise UsageError(
            "no targets: name domains, addresses or networks "
            "(e.g. `netready scan example.org 192.0.2.0/28`) or a file with --file"
        )
    limit = config.max_network_addresses
    batches: list[list[Target]] = []
    errors: list[InvalidTargetError] = []
    sources: list[Callable[[], list[Target]]] = [
        partial(parse_targets, args.targets, max_network_addresses=limit)
    ]
    sources += [
        partial(parse_targets_file, path, column=args.column, max_network_addresses=limit)
        for path in args.file
    ]
    for parse_source in sources:
        try:
            batches.append(parse_source())
        except TargetListError as error:
            errors.extend(error.errors)
        except InvalidTargetError as error:  # a file that cannot be read at all
            errors.append(error)
    if errors:
        raise TargetListError(errors)
    return list(dict.fromkeys([*lan_targets, *(target for batch in batches for target in batch)]))


def _own_resolver_targets() -> list[Target]:
    """The machine's own resolvers (its system DNS configuration), as address targets.

    A scoped address (`fe80::1%eth0`) cannot be a target and is skipped with a message.
    """
    try:
        addresses = DnsClient(()).resolvers
    except ConfigError:  # no resolver configuration at all
        addresses = ()
    targets: list[Target] = []
    for address in addresses:
        try:
            targets.append(parse_target(address))
        except TargetError as error:
            print(f"netready: skipping the resolver {address}: {error}", file=sys.stderr)
    if not targets:
        raise UsageError(
            "no targets, and this machine has no resolvers of its own to check; name a "
            "resolver's address (e.g. `netready scan 192.0.2.53 --checks resolver`)"
        )
    return list(dict.fromkeys(targets))


def _prepare_resume(store: Store, scan_id: int) -> tuple[int, ScanConfig, list[Target]]:
    record = store.scan(scan_id)
    if record.state is ScanState.COMPLETED:
        raise UsageError(f"scan {scan_id} is already complete; nothing to resume")
    config = ScanConfig.from_json_dict(record.config)
    # the saved values are already normalised, so parsing them again cannot fail on input
    # the first run accepted
    unfinished = store.begin_resume(scan_id)
    targets = [
        parse_target(value, max_network_addresses=config.max_network_addresses)
        for value in unfinished
    ]
    return scan_id, config, targets


async def _scan(
    store: Store, scan_id: int, engine: Engine, targets: list[Target], outputs: _Outputs
) -> ScanFinished:
    writer = FindingWriter(store, scan_id)
    _stop_on_signals(engine)
    flusher = asyncio.create_task(_flush_periodically(writer))
    finished: ScanFinished | None = None
    try:
        async for event in engine.scan(targets):
            if isinstance(event, FindingMade):
                writer.add(event.finding)
                outputs.finding(event.finding)
            elif isinstance(event, TargetFinished):
                writer.target_finished(event.target.value)
                outputs.progress(
                    event.progress.targets_done,
                    event.progress.targets_total,
                    event.progress.findings,
                )
            elif isinstance(event, ScanFinished):
                finished = event
    finally:
        flusher.cancel()
        writer.close()
        outputs.end_progress()
    assert finished is not None
    state = ScanState.CANCELLED if finished.cancelled else ScanState.COMPLETED
    store.finish_scan(scan_id, state=state)
    return finished


async def _flush_periodically(writer: FindingWriter, every: float = 0.2) -> None:
    # findings reach the disk within `every` seconds even when no target finishes for a while
    while True:
        await asyncio.sleep(every)
        writer.flush_if_due()


def _stop_on_signals(engine: Engine) -> None:
    loop = asyncio.get_running_loop()
    for signal_number in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError, RuntimeError):  # Windows: no handlers
            loop.add_signal_handler(signal_number, engine.cancel)


def _report_end(store: Store, scan_id: int, finished: ScanFinished, db: Path | None) -> int:
    record = store.scan(scan_id)
    counts = ", ".join(
        f"{record.status_counts.get(status.value, 0)} {status.value}"
        for status in (Status.FAIL, Status.ERROR, Status.WARNING, Status.INFO, Status.PASS)
    )
    where = db or default_database_path()
    print(
        f"Scan {scan_id}: {record.targets_done} of {record.targets_total} targets, "
        f"{record.finding_count} findings ({counts}); saved in {where}",
        file=sys.stderr,
    )
    if finished.cancelled:
        print(
            f"Scan {scan_id} was interrupted; continue it with `netready scan --resume {scan_id}`.",
            file=sys.stderr,
        )
        return EXIT_INTERRUPTED
    return EXIT_OK


# --- history and show -------------------------------------------------------------------


def run_history_command(args: argparse.Namespace) -> int:
    with _open_store(args.db) as store:
        records = store.scans(limit=args.limit)
    if not records:
        print("No scans yet. Start one with `netready scan example.org`.")
        return EXIT_OK
    print(
        f"{'ID':>5}  {'started (UTC)':<19}  {'state':<11}  {'targets':>11}  "
        f"{'findings':>8}  {'fail':>5}  {'warn':>5}  {'error':>5}"
    )
    for record in records:
        print(_history_row(record))
    return EXIT_OK


_HISTORY_HEADER = (
    f"{'ID':>5}  {'started (UTC)':<19}  {'state':<11}  {'targets':>11}  "
    f"{'findings':>8}  {'fail':>5}  {'warn':>5}  {'error':>5}"
)


def _history_row(record: ScanRecord) -> str:
    state = "interrupted" if record.interrupted else record.state.value
    counts = record.status_counts
    return (
        f"{record.id:>5}  {record.started_at:%Y-%m-%d %H:%M:%S}  {state:<11}  "
        f"{f'{record.targets_done}/{record.targets_total}':>11}  {record.finding_count:>8}  "
        f"{counts.get('fail', 0):>5}  {counts.get('warning', 0):>5}  {counts.get('error', 0):>5}"
    )


def run_show_command(args: argparse.Namespace) -> int:
    with _open_store(args.db) as store:
        record = store.scan(args.scan_id)
        with _Outputs.open(args, stdout_is_findings=args.json == "-", progress=False) as outputs:
            if args.json != "-":
                print(_HISTORY_HEADER)
                print(_history_row(record))
            for finding in store.findings(args.scan_id):
                outputs.finding(finding)
    return EXIT_OK


# --- export -------------------------------------------------------------------------------


def _add_export_command(commands: Any) -> None:
    export = commands.add_parser(
        "export",
        help="write a past scan as a CSV, HTML, PDF or JSON report",
        description="Write the findings of a saved scan, with advice, as a report. CSV files "
        "are UTF-8 with BOM and safe to open in spreadsheets; summary-csv has one row per "
        "target; html and pdf have a summary, a section per target and one-page handouts.",
    )
    export.set_defaults(handler=run_export_command)
    export.add_argument("scan_id", type=int, metavar="SCAN_ID")
    export.add_argument(
        "--format",
        dest="report_format",
        choices=[report_format.value for report_format in ExportFormat],
        default=ExportFormat.CSV.value,
        help="the report format (default: csv)",
    )
    export.add_argument(
        "--output", metavar="FILE", default="-", help="write to FILE (default: stdout)"
    )
    export.add_argument(
        "--delimiter",
        choices=(",", ";"),
        help="cell separator of csv and summary-csv (default: ','; ';' suits Excel in "
        "locales with a decimal comma)",
    )
    _add_db_option(export)


def run_export_command(args: argparse.Namespace) -> int:
    report_format = ExportFormat(args.report_format)
    if args.delimiter is not None and report_format not in (
        ExportFormat.CSV,
        ExportFormat.SUMMARY_CSV,
    ):
        raise UsageError("--delimiter applies to --format csv and summary-csv only")
    to_stdout = args.output == "-"
    if to_stdout and report_format.binary and sys.stdout.isatty():
        raise UsageError("a PDF is binary: write it to a file with --output FILE")
    with _open_store(args.db) as store:
        _export(store, args.scan_id, report_format, args.output, args.delimiter or ",")
    if not to_stdout:
        print(
            f"Scan {args.scan_id}: {report_format.value} report written to {args.output}",
            file=sys.stderr,
        )
    return EXIT_OK


def _export(
    store: Store, scan_id: int, report_format: ExportFormat, output: str, delimiter: str
) -> None:
    scan = _scan_info(store, scan_id)
    findings = store.findings(scan_id)
    if output == "-":
        sys.stdout.flush()
        write_report(
            sys.stdout.buffer,
            findings,
            report_format=report_format,
            scan=scan,
            delimiter=delimiter,
        )
        sys.stdout.buffer.flush()
        return
    try:
        export_report(
            Path(output), findings, report_format=report_format, scan=scan, delimiter=delimiter
        )
    except OSError as error:
        raise UsageError(f"cannot write {output!r}: {error.strerror}") from None


def _scan_info(store: Store, scan_id: int) -> ScanInfo:
    record = store.scan(scan_id)
    return ScanInfo(
        scan_id=record.id,
        started_at=record.started_at,
        finished_at=record.finished_at,
        state="interrupted" if record.interrupted else record.state.value,
        targets=tuple(target.value for target in store.targets(scan_id)),
        netready_version=record.netready_version,
    )


# --- outputs ----------------------------------------------------------------------------


@contextlib.contextmanager
def _open_store(path: Path | None) -> Iterator[Store]:
    store = Store(path or default_database_path())
    try:
        yield store
    finally:
        store.close()


@dataclass
class _Outputs:
    """Where findings go besides the database: terminal lines, --json, --csv, progress."""

    human: TextIO | None
    json: JsonLinesWriter | None
    csv: CsvWriter | None
    progress_stream: TextIO | None
    _files: list[TextIO] = field(default_factory=list)
    _progress_drawn: bool = False

    @classmethod
    @contextlib.contextmanager
    def open(
        cls, args: argparse.Namespace, *, stdout_is_findings: bool, progress: bool = True
    ) -> Iterator[_Outputs]:
        files: list[TextIO] = []
        try:
            json_writer = JsonLinesWriter(_open_output(args.json, files)) if args.json else None
            csv_writer = CsvWriter(_open_output(args.csv, files, newline="")) if args.csv else None
            quiet = getattr(args, "quiet", False)
            draw_progress = progress and not getattr(args, "no_progress", True)
            yield cls(
                human=None if (quiet or stdout_is_findings) else sys.stdout,
                json=json_writer,
                csv=csv_writer,
                progress_stream=sys.stderr if draw_progress and sys.stderr.isatty() else None,
                _files=files,
            )
        finally:
            for output_file in files:
                output_file.close()

    def finding(self, finding: Finding) -> None:
        if self.json:
            self.json.write(finding)
        if self.csv:
            self.csv.write(finding)
        if self.human:
            self._clear_progress()
            print(_human_line(finding), file=self.human, flush=True)

    def progress(self, done: int, total: int, findings: int) -> None:
        if self.progress_stream is None:
            return
        width = 30
        filled = width * done // max(total, 1)
        bar = "#" * filled + "-" * (width - filled)
        self.progress_stream.write(f"\r[{bar}] {done}/{total} targets, {findings} findings")
        self.progress_stream.flush()
        self._progress_drawn = True

    def end_progress(self) -> None:
        self._clear_progress()

    def _clear_progress(self) -> None:
        if self._progress_drawn and self.progress_stream is not None:
            self.progress_stream.write("\r\033[K")
            self.progress_stream.flush()
            self._progress_drawn = False


def _open_output(name: str, files: list[TextIO], newline: str | None = None) -> TextIO:
    if name == "-":
        return sys.stdout
    try:
        stream = open(name, "w", encoding="utf-8", newline=newline)  # noqa: SIM115
    except OSError as error:
        raise UsageError(f"cannot write {name!r}: {error.strerror}") from None
    files.append(stream)
    return stream


_STATUS_LABELS = {
    Status.PASS: "PASS ",
    Status.INFO: "INFO ",
    Status.WARNING: "WARN ",
    Status.FAIL: "FAIL ",
    Status.ERROR: "ERROR",
}


def _human_line(finding: Finding) -> str:
    label = _STATUS_LABELS[finding.status]
    # most summaries name their subject already; repeat it only when they do not
    text = (
        finding.summary
        if finding.subject in finding.summary
        else f"{finding.subject}: {finding.summary}"
    )
    return f"{label}  {finding.check_id:<16}  {text}"


def _configure_logging(*, verbose: bool) -> None:
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(_Formatter(verbose=verbose))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(logging.DEBUG if verbose else logging.WARNING)


class _Formatter(logging.Formatter):
    """`netready: message`; tracebacks only with --verbose (or for internal errors)."""

    def __init__(self, *, verbose: bool) -> None:
        super().__init__("netready: %(message)s")
        self._verbose = verbose

    def format(self, record: logging.LogRecord) -> str:
        if not self._verbose and record.levelno < logging.CRITICAL:
            record.exc_info = None
            record.exc_text = None
        return super().format(record)
