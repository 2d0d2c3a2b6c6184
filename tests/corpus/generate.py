"""Write the corpus of bad files to a folder: `python -m tests.corpus.generate DIR`.

Each file is named <table>__<name> so that it is clear which table to try it against.
"""

from __future__ import annotations

import sys
from pathlib import Path

from tests.corpus.cases import cases


def main(argv: list[str]) -> int:
    if len(argv) != 1:
        print("usage: python -m tests.corpus.generate DIR", file=sys.stderr)
        return 2
    folder = Path(argv[0])
    folder.mkdir(parents=True, exist_ok=True)
    for case in cases():
        (folder / f"{case.table}__{case.name}").write_bytes(case.data)
    print(f"{len(cases())} files written to {folder}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
