"""quick_init: a frozen, slotted dataclass built through its slots is the same value, still frozen."""

from __future__ import annotations

import dataclasses
import inspect
from datetime import UTC, datetime

import pytest

from autoposter_gui.domain.frozen import quick_init
from autoposter_gui.domain.models import ItemStatus, MediaKind, MediaRef, Platform
from autoposter_gui.domain.validation import PostDraft
from autoposter_gui.engine.posts import PostRequest
from autoposter_gui.storage.repo import NewItem

WHEN = datetime(2027, 3, 4, 9, 30, tzinfo=UTC)


@dataclasses.dataclass(frozen=True, slots=True)
class _Plain:
    a: int
    b: str
    c: tuple[int, ...] = (1, 2)
    d: str | None = None


@quick_init
@dataclasses.dataclass(frozen=True, slots=True)
class _Fast:
    a: int
    b: str
    c: tuple[int, ...] = (1, 2)
    d: str | None = None


def _as_plain(value: _Fast) -> _Plain:
    return _Plain(**{f.name: getattr(value, f.name) for f in dataclasses.fields(value)})


@pytest.mark.parametrize(
    ("args", "kwargs"),
    [((1, "x"), {}), ((1, "x", (3,)), {}), ((1,), {"b": "y", "d": "z"}), ((), {"a": 2, "b": "w", "c": ()})],
)
def test_same_fields_defaults_and_keywords_as_the_generated_init(
    args: tuple[object, ...], kwargs: dict[str, object]
) -> None:
    fast, plain = _Fast(*args, **kwargs), _Plain(*args, **kwargs)  # type: ignore[arg-type]
    assert _as_plain(fast) == plain
    assert repr(fast).replace("_Fast", "_Plain") == repr(plain)
    assert fast == _Fast(*args, **kwargs)  # type: ignore[arg-type]
    assert hash(fast) == hash(_Fast(*args, **kwargs))  # type: ignore[arg-type]


def test_wrong_arguments_are_refused_like_the_generated_init() -> None:
    with pytest.raises(TypeError):
        _Fast(1)  # type: ignore[call-arg]
    with pytest.raises(TypeError):
        _Fast(1, "x", e=3)  # type: ignore[call-arg]
    with pytest.raises(TypeError):
        _Fast(1, "x", (1,), None, "extra")  # type: ignore[call-arg]
    assert str(inspect.signature(_Fast)) == str(inspect.signature(_Plain))


def test_instances_stay_frozen_and_replace_works() -> None:
    fast = _Fast(1, "x")
    with pytest.raises(dataclasses.FrozenInstanceError):
        fast.a = 2  # type: ignore[misc]
    assert dataclasses.replace(fast, b="y") == _Fast(1, "y")


def test_only_frozen_slotted_dataclasses_without_post_init() -> None:
    @dataclasses.dataclass(frozen=True)
    class NoSlots:
        a: int

    @dataclasses.dataclass(slots=True)
    class NotFrozen:
        a: int

    @dataclasses.dataclass(frozen=True, slots=True)
    class PostInit:
        a: int

        def __post_init__(self) -> None:
            pass

    @dataclasses.dataclass(frozen=True, slots=True)
    class Factory:
        a: list[int] = dataclasses.field(default_factory=list)

    for cls in (NoSlots, NotFrozen, PostInit, Factory):
        with pytest.raises(TypeError):
            quick_init(cls)


def test_the_import_classes_use_it_and_keep_their_values() -> None:
    media = (MediaRef("/a.jpg", MediaKind.IMAGE, "alt"),)
    request = PostRequest(["1"], "Fresh bread", "/a.jpg", WHEN, "Europe/Berlin", draft=True, media=media, link="x")
    assert (request.account_refs, request.text, request.when, request.draft, request.fit) == (
        ["1"],
        "Fresh bread",
        WHEN,
        True,
        None,
    )
    assert request.fit_color == (255, 255, 255) and request.media == media and request.first_comment is None
    draft = PostDraft("t", (Platform.FACEBOOK,), None, WHEN)
    assert (draft.media, draft.first_comment, draft.link) == ((), None, None)
    item = NewItem(1, Platform.INSTAGRAM, "t", "/a.jpg", ItemStatus.SCHEDULED, WHEN, first_comment="c")
    assert (item.scheduled_tz, item.series_id, item.media, item.first_comment, item.link) == (None, None, (), "c", None)
    for cls in (PostRequest, PostDraft, NewItem):
        assert cls.__init__.__qualname__ == f"{cls.__qualname__}.__init__"
        # The generated frozen __init__ calls object.__setattr__ per field; the quick one sets the slots.
        assert "__setattr__" not in cls.__init__.__code__.co_names
        assert "__setattr__" in _Plain.__init__.__code__.co_names
    with pytest.raises(dataclasses.FrozenInstanceError):
        item.text = "changed"  # type: ignore[misc]
