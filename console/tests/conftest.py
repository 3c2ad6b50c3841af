"""Console tests. pytest (--import-mode=importlib) first imports the folder ``console/``
as a namespace package called ``console``, which hides the real package
(console/src/console): put the real one back before anything uses it."""
import importlib
import sys

if not getattr(sys.modules.get("console"), "__file__", None):
    for _name in [m for m in sys.modules if m == "console" or m.startswith("console.")]:
        if _name != __name__:
            del sys.modules[_name]
    importlib.import_module("console")
