"""Usage: python tools/add_translations.py DOMAIN < tsv (msgid<TAB>msgstr). Adds/updates entries in the zh_CN catalogue fieldservice/translations/zh/LC_MESSAGES/<DOMAIN>.po."""
import sys
from pathlib import Path
from babel.messages.pofile import read_po, write_po
from babel.messages.catalog import Catalog
domain = sys.argv[1]
path = Path("fieldservice/translations/zh/LC_MESSAGES") / f"{domain}.po"
if path.exists():
    with path.open("rb") as f:
        cat = read_po(f, locale="zh_CN")
else:
    cat = Catalog(locale="zh_CN", project="fieldservice", charset="utf-8")
for line in sys.stdin.read().splitlines():
    if not line.strip():
        continue
    msgid, msgstr = line.split("\t")
    if msgid in cat:
        cat[msgid].string = msgstr
        cat[msgid].flags.discard("fuzzy")
    else:
        cat.add(msgid, msgstr)
with path.open("wb") as f:
    write_po(f, cat, omit_header=False, sort_output=True, width=120)
