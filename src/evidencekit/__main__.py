"""`python -m evidencekit` runs the command-line tool."""

from evidencekit.cli.app import main

main()
