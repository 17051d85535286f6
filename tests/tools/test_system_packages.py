"""bootstrap/system_packages.sh: quiet and quick when the packages are there; a clear usage line without any."""

import subprocess
import time

from tests.machine import PROJECT_ROOT
from tests.tools.system import ensure_packages

SCRIPT = PROJECT_ROOT / "bootstrap" / "system_packages.sh"


def test_installed_packages_cost_nothing_and_print_nothing():
    ensure_packages("nginx", "chromium", "fonts-dejavu-core")
    start = time.monotonic()
    done = subprocess.run(["bash", str(SCRIPT), "nginx", "chromium", "fonts-dejavu-core"], capture_output=True, text=True)
    assert (done.returncode, done.stdout, done.stderr) == (0, "", "")
    assert time.monotonic() - start < 2


def test_no_package_named_is_a_usage_error():
    done = subprocess.run(["bash", str(SCRIPT)], capture_output=True, text=True)
    assert done.returncode == 2 and "usage: bash bootstrap/system_packages.sh PACKAGE" in done.stderr

