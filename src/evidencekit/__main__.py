"""`python -m evidencekit` runs the command-line tool."""

from evidencekit.cli.app import main

if __name__ == "__main__":  # worker processes (started with "spawn") import this module too
    main()
