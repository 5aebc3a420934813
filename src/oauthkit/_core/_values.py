"""Frozen, slotted value classes for the import-sensitive paths, without :mod:`dataclasses`.

:mod:`dataclasses` imports :mod:`inspect`, which together cost about 9 ms at startup: more than
the rest of the OAuth 1.0a signing path. The few values that path needs (:class:`HttpRequest`
and :class:`HttpResponse`, ``SigningMaterial``, ``OAuth1Signer``) derive from :class:`Value`
instead, which gives them what ``@dataclass(frozen=True, slots=True)`` would: immutability,
equality and hashing over their fields, ``repr`` and ``copy``/``pickle`` support, and
:meth:`Value.replace`. Everything else in oauthkit is a dataclass.
"""

from __future__ import annotations

TYPE_CHECKING = False  # typing costs milliseconds at import; type checkers read this as True
if TYPE_CHECKING:
    from typing import Any, ClassVar, TypeVar

    _V = TypeVar("_V", bound="Value")

__all__ = ["Value"]


class Value:
    """Base of a frozen value: subclasses list ``__slots__`` and set them in ``__init__``.

    Attributes:
        _compared: The fields that take part in ``==`` and ``hash`` (all by default).
    """

    __slots__: ClassVar[tuple[str, ...]] = ()
    _compared: ClassVar[tuple[str, ...]]

    def __setattr__(self, name: str, value: object) -> None:
        raise AttributeError(f"cannot assign to field {name!r} of a frozen {type(self).__name__}")

    def __delattr__(self, name: str) -> None:
        raise AttributeError(f"cannot delete field {name!r} of a frozen {type(self).__name__}")

    def _values(self) -> tuple[Any, ...]:
        return tuple(getattr(self, name) for name in self._compared)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Value) or type(other) is not type(self):
            return NotImplemented
        return self._values() == other._values()

    def __hash__(self) -> int:
        return hash(self._values())

    def __reduce__(self) -> tuple[Any, ...]:
        # Rebuilt through __init__ from the public fields, so a copy is validated like the
        # original and derived private state (a signing function, say) is made again.
        fields = {name: getattr(self, name) for name in _init_fields(type(self))}
        return (_rebuild, (type(self), fields))

    def replace(self: _V, **changes: Any) -> _V:
        """A copy with ``changes`` applied, validated like a new value.

        Raises:
            TypeError: A name in ``changes`` is not a field.
        """
        fields = {name: getattr(self, name) for name in _init_fields(type(self))}
        unknown = set(changes) - set(fields)
        if unknown:
            raise TypeError(f"{type(self).__name__} has no field {sorted(unknown)[0]!r}")
        fields.update(changes)
        return type(self)(**fields)


def _init_fields(cls: type[Value]) -> tuple[str, ...]:
    return tuple(name for name in cls.__slots__ if not name.startswith("_"))


def _rebuild(cls: type[Value], fields: dict[str, Any]) -> Value:
    return cls(**fields)
