"""netready's replacement for PyInstaller's QtGui hook: only the Qt plugins the spec allows.

PyInstaller's own hook collects every plugin QtGui may load (EGL device integrations, the
GTK theme, VNC and linuxfb platforms, ...), and the analysis then collects every library those
plugins link to (the build machine's GTK, for one). Filtering the plugins out of the finished
analysis would leave those libraries behind, so the choice is made here, before the analysis
follows the plugins' dependencies. The list of plugins lives in netready.spec
(`hooksconfig={"PySide6": {"plugins": ...}}`); without it, every plugin is kept.
"""

from PyInstaller.utils.hooks import get_hook_config
from PyInstaller.utils.hooks.qt import add_qt6_dependencies


def _wanted(destination_dir: str, source: str, allowed: dict) -> bool:
    # destination_dir: e.g. PySide6/Qt/plugins/platforms (PySide6/plugins/... on Windows)
    parts = destination_dir.replace("\\", "/").split("/")
    if "plugins" not in parts:
        return True  # the Qt libraries themselves
    kind = "/".join(parts[parts.index("plugins") + 1 :])
    if kind not in allowed:
        return False
    fragments = allowed[kind]
    name = source.replace("\\", "/").rsplit("/", 1)[-1]
    return fragments is None or any(fragment in name for fragment in fragments)


def hook(hook_api):
    hiddenimports, binaries, datas = add_qt6_dependencies(__file__)
    allowed = get_hook_config(hook_api, "PySide6", "plugins")
    if allowed is not None:
        binaries = [(src, dst) for src, dst in binaries if _wanted(dst, src, allowed)]
    hook_api.add_imports(*hiddenimports)
    hook_api.add_binaries(binaries)
    hook_api.add_datas(datas)
