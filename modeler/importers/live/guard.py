"""Which databases a web user may import from, checked before any connection (issue #12).

A URL typed into the web form is not trusted: it could name the application's own database,
lean on the server's local sockets and environment (``PGHOST``, ``PGPASSWORD``, ``~/.pgpass``,
``PGSERVICE``), or probe internal services whose ports the error messages would reveal. So:

* :func:`parse_url` accepts only ``postgresql://user[:password]@host[:port]/dbname`` with one
  explicit TCP host and at most ``?sslmode=``; it does no I/O.
* :func:`check` resolves the host and allows it only when every address it resolves to is an
  address of a ``host:port`` pair the administrator listed (names are compared through their
  addresses; loopback and unspecified addresses count as one: ``localhost``, ``127.0.0.1``,
  ``0.0.0.0`` and ``::1`` are all this machine), and refuses the application's own
  databases. It returns the address to connect to, so a second DNS answer cannot move the
  connection somewhere else.
* :func:`conninfo` builds the libpq connection string from those parts alone, setting every
  libpq option that has an environment variable, so none of the server's ``PG*`` variables,
  password file or client certificate reaches the connection.

Pure: no Django. The web layer passes the :class:`Policy` built from its settings.
"""

from __future__ import annotations

import ipaddress
import logging
import os
import re
import socket
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from urllib.parse import parse_qsl, unquote, urlsplit

from psycopg import pq
from psycopg.conninfo import make_conninfo

from modeler.importers.result import SchemaImportError

log = logging.getLogger(__name__)

SETTING = "MODELER_LIVE_IMPORT_HOSTS"
USAGE = "postgresql://user:password@host:port/dbname"
LOOPBACK = "loopback"  # every address of this machine compares as this token
MAX_ADDRESSES = 3  # of a host name, tried in turn (each within its share of connect_timeout)
SSLMODES = ("disable", "allow", "prefer", "require", "verify-ca", "verify-full")
_HOSTNAME = re.compile(r"^(?=.{1,253}$)[A-Za-z0-9_]([A-Za-z0-9_-]*[A-Za-z0-9_])?"
                       r"(\.[A-Za-z0-9_]([A-Za-z0-9_-]*[A-Za-z0-9_])?)*\.?$")

HostRule = tuple[str, int | None]  # (host, port); port None: any port
DbRef = tuple[str, int, str]  # (host, port, database name)
Resolver = Callable[[str, int], list[str]]


class LiveImportRefused(SchemaImportError):
    """The URL is not one this server imports from (refused before connecting)."""


@dataclass(frozen=True)
class Target:
    """One database to read, from an untrusted URL: explicit parts only."""

    host: str
    port: int
    dbname: str
    user: str
    password: str = field(default="", repr=False)
    sslmode: str = "prefer"

    @property
    def label(self) -> str:
        """``host:port`` for messages (never the user or password)."""
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"{host}:{self.port}"


@dataclass(frozen=True)
class Policy:
    """What the web may import from: the administrator's ``host:port`` list, and the
    application's own databases (refused whatever the list says)."""

    allowed: tuple[HostRule, ...] = ()
    own: tuple[DbRef, ...] = ()
    resolve_timeout: float = 5.0


def not_enabled_message() -> str:
    return (f"Live import is not enabled on this server: an administrator must add the "
            f"database's host to {SETTING} (host:port, comma-separated).")


# ------------------------------------------------------------------------------- parsing

def parse_url(url: str) -> Target:
    """The explicit parts of ``url``, or :class:`LiveImportRefused` saying what is wrong.

    Refused: other schemes, no host (the server's default socket), socket paths, several
    hosts, query parameters other than ``sslmode`` (``host=``, ``hostaddr=``, ``service=``,
    ``passfile=``...), no user name, no database name."""
    text = url.strip()
    scheme, sep, _ = text.partition("://")
    if not sep or scheme.lower() not in ("postgresql", "postgres", "postgresql+psycopg"):
        raise LiveImportRefused(f"not a PostgreSQL URL: use {USAGE}")
    if "," in text.partition("://")[2].partition("/")[0].rpartition("@")[2]:
        raise LiveImportRefused("give one host: several hosts are not accepted")
    try:
        parts = urlsplit(text)
        port = parts.port
    except ValueError:
        raise LiveImportRefused(f"the URL's host or port is not valid: use {USAGE}") from None
    host = parts.hostname or ""
    if not host:
        raise LiveImportRefused(f"give the database server's host name in the URL ({USAGE}): "
                                "this server's own defaults and local sockets are not used")
    if not _valid_host(host):
        raise LiveImportRefused("the host must be a host name or an IP address (socket paths "
                                "are not accepted)")
    sslmode = _query(parts.query)
    user, dbname = unquote(parts.username or ""), unquote(parts.path[1:])
    if not user:
        raise LiveImportRefused(f"give the user name in the URL: {USAGE}")
    if not dbname or "/" in dbname:
        raise LiveImportRefused(f"give the database name in the URL: {USAGE}")
    return Target(host=host, port=port or 5432, dbname=dbname, user=user,
                  password=unquote(parts.password or ""), sslmode=sslmode)


def _valid_host(host: str) -> bool:
    try:
        ipaddress.ip_address(host)
        return True
    except ValueError:
        return bool(_HOSTNAME.match(host))


def _query(query: str) -> str:
    """The sslmode of the URL's query (default prefer); any other parameter is refused."""
    sslmode = "prefer"
    for key, value in parse_qsl(query, keep_blank_values=True):
        if key != "sslmode":
            raise LiveImportRefused(f"the URL parameter {key!r} is not accepted (only sslmode)")
        if value not in SSLMODES:
            raise LiveImportRefused(f"sslmode must be one of {', '.join(SSLMODES)}")
        sslmode = value
    return sslmode


# ------------------------------------------------------------------------------ checking

class Unreachable(Exception):
    """The target's host name does not resolve (reported as "could not connect")."""

    def __init__(self, target: Target) -> None:
        super().__init__(target.label)
        self.target = target


def check(target: Target, policy: Policy, resolve: Resolver | None = None) -> list[str]:
    """Refuse ``target`` unless the policy allows it; the addresses to connect to (those
    checked, at most :data:`MAX_ADDRESSES`).

    Raises :class:`LiveImportRefused` (not in the list, the application's own database)
    or :class:`Unreachable` (a listed host name that does not resolve)."""
    if not policy.allowed:
        raise LiveImportRefused(not_enabled_message())
    resolve = resolve or (lambda host, port: resolve_host(host, port, policy.resolve_timeout))
    refused = LiveImportRefused(f"{target.label} is not a host this server imports from: an "
                                f"administrator must add it to {SETTING}.")
    rules = [h for h, p in policy.allowed if p is None or p == target.port]
    if not rules:
        raise refused
    try:
        addresses = resolve(target.host, target.port)
    except OSError:
        if target.host.lower() in (h.lower() for h in rules):
            raise Unreachable(target) from None
        raise refused from None
    found = {normalize(a) for a in addresses}
    if not found or not found <= _allowed_addresses(rules, target.port, resolve):
        raise refused
    if _is_own(target, found, policy.own, resolve):
        raise LiveImportRefused("That is this application's own database: it cannot be "
                                "imported.")
    return list(dict.fromkeys(addresses))[:MAX_ADDRESSES]


def _allowed_addresses(hosts: Iterable[str], port: int, resolve: Resolver) -> set[str]:
    out: set[str] = set()
    for host in hosts:
        try:
            out |= {normalize(a) for a in resolve(host, port)}
        except OSError:
            log.warning("%s: %s does not resolve", SETTING, host)
    return out


def _is_own(target: Target, found: set[str], own: Iterable[DbRef], resolve: Resolver) -> bool:
    """Whether ``target`` is one of the application's databases: same database name and
    port, and the same host name or a shared address (an empty or socket host is this
    machine). A host that does not resolve any more counts as the same."""
    for host, port, dbname in own:
        if port != target.port or dbname != target.dbname:
            continue
        if host.lower() == target.host.lower():
            return True
        if not host or host.startswith("/"):
            addresses = {LOOPBACK}
        else:
            try:
                addresses = {normalize(a) for a in resolve(host, port)}
            except OSError:
                return True
        if found & addresses:
            return True
    return False


def normalize(address: str) -> str:
    """An address for comparison: IPv4-mapped IPv6 as IPv4; this machine as LOOPBACK."""
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    if ip.is_loopback or ip.is_unspecified or str(ip) in _local_addresses():
        return LOOPBACK
    return str(ip)


_local: set[str] | None = None


def _local_addresses() -> set[str]:
    """The addresses this machine's own name resolves to (once; empty when it does not)."""
    global _local
    if _local is None:
        try:
            infos = socket.getaddrinfo(socket.gethostname(), None, proto=socket.IPPROTO_TCP)
            _local = {str(info[4][0]).split("%", 1)[0] for info in infos}
        except OSError:
            _local = set()
    return _local


def resolve_host(host: str, port: int, timeout: float = 5.0) -> list[str]:
    """The addresses of ``host`` (an IP address is itself), resolved on a helper thread so
    a slow DNS answer fails after ``timeout`` seconds (``OSError``)."""
    try:
        return [str(ipaddress.ip_address(host))]
    except ValueError:
        pass
    box: list[list[str] | OSError] = []

    def run() -> None:
        try:
            infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM,
                                       proto=socket.IPPROTO_TCP)
            box.append([str(info[4][0]) for info in infos])
        except (OSError, UnicodeError) as exc:
            box.append(OSError(str(exc)))

    worker = threading.Thread(target=run, daemon=True, name="live-import-resolve")
    worker.start()
    worker.join(timeout)
    if not box:
        raise OSError(f"resolving {host} timed out")
    if isinstance(box[0], OSError):
        raise box[0]
    if not box[0]:
        raise OSError(f"{host} has no address")
    return box[0]


# ------------------------------------------------------------------------------ conninfo

# Every libpq option with an environment variable, set explicitly (an explicit value wins
# over PG*); a service file can only fill options left unset, and none is left that matters.
_FIXED = {
    "passfile": "/dev/null/none",  # cannot exist: no password file is read
    "channel_binding": "prefer", "client_encoding": "UTF8", "options": "",
    "application_name": "er-modeler live import", "sslnegotiation": "postgres",
    "sslcompression": "0", "sslcert": "", "sslkey": "", "sslcertmode": "disable",
    "sslrootcert": "", "sslcrl": "", "sslcrldir": "", "sslsni": "1", "requirepeer": "",
    "require_auth": "!gss,!sspi",  # never the server's own Kerberos credentials
    "min_protocol_version": "3.0", "max_protocol_version": "3.0",
    "ssl_min_protocol_version": "TLSv1.2", "ssl_max_protocol_version": "",
    "gssencmode": "disable", "krbsrvname": "postgres", "gsslib": "", "gssdelegation": "0",
    "target_session_attrs": "any", "load_balance_hosts": "disable",
    "keepalives": "1", "keepalives_idle": "30", "keepalives_interval": "10",
    "keepalives_count": "3", "tcp_user_timeout": "30000", "sslpassword": "",
}


def conninfo(target: Target, addresses: list[str], connect_timeout: float) -> str:
    """The libpq connection string for ``target`` at ``addresses`` (tried in turn, sharing
    ``connect_timeout``; libpq's minimum is 2 s each): its own parts, and every
    environment-backed option set explicitly (options this libpq does not know are left
    out; one it knows that is not listed here but set in the environment is logged)."""
    known = {o.keyword.decode(): o for o in pq.Conninfo.get_defaults()}
    share = max(2, round(connect_timeout / max(1, len(addresses))))
    params = {
        "host": ",".join([target.host] * len(addresses)), "hostaddr": ",".join(addresses),
        "port": str(target.port), "dbname": target.dbname, "user": target.user,
        "password": target.password, "sslmode": target.sslmode,
        "connect_timeout": str(share), **_FIXED,
    }
    for keyword, option in known.items():
        envvar = option.envvar.decode() if option.envvar else None
        if keyword not in params and keyword != "service" and envvar and envvar in os.environ:
            log.warning("live import: libpq option %s is not set explicitly and %s is set in "
                        "the environment", keyword, envvar)
    return make_conninfo("", **{k: v for k, v in params.items() if k in known})


__all__ = ["LOOPBACK", "MAX_ADDRESSES", "SETTING", "LiveImportRefused", "Policy", "Target",
           "Unreachable", "check", "conninfo", "normalize", "not_enabled_message",
           "parse_url", "resolve_host"]
