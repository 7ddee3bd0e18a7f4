"""One module per group of commands; each declares its commands with `cli.app.command`."""
