"""Interoperability: Anki packages, Anki plain text, progress JSON, FSRS optimisation, backups and doctor.

Each module is imported only by the command that needs it; ``optimize`` alone imports torch (through
the fsrs optimizer), and only inside its function.
"""
