import subprocess
import sys


def test_it_imports_the_core_without_django():
    # A fresh interpreter: if any core module pulled Django in, it would show in sys.modules.
    code = (
        "import sys, pkgutil, importlib, unseen.core as c\n"
        "for m in pkgutil.walk_packages(c.__path__, 'unseen.core.'): importlib.import_module(m.name)\n"
        "print(any(name == 'django' or name.startswith('django.') for name in sys.modules))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "False"
