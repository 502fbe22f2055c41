"""Issue 17: database -> first diagram, whole processes, CPU and wall (ours only).

    .venv/bin/python bench/first_diagram.py [--rounds 5] [--corpus musicbrainz]
                                            [--url postgresql://...] [--root CHECKOUT]

Per round: ``import_schema --url`` into a new project, then ``render_diagram`` of it (the
"first diagram" pair of bench/vs_tools.py; no earlier render kept), the same in one process
(``import_schema --url --diagram FILE``), and ``render_diagram`` of a project laid out
before the rounds (its previous render kept, after the first round). Prints medians of
wall and CPU seconds (user + system of the process and the Graphviz runs it waited for):
on a busy machine CPU is the steadier figure.
``--url``: an already loaded database (else the corpus is loaded into a throw-away
PostgreSQL, as vs_tools.py does); ``--root``: another checkout of the project (e.g. a
``git worktree`` of an older commit) to time instead, for before/after figures.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from contextlib import ExitStack
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from vs_tools import PYTHON, SCHEMA_OF, App, T, lay_out, median, timed


class Checkout(App):
    """:class:`App` running ``manage.py`` of another checkout."""

    def __init__(self, work: Path, root: Path) -> None:
        self.root = root
        super().__init__(work)
        self.env["PYTHONPATH"] = str(root)

    def argv(self, *args: str) -> list[str]:
        return [PYTHON, str(self.root / "manage.py"), *args]

    def manage(self, *args: str) -> T:
        return timed(self.argv(*args), {**self.env, "PYTHONPATH": str(self.root)})


def show(label: str, values: list[T]) -> str:
    m = median(values)
    return (f"{label:30} wall {m.wall:5.2f} s   CPU {m.cpu:5.2f} s   "
            f"(CPU min {min(v.cpu for v in values):.2f}, max {max(v.cpu for v in values):.2f})")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--corpus", default="musicbrainz")
    parser.add_argument("--url", help="a database with the corpus loaded already")
    parser.add_argument("--root", type=Path, help="checkout to time (default: this one)")
    args = parser.parse_args()
    pg_schema = SCHEMA_OF.get(args.corpus, "public")
    schema_args = [] if pg_schema == "public" else ["--schema", pg_schema]
    with ExitStack() as stack:
        url = args.url
        if not url:
            from tests.fidelity.roundtrip import SQL_SCHEMAS, load_original
            from tests.pgtemp import temp_postgres

            server = stack.enter_context(temp_postgres())
            url = server.create_database(args.corpus.replace("-", "_"))
            load_original(server, url, SQL_SCHEMAS[args.corpus])
        work = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="bench-first-")))
        app = Checkout(work, args.root.resolve()) if args.root else App(work)
        app.manage("import_schema", "--project", "laid", "--url", url, *schema_args)
        lay_out(app, "laid")
        imports: list[T] = []
        renders: list[T] = []
        ones: list[T] = []
        laid: list[T] = []
        for i in range(args.rounds):
            slug = f"p{i}"
            app.forget_renders()  # a first diagram: no earlier render of the same drawing
            ones.append(app.manage("import_schema", "--project", f"one{i}", "--url", url,
                                   *schema_args, "--diagram", str(work / f"one{i}.svg")))
            app.forget_renders()
            imports.append(app.manage("import_schema", "--project", slug, "--url", url,
                                      *schema_args))
            renders.append(app.manage("render_diagram", slug, "--format", "svg", "--out",
                                      str(work / f"{slug}.svg")))
            laid.append(app.manage("render_diagram", "laid", "--format", "svg", "--out",
                                   str(work / "laid.svg")))
        print(f"{args.corpus}, {args.rounds} rounds, load average {os.getloadavg()[0]:.2f}, "
              f"{args.root or 'this checkout'}")
        print(show("import_schema --url", imports))
        print(show("render_diagram (after import)", renders))
        print(show("  first diagram (the pair)", [a + b for a, b in zip(imports, renders,
                                                                         strict=True)]))
        print(show("import_schema --url --diagram", ones))
        print(show("render_diagram (laid out)", laid))


if __name__ == "__main__":
    main()
