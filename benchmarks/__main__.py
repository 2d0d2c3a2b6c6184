"""`python -m benchmarks`: the page benchmark (see benchmarks/pages.py, or --help)."""

import sys

from benchmarks.pages import main

sys.exit(main())
