"""Bad upload files (see cases.py); `python -m tests.corpus.generate DIR` writes them out."""
