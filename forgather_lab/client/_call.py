"""How one endpoint is written once and typed right for both clients.

An endpoint is a *builder*: a method that returns a ``Call[T]``, the request
(verb, path, query, body) plus the reader that turns the reply into a ``T``.
Decorated with ``@endpoint`` it becomes an ``Endpoint`` descriptor, and what
an attribute lookup gives back depends on who asks:

- on a ``SyncSender`` (``Client``): ``(*args) -> T``, sent at once;
- on an ``AsyncSender`` (``AsyncClient``): ``(*args) -> Coroutine[..., T]``.

The overloaded ``__get__`` says exactly that to the type checker, so
``client.job("x")`` is a ``DescribeJob`` and ``await aclient.job("x")`` is
too, from one definition and with the builder's own parameters (a
``ParamSpec``). Python's type system has no higher-kinded types, so a mixin
generic in "the result wrapper" cannot be written; the descriptor is the
typed way to one table for two calling conventions.
"""

from __future__ import annotations

import inspect
from abc import ABC, abstractmethod
from collections.abc import Callable, Coroutine, Mapping
from dataclasses import dataclass, field
from typing import Any, Concatenate, Generic, Literal, ParamSpec, Self, TypeVar, overload
from urllib.parse import quote

P = ParamSpec("P")
T = TypeVar("T")
T_co = TypeVar("T_co", covariant=True)

Method = Literal["GET", "POST", "PUT", "PATCH", "DELETE"]


@dataclass(frozen=True)
class Call(Generic[T_co]):
    """One request and how to read its answer.

    ``parse`` gets the decoded JSON (the text itself when ``text``, ``None``
    for an empty reply) and raises ``ValueError`` (pydantic's
    ``ValidationError`` is one) when the answer is not the expected shape.
    Covariant (it is frozen): a ``Call[KillResult]`` is a
    ``Call[DescribeCommand | KillResult]``.
    """

    method: Method
    path: str
    parse: Callable[[Any], T_co]
    params: Mapping[str, Any] = field(default_factory=dict)
    json: Any = None
    text: bool = False  # the reply is text/plain, not JSON
    ok_statuses: tuple[int, ...] = ()  # non-2xx statuses whose body is still the answer


class SyncSender(ABC):
    """Performs a ``Call`` and returns its result (the blocking ``Client``)."""

    @abstractmethod
    def _send(self, call: Call[T]) -> T: ...


class AsyncSender(ABC):
    """Performs a ``Call`` as a coroutine (``AsyncClient``)."""

    @abstractmethod
    async def _send(self, call: Call[T]) -> T: ...


class Endpoint(Generic[P, T]):
    """A builder bound to whichever client reads it (see the module docstring)."""

    def __init__(self, build: Callable[Concatenate[Any, P], Call[T]]) -> None:
        self._build = build
        self.__doc__ = build.__doc__
        self._name = build.__name__
        self._signature = _public_signature(build)

    def __set_name__(self, owner: type[Any], name: str) -> None:
        self._name = name

    def __repr__(self) -> str:
        return f"<endpoint {self._name}{self._signature}>"

    @overload
    def __get__(self, obj: None, owner: type[Any]) -> Self: ...

    @overload
    def __get__(self, obj: SyncSender, owner: type[Any]) -> Callable[P, T]: ...

    @overload
    def __get__(
        self, obj: AsyncSender, owner: type[Any]
    ) -> Callable[P, Coroutine[Any, Any, T]]: ...

    def __get__(self, obj: SyncSender | AsyncSender | None, owner: type[Any]) -> Any:
        if obj is None:
            return self
        build = self._build
        bound: Callable[..., Any]
        # Local names for the narrowed client: mypy does not carry narrowing into closures.
        if isinstance(obj, AsyncSender):
            sender = obj

            async def send_later(*args: P.args, **kwargs: P.kwargs) -> T:
                return await sender._send(build(sender, *args, **kwargs))

            bound = send_later
        else:
            blocking = obj

            def send_now(*args: P.args, **kwargs: P.kwargs) -> T:
                return blocking._send(build(blocking, *args, **kwargs))

            bound = send_now
        # What IPython's ``client.job?`` and help() show: the builder's name, doc, parameters.
        bound.__name__ = self._name
        bound.__qualname__ = f"{type(obj).__name__}.{self._name}"
        bound.__doc__ = self.__doc__
        bound.__dict__["__signature__"] = self._signature  # inspect.signature reads it
        return bound


def endpoint(build: Callable[Concatenate[Any, P], Call[T]]) -> Endpoint[P, T]:
    """Make a ``Call`` builder an endpoint method of both clients."""
    return Endpoint(build)


def _public_signature(build: Callable[..., Any]) -> inspect.Signature:
    """The builder's signature without ``self``, returning ``T`` rather than ``Call[T]``."""
    sig = inspect.signature(build)
    returns = sig.return_annotation
    if isinstance(returns, str) and returns.startswith("Call[") and returns.endswith("]"):
        returns = returns[len("Call[") : -1]
    return sig.replace(parameters=list(sig.parameters.values())[1:], return_annotation=returns)


def read_nothing(_: Any) -> None:
    """A reader for answers with no body worth keeping (204, a delete)."""
    return None


def read_raw(data: Any) -> Any:
    """A reader that keeps the decoded JSON as it is (the ``get()`` escape hatch)."""
    return data


def read_object(data: Any) -> dict[str, Any]:
    """A reader for a JSON object with no model (the OpenAPI document)."""
    if not isinstance(data, dict):
        raise ValueError(f"expected a JSON object, got {type(data).__name__}")
    return data


def read_text(data: Any) -> str:
    """A reader for a ``text/plain`` answer."""
    return str(data)


def seg(value: str | int) -> str:
    """One path segment, percent-encoded (job ids and names never split a path)."""
    return quote(str(value), safe="")
