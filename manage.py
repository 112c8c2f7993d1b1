#!/usr/bin/env python
"""Same entry point as the installed `solidaire` command."""

from solidaire.__main__ import main

if __name__ == "__main__":
    main()
