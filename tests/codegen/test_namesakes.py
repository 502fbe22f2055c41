"""The index of kept objects a downgrade's drops look through (``Namesakes``) gives what the
plain scan it replaced gave: of the objects ahead of one (present ones only), those of its
kind, namespace and name, in their order."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from modeler.codegen.migration_ctx import Namesakes
from modeler.schema.model import RawObject

_objects = st.lists(
    st.tuples(st.sampled_from(["view", "function", "trigger"]),
              st.sampled_from(["public", "app"]), st.sampled_from(["a", "b", "c"]),
              st.sampled_from(["u1", "u2", "u3", "u4", "u5", "u6", "u7", "u8"])),
    max_size=12)


def _scan(raws: list[RawObject], obj: RawObject, at: int | None) -> list[RawObject]:
    """What the drops did before: the objects ahead of ``obj``'s first place (or ``at``)."""
    if at is None:
        at = next((i for i, o in enumerate(raws) if o.uid == obj.uid), len(raws))
    return [o for o in raws[:at] if (o.kind, o.namespace, o.name) == (obj.kind, obj.namespace,
                                                                      obj.name)]


@settings(max_examples=300, deadline=None)
@given(_objects, st.data())
def test_namesakes_match_the_plain_scan(items: list[tuple[str, str, str, str]],
                                        data: st.DataObject) -> None:
    start = [RawObject(uid=u, kind=k, name=n, sql=f"-- {k} {n}", namespace=ns)
             for k, ns, n, u in items]
    gone = data.draw(st.sets(st.sampled_from([o.uid for o in start]) if start
                             else st.nothing()))
    left = [o for o in start if o.uid not in gone]
    index = Namesakes(start, lambda uid: uid not in gone)
    plain = Namesakes(left)
    candidates = [*left, RawObject(uid="new", kind="view", name="a", sql="-- new")]
    obj = data.draw(st.sampled_from(candidates))
    assert index.before(obj) == _scan(left, obj, None)
    assert plain.before(obj) == _scan(left, obj, None)
    if obj in left:
        at = left.index(obj)
        assert plain.before(obj, at) == _scan(left, obj, at)
    named = plain.before(obj, prepare=lambda o: RawObject(o.uid, o.kind, o.name, "x"))
    assert [o.sql for o in named] == ["x"] * len(_scan(left, obj, None))
