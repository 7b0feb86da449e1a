"""One module per command group. Each has ``register(app)``, adding its commands to the Typer app."""
