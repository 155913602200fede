#!/usr/bin/env python
"""Django's usual entry point; the same as `python -m parley`."""

from parley.__main__ import main

if __name__ == "__main__":
    main()
