"""Validate policies/config/*.json against the pack's schema (offline stand-in for `pulumi policy validate-config`).

Usage (from the project root): .venv/bin/python policies/validate_config.py [config-directory]
Exit status 0 when every file is valid; otherwise each problem is printed on its own line.
"""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from stagecraft_guard.config_check import check_directory  # noqa: E402
from stagecraft_guard.stack_config import CONFIG_DIR  # noqa: E402


def main(argv: list) -> int:
    """Check the directory given (default policies/config) and report."""
    directory = Path(argv[1]) if len(argv) > 1 else CONFIG_DIR
    problems = check_directory(directory)
    for problem in problems:
        print(problem)
    if not problems:
        print(f"policy config valid: {', '.join(sorted(p.name for p in directory.glob('*.json')))}")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
