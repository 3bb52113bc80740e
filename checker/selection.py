"""Which rules run: ``select``, ``extend-select`` and ``ignore`` with codes, prefixes and ALL."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from checker.config import ConfigError

ALWAYS_ON = "CT000"


def _matches(selector: str, code: str) -> bool:
    return selector == "ALL" or code.startswith(selector)


def validate(selectors: Iterable[str], codes: Sequence[str], where: str) -> list[str]:
    """Upper-case the selectors and reject any that match no rule."""
    result = []
    for raw in selectors:
        selector = raw.strip().upper()
        if not selector or not any(_matches(selector, code) for code in codes):
            raise ConfigError(f"{where}: unknown rule code or prefix {raw!r} (see `celery-checklist rules`)")
        result.append(selector)
    return result


def resolve(
    codes: Sequence[str],
    opt_in: frozenset[str],
    select: Sequence[str] | None,
    extend_select: Sequence[str],
    ignore: Sequence[str],
) -> tuple[str, ...]:
    """The selected codes, in order.

    Without ``select`` every rule that is not opt-in runs. A rule is on when the most specific
    selector matching it comes from ``select``/``extend-select``, off when it comes from ``ignore``
    (an ignore wins a tie). Opt-in rules run only when a selector names them (a code, a prefix or
    ALL). CT000 is always on unless ignored by its exact code.
    """
    chosen: list[str] = []
    for code in codes:
        if code == ALWAYS_ON:
            if ALWAYS_ON not in ignore:
                chosen.append(code)
            continue
        on = _specificity((*(select or ()), *extend_select), code)
        if on < 0 and select is None and code not in opt_in:
            on = _DEFAULT
        if on > _specificity(ignore, code):
            chosen.append(code)
    return tuple(chosen)


def resolve_layers(
    codes: Sequence[str],
    opt_in: frozenset[str],
    layers: Sequence[tuple[Sequence[str] | None, Sequence[str], Sequence[str]]],
) -> tuple[str, ...]:
    """The selected codes after applying ``(select, extend_select, ignore)`` layers in order
    (the configuration, then the command line), as ruff does: a layer's ``select`` starts the
    selection afresh; otherwise its ``extend-select`` adds to and its ``ignore`` removes from
    what the earlier layers chose (within a layer, the most specific selector wins and an ignore
    wins a tie). CT000 is always on unless a layer ignores it by its exact code."""
    chosen: set[str] | None = None
    for select, extend_select, ignore in layers:
        if chosen is None or select is not None:
            chosen = set(resolve(codes, opt_in, select, extend_select, ignore))
            continue
        for code in codes:
            on = _specificity(extend_select, code)
            off = _specificity(ignore, code)
            if code == ALWAYS_ON:
                if ALWAYS_ON in ignore:
                    chosen.discard(code)
            elif on > off:
                chosen.add(code)
            elif off >= 0 and off >= on:
                chosen.discard(code)
    selected = chosen if chosen is not None else set(resolve(codes, opt_in, None, (), ()))
    return tuple(code for code in codes if code in selected)


# The implicit default selection is less specific than any explicit selector, ALL included.
_DEFAULT = -0.5


def _specificity(selectors: Iterable[str], code: str) -> float:
    """How precisely the best matching selector names ``code``: -1 when none matches."""
    return max((0 if s == "ALL" else len(s) for s in selectors if _matches(s, code)), default=-1)
