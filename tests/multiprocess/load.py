"""The load of the multi-process test: browser-like clients (their own cookies, CSRF tokens
from the real login form) editing one project at once through gunicorn, background imports
and an export, and one SIGKILL of a worker process meanwhile.

Plain ``http.client`` (no HTTP library is a dependency of the project). Each client records
every request as ``(kind, status, seconds)``; status 0 is a request that got no answer (its
worker process was killed): the client cannot know whether that edit was applied, so it is
recorded as *unknown* and never retried under the same name.

Edits each client makes:

* distinct: its own table ``t<i>`` and columns ``c<i>_<k>`` on it (htmx, 200 = saved), now
  and then another table ``t<i>_<k>`` (plain form POST, 302 to the editor = saved);
* conflicting: the comment of the shared table and of its column ``note``, every client the
  same elements, with the version its form was read with; on 409 it reads the element again
  and retries. Each comment is a token naming the client and the edit, so the activity log
  and the design show which edit landed, and whether one landed twice.
"""

from __future__ import annotations

import gzip
import http.client
import io
import os
import random
import re
import signal
import statistics
import threading
import time
import zipfile
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode, urlsplit

HX = {"HX-Request": "true"}
_CSRF_INPUT = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


def hidden_value(html: str, name: str) -> int | None:
    """The value of the form input ``name`` in ``html`` (a version field), as an int."""
    tag = re.search(r'<input[^>]*name="' + re.escape(name) + r'"[^>]*>', html)
    if tag is None:
        return None
    value = re.search(r'value="([0-9]+)"', tag.group(0))
    return int(value.group(1)) if value else None


@dataclass
class Response:
    status: int  # 0: no answer (connection dropped)
    headers: dict[str, str]
    body: bytes

    @property
    def text(self) -> str:
        """The body as text (decompressed when it came gzip-encoded)."""
        body = self.body
        if self.headers.get("content-encoding") == "gzip":
            body = gzip.decompress(body)
        return body.decode("utf-8", "replace")


@dataclass
class Record:
    kind: str
    status: int
    seconds: float


class Client:
    """One browser: cookies (session, CSRF), a new connection per request (gunicorn's
    sync workers close it after each answer), every request recorded."""

    def __init__(self, base_url: str, records: list[Record], lock: threading.Lock) -> None:
        parts = urlsplit(base_url)
        self.host, self.port = parts.hostname or "127.0.0.1", parts.port or 80
        self.cookies: dict[str, str] = {}
        self.records, self.lock = records, lock
        self.last_status = 200

    def request(self, kind: str, method: str, path: str, fields: dict[str, Any] | None = None,
                headers: dict[str, str] | None = None, timeout: float = 60) -> Response:
        body = urlencode(fields or {}, doseq=True).encode() if method == "POST" else None
        head = {"Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items()),
                **(headers or {})}
        if method == "POST":
            head["Content-Type"] = "application/x-www-form-urlencoded"
            head["X-CSRFToken"] = self.cookies.get("csrftoken", "")
        start = time.monotonic()
        conn = http.client.HTTPConnection(self.host, self.port, timeout=timeout)
        try:
            conn.request(method, path, body=body, headers=head)
            raw = conn.getresponse()
            data = raw.read()
            response = Response(raw.status, {k.lower(): v for k, v in raw.getheaders()}, data)
            for name, value in raw.getheaders():
                if name.lower() == "set-cookie":
                    key, _, rest = value.partition("=")
                    self.cookies[key.strip()] = rest.split(";", 1)[0]
        except (ConnectionError, http.client.HTTPException, OSError):
            response = Response(0, {}, b"")
        finally:
            conn.close()
        with self.lock:
            self.records.append(Record(kind, response.status, time.monotonic() - start))
        self.last_status = response.status
        return response

    def login(self, username: str, password: str) -> None:
        """Sign in through the login form; again when an answer was lost (a killed
        worker), at most three times."""
        for _ in range(3):
            page = self.request("login", "GET", "/login/")
            token = _CSRF_INPUT.search(page.text)
            if page.status == 0:
                continue
            assert page.status == 200 and token, f"login page: {page.status}"
            done = self.request("login", "POST", "/login/", {
                "username": username, "password": password,
                "csrfmiddlewaretoken": token.group(1)})
            if done.status == 0:
                continue
            assert done.status == 302, f"login of {username}: {done.status} {done.text[:300]}"
            return
        raise AssertionError(f"login of {username}: no answer three times")


@dataclass
class Ledger:
    """What one client knows about its edits: saved (acknowledged), refused, unknown."""

    tables: set[str] = field(default_factory=set)
    columns: set[str] = field(default_factory=set)
    table_comments: set[str] = field(default_factory=set)  # shared table, acknowledged
    column_comments: set[str] = field(default_factory=set)  # shared column, acknowledged
    unknown: set[str] = field(default_factory=set)  # names/tokens sent without an answer
    conflicts: Counter[str] = field(default_factory=Counter)  # 409s by kind of edit
    gave_up: Counter[str] = field(default_factory=Counter)  # edits 409 on every retry
    other: list[str] = field(default_factory=list)  # unexpected answers (status: text)


@dataclass
class Scenario:
    base_url: str
    password: str
    shared_table: str
    shared_column: str
    clients: int = 10
    seconds: float = 30.0
    slug: str = "mp"
    retries: int = 25
    records: list[Record] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)
    ledgers: list[Ledger] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)  # exceptions in client threads
    go: threading.Event = field(default_factory=threading.Event)  # everybody signed in
    deadline: float = 0.0  # when the edits stop (time.monotonic())
    signed_in: int = 0  # threads that have signed in

    def _signed_in(self) -> None:
        with self.lock:
            self.signed_in += 1

    def client(self) -> Client:
        return Client(self.base_url, self.records, self.lock)

    # ------------------------------------------------------------------ one editor

    def edit(self, i: int) -> None:
        ledger = self.ledgers[i]
        c = self.client()
        c.login(f"mp{i}", self.password)
        self._signed_in()
        self.go.wait()
        own = self.add_table(c, ledger, f"t{i}")
        k = 0
        rng = random.Random(i)
        while time.monotonic() < self.deadline:
            k += 1
            step = k % 10
            if own is None:  # its table's add got no answer: make another
                own = self.add_table(c, ledger, f"t{i}_{k}")
            elif step in (1, 4, 7):
                self.add_column(c, ledger, own, f"c{i}_{k}")
            elif step in (2, 6):
                self.update_shared_table(c, ledger, f"client {i} edit {k}")
            elif step in (3, 8):
                self.update_shared_column(c, ledger, f"client {i} edit {k}")
            elif step == 5:
                r = c.request("poll", "GET", f"/p/{self.slug}/edit/poll/?rev=0")
                self.expect(ledger, r, (200, 204))
            elif step == 9:
                r = c.request("editor", "GET", f"/p/{self.slug}/edit/")
                self.expect(ledger, r, (200,))
            else:
                self.add_table(c, ledger, f"t{i}_{k}")
            # a lost answer: the server may be restarting a worker, do not spin
            time.sleep(rng.uniform(0.2, 0.3) if c.last_status == 0 else rng.uniform(0, 0.05))

    def expect(self, ledger: Ledger, r: Response, ok: tuple[int, ...]) -> bool:
        if r.status in ok:
            return True
        if r.status != 0:
            ledger.other.append(f"{r.status}: {r.text[:300]}")
        return False

    def add_table(self, c: Client, ledger: Ledger, name: str) -> str | None:
        """A table by the plain form (302 to the editor with the new table's uid)."""
        r = c.request("table.add", "POST", f"/p/{self.slug}/tables/add/", {
            "new-name": name, "new-namespace": "public",
            "new-comment": f"A table of the multi-process test ({name})",
            "new-kind": "entity", "new-delete_strategy": "hard"})
        if r.status == 0:
            ledger.unknown.add(name)
            return None
        uid = re.search(r"[?&]table=([0-9a-f-]{36})", r.headers.get("location", ""))
        if r.status == 302 and uid:
            ledger.tables.add(name)
            return uid.group(1)
        ledger.other.append(f"table.add {name}: {r.status}: {r.text[:300]}")
        return None

    def add_column(self, c: Client, ledger: Ledger, table_uid: str, name: str) -> None:
        r = c.request("column.add", "POST", f"/p/{self.slug}/t/{table_uid}/columns/add/", {
            "col-name": name, "col-type": "text", "col-searchable": "none",
            "col-comment": f"Column {name} of the multi-process test"}, headers=HX)
        if r.status == 200:
            ledger.columns.add(name)
        elif r.status == 0:
            ledger.unknown.add(name)
        else:
            ledger.other.append(f"column.add {name}: {r.status}: {r.text[:300]}")

    def _conflicting(self, c: Client, ledger: Ledger, token: str, kind: str,
                     read: Callable[[], int | None],
                     post: Callable[[int], Response]) -> bool:
        """Read the element's version, post the edit with it; on 409 read again and retry."""
        for _ in range(self.retries):
            version = read()
            if version is None:
                return False
            r = post(version)
            if r.status == 200:
                return True
            if r.status == 0:
                ledger.unknown.add(token)
                return False
            if r.status != 409:
                ledger.other.append(f"{kind} {token}: {r.status}: {r.text[:300]}")
                return False
            ledger.conflicts[kind] += 1
        ledger.gave_up[kind] += 1
        return False

    def _panel(self, c: Client, ledger: Ledger, query: str = "") -> str | None:
        r = c.request("reread", "GET", f"/p/{self.slug}/t/{self.shared_table}/{query}",
                      headers=HX)
        return r.text if self.expect(ledger, r, (200,)) else None

    def update_shared_table(self, c: Client, ledger: Ledger, token: str) -> None:
        def read() -> int | None:
            # the table's form, as the panel fetches it when its section is opened
            html = self._panel(c, ledger, "?part=table")
            return None if html is None else hidden_value(html, "tbl-version")

        def post(version: int) -> Response:
            return c.request("table.update", "POST",
                             f"/p/{self.slug}/t/{self.shared_table}/update/", {
                                 "tbl-name": "shared", "tbl-namespace": "public",
                                 "tbl-comment": token, "tbl-kind": "entity",
                                 "tbl-delete_strategy": "hard", "tbl-version": version},
                             headers=HX)
        if self._conflicting(c, ledger, token, "table.update", read, post):
            ledger.table_comments.add(token)

    def update_shared_column(self, c: Client, ledger: Ledger, token: str) -> None:
        prefix = f"c{self.shared_column[:8]}"

        def read() -> int | None:
            html = self._panel(c, ledger, f"?column={self.shared_column}")
            return None if html is None else hidden_value(html, f"{prefix}-version")

        def post(version: int) -> Response:
            return c.request("column.update", "POST",
                             f"/p/{self.slug}/c/{self.shared_column}/update/", {
                                 f"{prefix}-name": "note", f"{prefix}-type": "text",
                                 f"{prefix}-searchable": "none", f"{prefix}-comment": token,
                                 f"{prefix}-version": version}, headers=HX)
        if self._conflicting(c, ledger, token, "column.update", read, post):
            ledger.column_comments.add(token)

    # ------------------------------------------------------------ background work

    def import_schema(self, slug: str, ddl: str, delay: float, wait_after: float
                      ) -> dict[str, Any]:
        """One web import, as a person does it: the form, the job's page until the
        preview, confirm, the job's page until the project opens. An answer lost to the
        killed web worker is found again as a person would: the import page lists the
        user's running imports. Returns how it ended (``done``, ``<step>: failed``, ...)."""
        c = self.client()
        c.login("mp0", self.password)
        self._signed_in()
        self.go.wait()
        deadline = self.deadline + wait_after  # known once everybody has signed in
        time.sleep(delay)
        name = f"Imported {slug}"
        out: dict[str, Any] = {"slug": slug, "ended": "unknown", "steps": []}
        page = c.request("import.form", "GET", "/import/")
        token = _CSRF_INPUT.search(page.text)
        if page.status != 200 or token is None:
            out["ended"] = f"form {page.status}"
            return out
        r = c.request("import.start", "POST", "/import/", {
            "name": name, "slug": slug, "format": "sql", "text": ddl,
            "csrfmiddlewaretoken": token.group(1)})
        for step in ("parse", "create"):
            r = self._follow(c, r, name, deadline)
            location = r.headers.get("location", "")
            out["steps"].append(f"{step}: {r.status} {location}")
            if r.status == 0:
                out["ended"] = f"{step}: answer lost, no running job"
                return out
            if r.status == -1:
                out["ended"] = f"{step}: still running at the deadline"
                return out
            if r.status == 200:  # the job's page of an ended job
                state = re.search(r'data-status="([a-z]+)"', r.text)
                out["ended"] = f"{step}: {state.group(1) if state else r.text[:300]}"
                return out
            if step == "parse":
                pending = re.search(r"/import/([0-9]+)/$", location)
                if r.status != 302 or pending is None:
                    out["ended"] = f"parse: answered {r.status} {r.text[:300]}"
                    return out
                r = c.request("import.confirm", "POST", f"/import/{pending.group(1)}/confirm/")
            elif r.status == 302 and location.endswith(f"/p/{slug}/edit/"):
                out["ended"] = "done"
            else:
                out["ended"] = f"create: answered {r.status} {r.text[:300]}"
        return out

    def _follow(self, c: Client, r: Response, name: str, deadline: float) -> Response:
        """Poll the job page ``r`` leads to until the job ends: the redirect to what it
        made, the page of a job that ended otherwise (200), status 0 when an answer was
        lost and no job of ``name`` is running, -1 at the deadline."""
        while True:
            if r.status == 0:
                r = self._recover(c, name, deadline)
                if r.status == 0:
                    return r
            location = r.headers.get("location", "")
            if not (r.status == 302 and "/import/jobs/" in location):
                return r
            if time.monotonic() > deadline:
                return Response(-1, {}, b"")
            time.sleep(0.5)
            r = c.request("import.poll", "GET", urlsplit(location).path)
            if r.status == 200:
                state = re.search(r'data-status="([a-z]+)"', r.text)
                if state is None or state.group(1) not in ("queued", "running"):
                    return r
                r = Response(302, {"location": urlsplit(location).path}, b"")

    def _recover(self, c: Client, name: str, deadline: float) -> Response:
        """After a lost answer: the job of ``name`` the import page lists as running (as
        a redirect to it), else status 0."""
        while time.monotonic() < deadline:
            page = c.request("import.form", "GET", "/import/")
            if page.status == 0:
                time.sleep(0.5)
                continue
            job = re.search(r'href="(/import/jobs/[0-9]+/)">(?:creating )?'
                            + re.escape(name) + "<", page.text)
            return Response(302, {"location": job.group(1)}, b"") if job else \
                Response(0, {}, b"")
        return Response(0, {}, b"")

    def export(self, number: int, delay: float) -> dict[str, Any]:
        c = self.client()
        c.login("mp0", self.password)
        self._signed_in()
        self.go.wait()
        time.sleep(delay)
        r = c.request("export", "GET", f"/p/{self.slug}/versions/{number}/export/")
        out: dict[str, Any] = {"status": r.status, "files": 0}
        if r.status == 200:
            with zipfile.ZipFile(io.BytesIO(r.body)) as z:
                out["files"] = len(z.namelist())
        return out

    # ------------------------------------------------------------------ the whole run

    def run(self, *, imports: dict[str, str], export_version: int,
            kills: dict[str, tuple[float, Callable[[], str]]],
            import_wait: float = 60.0) -> dict[str, Any]:
        """Everybody signs in, then edits for ``seconds`` while the imports (started one
        and three seconds in) and the export (half way) run. Each of ``kills`` (name →
        (seconds in, what to call)) is called once on its own thread and says what it
        killed. The imports are waited for at most ``import_wait`` seconds after the edits
        end."""
        self.ledgers = [Ledger() for _ in range(self.clients)]
        results: dict[str, Any] = {"imports": {}, "export": None, "killed": {}}

        def guarded(name: str, fn: Callable[[], Any]) -> threading.Thread:
            def body() -> None:
                try:
                    value = fn()
                    if name.startswith("import:"):
                        results["imports"][name[7:]] = value
                    elif name.startswith("kill:"):
                        results["killed"][name[5:]] = value
                    elif name == "export":
                        results["export"] = value
                except Exception as exc:  # the test reports it
                    with self.lock:
                        self.errors.append(f"{name}: {type(exc).__name__}: {exc}")
            return threading.Thread(target=body, name=name, daemon=True)

        threads = [guarded(f"client {i}", lambda i=i: self.edit(i))
                   for i in range(self.clients)]
        for n, (slug, ddl) in enumerate(imports.items()):
            threads.append(guarded(f"import:{slug}", lambda s=slug, d=ddl, n=n: (
                self.import_schema(s, d, 1 + 2 * n, import_wait))))
        threads.append(guarded("export", lambda: self.export(export_version,
                                                             self.seconds / 2)))
        signed_in = time.monotonic()
        signing = len(threads)
        for t in threads:
            t.start()

        def later(delay: float, fn: Callable[[], str]) -> Callable[[], str]:
            def body() -> str:
                self.go.wait()
                time.sleep(delay)
                return fn()
            return body
        for name, (delay, fn) in kills.items():
            threads.append(guarded(f"kill:{name}", later(delay, fn)))
            threads[-1].start()
        while time.monotonic() < signed_in + 120 and self.signed_in + sum(
                not t.is_alive() for t in threads[:signing]) < signing:  # a failed sign-in
            time.sleep(0.05)
        start = time.monotonic()
        results["login_wall"] = start - signed_in
        self.deadline = start + self.seconds
        self.go.set()
        for t in threads:
            t.join(timeout=max(1.0, self.deadline + import_wait + 30 - time.monotonic()))
        results["wall"] = time.monotonic() - start
        results["stuck"] = [t.name for t in threads if t.is_alive()]
        return results

    def figures(self) -> dict[str, dict[str, float]]:
        """p50/p95 (ms) and count per request kind, of the requests that got an answer."""
        kinds: dict[str, list[float]] = {}
        for r in self.records:
            if r.status:
                kinds.setdefault(r.kind, []).append(r.seconds * 1000)
        out = {}
        for kind, values in sorted(kinds.items()):
            values.sort()
            out[kind] = {"n": len(values), "p50": statistics.median(values),
                         "p95": values[min(len(values) - 1, int(0.95 * len(values)))]}
        return out


def format_figures(figures: dict[str, dict[str, float]]) -> str:
    lines = [f"{'request kind':16} {'n':>5} {'p50 ms':>8} {'p95 ms':>8}"]
    for kind, f in figures.items():
        lines.append(f"{kind:16} {int(f['n']):5d} {f['p50']:8.0f} {f['p95']:8.0f}")
    return "\n".join(lines)


def import_ddl(tables: int, columns: int = 6, prefix: str = "imp") -> str:
    """A schema to import: ``tables`` tables, each with a key, ``columns`` more columns, a
    foreign key to the table before it, comments (what the design rules ask for)."""
    out = []
    for n in range(tables):
        name = f"{prefix}_{n}"
        cols = ["id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY"]
        cols += [f"attr_{k} text NOT NULL" for k in range(columns)]
        if n:
            cols.append(f"{prefix}_{n - 1}_id bigint NOT NULL REFERENCES {prefix}_{n - 1} (id)"
                        " ON DELETE CASCADE")
        cols.append("created_at timestamptz NOT NULL DEFAULT now()")
        out.append(f"CREATE TABLE {name} (\n  " + ",\n  ".join(cols) + "\n);")
        out.append(f"COMMENT ON TABLE {name} IS 'Row {n} of the imported test schema';")
        if n:
            out.append(f"CREATE INDEX ix_{name}_parent ON {name} ({prefix}_{n - 1}_id);")
    return "\n".join(out) + "\n"


def kill_one(pids: list[int]) -> str:
    """SIGKILL the first of ``pids``."""
    if not pids:
        return "nothing to kill"
    os.kill(pids[0], signal.SIGKILL)
    return f"pid {pids[0]}"
