"""What recording an undo step costs per edit (issue 16): the touched top-level elements of
an edit found and both sides serialized (modeler.web.undo.record, minus its one INSERT), on
synthetic designs of 100 and 1,000 tables; and a whole-design step (a version restore or a
re-layout stores every table before and after).

Run: ``.venv/bin/python bench/undo_record.py``. Prints the median of 20 runs per size.
"""

from __future__ import annotations

import os
import sys
import time
from dataclasses import replace
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "modeler.settings")



def main() -> None:
    import django

    django.setup()
    from bench.synthetic import synthetic
    from modeler.schema import edit, serialize
    from modeler.web.undo import project, touched

    for n in (100, 1000):
        s = synthetic(n)
        t = s.tables[n // 2]
        new = edit.put_table(s, replace(t, comment="changed for the benchmark"))
        runs = []
        for _ in range(20):
            t0 = time.perf_counter()
            uids = touched(s, new)
            serialize.to_dict(project(s, uids))
            serialize.to_dict(project(new, uids))
            runs.append(time.perf_counter() - t0)
        runs.sort()
        print(f"{n:5d} tables, one-table edit: {runs[10] * 1000:7.2f} ms "
              f"({len(uids)} element)")
        every = {x.uid for x in s.tables}
        t0 = time.perf_counter()
        serialize.to_dict(project(s, every))
        serialize.to_dict(project(new, every))
        print(f"{n:5d} tables, whole-design step: {(time.perf_counter() - t0) * 1000:7.0f} ms")


if __name__ == "__main__":
    main()
