"""Compile gettext catalogues (.po → .mo) in pure Python.

A fresh machine has Python but may lack GNU gettext's ``msgfmt``, which
Django's ``compilemessages`` needs; this does the same job so ``make run`` and
``make test`` need nothing else. Handles msgctxt, plurals and fuzzy entries
(skipped, as msgfmt does). Usage: ``python -m accountability.compile_messages locale */locale`` (the
project's catalogue and each app's own, which Django finds in the app's ``locale/``).
"""

from __future__ import annotations

import ast
import struct
import sys
from pathlib import Path


def parse_po(text: str) -> dict[bytes, bytes]:
    """Map each (context, id[, plural]) key to its translation, as GNU msgfmt would."""
    entries: list[dict[str, list[str]]] = []
    entry: dict[str, list[str]] = {}
    pending_flags = ""
    current: str | None = None
    for raw in text.splitlines():
        line = raw.strip()
        if line.startswith("#,"):
            pending_flags += line
            continue
        if not line or line.startswith("#"):
            continue
        if line.startswith('"'):
            if current is not None:
                entry[current].append(ast.literal_eval(line))
            continue
        keyword, _, rest = line.partition(" ")
        starts_entry = keyword in ("msgctxt", "msgid") and any(k.startswith("msgstr") for k in entry)
        if starts_entry or not entry:
            if entry:
                entries.append(entry)
            entry = {"flags": [pending_flags]}
            pending_flags = ""
        current = keyword
        entry[current] = [ast.literal_eval(rest)]
    if entry:
        entries.append(entry)

    messages: dict[bytes, bytes] = {}
    for item in entries:
        if "msgid" not in item or "fuzzy" in item["flags"][0]:
            continue
        msgid = "".join(item["msgid"])
        key = ("".join(item["msgctxt"]) + "\x04" if "msgctxt" in item else "") + msgid
        if "msgid_plural" in item:
            key += "\x00" + "".join(item["msgid_plural"])
            forms = sorted(k for k in item if k.startswith("msgstr["))
            value = "\x00".join("".join(item[k]) for k in forms)
        else:
            value = "".join(item.get("msgstr", []))
        if value.replace("\x00", "") or msgid == "":
            messages[key.encode()] = value.encode()
    return messages


def write_mo(messages: dict[bytes, bytes], path: Path) -> None:
    keys = sorted(messages)
    ids = b""
    strs = b""
    offsets = []
    for key in keys:
        offsets.append((len(ids), len(key), len(strs), len(messages[key])))
        ids += key + b"\x00"
        strs += messages[key] + b"\x00"
    count = len(keys)
    key_start = 7 * 4 + 16 * count
    value_start = key_start + len(ids)
    key_table: list[int] = []
    value_table: list[int] = []
    for id_offset, id_len, str_offset, str_len in offsets:
        key_table += [id_len, key_start + id_offset]
        value_table += [str_len, value_start + str_offset]
    header = struct.pack("Iiiiiii", 0x950412DE, 0, count, 7 * 4, 7 * 4 + count * 8, 0, 0)
    path.write_bytes(
        header
        + struct.pack(f"{len(key_table)}i", *key_table)
        + struct.pack(f"{len(value_table)}i", *value_table)
        + ids
        + strs
    )


def main(*roots: str) -> int:
    for root in roots:
        for po in sorted(Path(root).rglob("*.po")):
            mo = po.with_suffix(".mo")
            write_mo(parse_po(po.read_text(encoding="utf-8")), mo)
            print(f"compiled {po} -> {mo}")
    return 0


if __name__ == "__main__":
    sys.exit(main(*(sys.argv[1:] or ["locale"])))
