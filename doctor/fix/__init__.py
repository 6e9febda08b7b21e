"""Opt-in repairs (``--fix``): the guide's fixes for what the diagnosis found, each shown as
the exact command first, applied only when the user says yes, then checked again."""
