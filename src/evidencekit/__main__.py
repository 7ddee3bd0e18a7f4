"""`python -m evidencekit` runs the command-line tool.

Through `evidencekit.cli.main`, like the console script, so Ctrl-C while the interface is still
being imported ends calmly there too; and worker processes (started with "spawn", they import this
module as well) do not import Typer and Rich for nothing.
"""

from evidencekit.cli import main

if __name__ == "__main__":
    main()
