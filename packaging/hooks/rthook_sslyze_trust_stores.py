"""PyInstaller runtime hook: sslyze finds its trust stores inside the bundle.

Frozen, sslyze looks for its trust stores (`pem_files/`) next to the executable (it takes
the directory of `sys.executable`; sslyze issue #607), while the spec bundles sslyze's data
where PyInstaller puts every package's data: under `sys._MEIPASS`. netready reads the
Mozilla store through `TrustStoresRepository._DEFAULT_TRUST_STORES_PATH` (see
`netready.net.tls_sslyze`), so this hook points that attribute at the bundled copy.

It does so the moment sslyze's module is imported, never earlier: sslyze takes a while to
import, and the window must not wait for it. The bootloader runs this hook in every process
of the bundle, the spawned TLS workers included. Frozen builds only; the source tree and an
installed wheel never see it.
"""

import importlib.abc
import sys
from collections.abc import Sequence
from importlib.machinery import ModuleSpec
from pathlib import Path
from types import ModuleType
from typing import Any

_MODULE = "sslyze.plugins.certificate_info.trust_stores.trust_store_repository"
_PEM_FILES = Path(sys._MEIPASS, *_MODULE.split(".")[:-1], "pem_files")  # type: ignore[attr-defined]


class _PatchingLoader(importlib.abc.Loader):
    """The real loader, and once the module has run, the trust stores' path set."""

    def __init__(self, loader: importlib.abc.Loader) -> None:
        self._loader = loader

    def create_module(self, spec: ModuleSpec) -> ModuleType | None:
        return self._loader.create_module(spec)

    def exec_module(self, module: ModuleType) -> None:
        self._loader.exec_module(module)
        module.TrustStoresRepository._DEFAULT_TRUST_STORES_PATH = _PEM_FILES

    def __getattr__(self, name: str) -> Any:  # get_code, is_package, get_resource_reader, ...
        return getattr(self._loader, name)


class _TrustStoreFinder(importlib.abc.MetaPathFinder):
    """Finds nothing itself: wraps the loader the other finders return for sslyze's module."""

    def find_spec(
        self, fullname: str, path: Sequence[str] | None, target: ModuleType | None = None
    ) -> ModuleSpec | None:
        if fullname != _MODULE:
            return None
        for finder in sys.meta_path:
            find_spec = getattr(finder, "find_spec", None)
            if finder is self or find_spec is None:
                continue
            spec: ModuleSpec | None = find_spec(fullname, path, target)
            if spec is not None and spec.loader is not None:
                spec.loader = _PatchingLoader(spec.loader)
                return spec
        return None


sys.meta_path.insert(0, _TrustStoreFinder())
