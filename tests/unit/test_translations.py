from fieldservice.i18n import extract_messages, missing_translations


def test_every_user_facing_message_has_a_chinese_translation():
    missing = missing_translations()
    assert not missing, "messages without a zh_CN translation (run `flask --app wsgi missing-translations`):\n" + \
        "\n".join(f"{msgid!r} at {where[0]}" for msgid, where in sorted(missing.items()))


def test_templates_and_code_are_both_scanned_for_messages():
    where = [w for places in extract_messages().values() for w in places]
    assert any(w.startswith("templates/") for w in where)
    assert any(w.startswith("fieldservice/") for w in where)


def test_no_message_is_translated_two_ways_by_different_areas():
    from fieldservice.i18n import conflicting_translations

    conflicts = conflicting_translations()
    assert not conflicts, "\n".join(f"{msgid!r}: {by_domain}" for msgid, by_domain in sorted(conflicts.items()))


def test_lazy_messages_come_from_our_i18n_module_which_escapes_their_variables_on_pages():
    from pathlib import Path

    package = Path(__file__).resolve().parents[2] / "fieldservice"
    direct = [str(path.relative_to(package)) for path in package.rglob("*.py")
              if "from flask_babel import lazy_gettext" in path.read_text(encoding="utf-8")]
    assert not direct, f"import _l from fieldservice.i18n instead of Flask-Babel in: {direct}"
