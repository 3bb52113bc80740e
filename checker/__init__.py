"""celery-checklist: static checks that every Celery task follows the production checklist."""

from __future__ import annotations

import importlib
import importlib.util
import sys
import types
from typing import Any

__version__ = "0.1.0"


class _Deferred(types.ModuleType):
    """Stands in for libcst until one of its names is used; then imports it and takes on its
    names (so that later uses cost what they cost on the module itself)."""

    def __getattr__(self, name: str) -> Any:  # only called for a name not (yet) here
        if (name.startswith("__") and name.endswith("__")) or "_deferred_loaded" in vars(self):
            raise AttributeError(f"module {self.__name__!r} has no attribute {name!r}")
        sys.modules.pop(self.__name__, None)
        try:
            real = importlib.import_module(self.__name__)
        except BaseException:
            sys.modules.setdefault(self.__name__, self)
            raise
        vars(self).update(vars(real))
        vars(self)["_deferred_loaded"] = True
        return getattr(real, name)


def _defer_libcst() -> None:
    """Make ``import libcst`` cheap until libcst is used.

    Importing libcst takes a third of a second or more (it builds hundreds of node classes): more
    than a pre-commit run that only needs the cached facts of the project and the bytes of the
    files that were not worth parsing. Every module here imports it as ``import libcst as cst``
    and touches ``cst`` only inside functions (module-level values made of its classes are built
    on first use), so with this stand-in the real import happens the first time a file is parsed,
    and never in a run that parses nothing. Nothing changes when libcst is already imported or
    cannot be found (the ordinary import then says so)."""
    if "libcst" in sys.modules:
        return
    spec = importlib.util.find_spec("libcst")
    if spec is None:
        return
    stand_in = _Deferred("libcst")
    stand_in.__spec__ = spec
    stand_in.__file__ = spec.origin
    stand_in.__path__ = list(spec.submodule_search_locations or [])
    sys.modules["libcst"] = stand_in


_defer_libcst()
