"""Make text from the child safe to show: valid UTF-8, no terminal escapes, capped."""
import re

_ESCAPES = re.compile(r"\x1b(\[[0-?]*[ -/]*[@-~]|\][^\x07\x1b]*(\x07|\x1b\\)?|[@-Z\\-_])")
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f\x80-\x9f]")


def clean(data: bytes | str, limit: int | None = None) -> str:
    """Decode, drop escape sequences and control characters, cap at ``limit`` characters."""
    text = (data if isinstance(data, bytes) else data.encode("utf-8", errors="replace")).decode("utf-8", "replace")
    text = _ESCAPES.sub("", text).replace("\r\n", "\n").replace("\r", "\n")
    text = _CONTROL.sub("\ufffd", text)
    if limit is not None and len(text) > limit:
        text = text[:limit] + f"\n... [{len(text) - limit} more characters not shown]"
    return text


def clean_strings(value, limit: int | None = None):
    """``value`` (plain JSON data) with :func:`clean` applied to every string in it, keys included."""
    if isinstance(value, str):
        return clean(value, limit)
    if isinstance(value, dict):
        return {clean_strings(k, limit): clean_strings(v, limit) for k, v in value.items()}
    if isinstance(value, list):
        return [clean_strings(v, limit) for v in value]
    return value


_NAME_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")


def unprintable(name: str) -> bool:
    """A file name that is not valid UTF-8 (its bytes come back as lone surrogates) or holds control characters."""
    try:
        name.encode("utf-8")
    except UnicodeEncodeError:
        return True
    return _NAME_CONTROL.search(name) is not None
