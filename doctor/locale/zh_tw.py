"""Traditional Chinese catalog: English template -> translation, in the guide's own wording."""

CATALOG: dict[str, str] = {}
