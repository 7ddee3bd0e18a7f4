"""The command-line interface: the only part of evidencekit that prints, prompts or exits."""
