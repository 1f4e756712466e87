#!/usr/bin/env python
"""Django's usual entry point; `unseen` (the console script) does the same."""

from unseen.cli import main

if __name__ == "__main__":
    main()
