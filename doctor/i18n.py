"""User-facing text in English or Traditional Chinese.

The English template is the message id: code writes ``tr("Container {name} is not running",
name=...)`` and the catalog of the current language maps that template to its translation.
"""

from __future__ import annotations

import os
from collections.abc import Mapping

LANGUAGES = ("en", "zh-TW")
_language = "en"


def _catalog(language: str) -> Mapping[str, str]:
    if language == "zh-TW":
        from doctor.locale.zh_tw import CATALOG

        return CATALOG
    return {}


def detect_language(environ: Mapping[str, str] | None = None) -> str:
    """The language the locale asks for: zh-TW for zh_TW / zh_Hant locales, else English."""
    env = os.environ if environ is None else environ
    for name in ("LC_ALL", "LC_MESSAGES", "LANG"):
        value = env.get(name, "")
        if value:
            return "zh-TW" if value.startswith(("zh_TW", "zh_Hant", "zh-TW", "zh-Hant")) else "en"
    return "en"


def set_language(language: str) -> None:
    """Select the language of every later ``tr`` call."""
    global _language
    if language not in LANGUAGES:
        raise ValueError(f"unknown language {language!r}")
    _language = language


def tr(template: str, /, **params: object) -> str:
    """Translate ``template`` into the current language and fill in ``params``."""
    text = _catalog(_language).get(template, template)
    return text.format(**params) if params else text


def ntr(count: int, one: str, many: str, /, **params: object) -> str:
    """``tr`` of ``one`` when ``count`` is 1, else of ``many``; ``count`` is a parameter too."""
    return tr(one if count == 1 else many, count=count, **params)


def sentences(*parts: str) -> str:
    """Translated sentences as one text: a space between them, none after a full-width
    stop (``。``, ``！``, ``？``), as Chinese writes them."""
    text = ""
    for part in parts:
        text += part if not text or text.endswith(("。", "！", "？")) else " " + part
    return text
