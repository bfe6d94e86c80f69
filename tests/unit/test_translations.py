"""Every text a Mi Points member meets is in every language (issue #11): a gap is named
by its key and language, by `python -m bot programs check` and here."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from bot.errors import ProgramDataError
from bot.notify.templates import Templates
from bot.programs.loader import load_programs
from bot.settings import ROOT
from bot.translations import missing_emails, missing_responses, missing_translations

DATA = {"translated": {"responses": ["utter_greet"], "prefixes": ["utter_faq/pts_"]}}


def variation(language: str, text: str) -> dict:
    return {"condition": [{"type": "slot", "name": "language", "value": language}], "text": text}


def test_the_shipped_texts_have_no_gap():
    assert missing_translations(ROOT / "domain.yml", ROOT / "data" / "email") == []


def test_a_response_without_one_language_is_named_with_that_language():
    responses = {
        "utter_greet": [{"text": "Hello"}, variation("es", "Hola"), variation("it", "Ciao")],
        "utter_faq/pts_expiry": [
            {"text": "x"},
            variation("es", "x"),
            variation("fr", "x"),
            variation("it", "x"),
        ],
        "utter_other": [{"text": "not required"}],
    }
    assert missing_responses(responses, DATA) == ["utter_greet: no 'fr' variation"]


def test_a_required_name_that_is_no_response_is_named():
    assert "utter_greet: not a response in domain.yml" in missing_responses({}, DATA)


def test_a_missing_email_is_named_with_its_language(tmp_path: Path):
    for code in ("es", "fr"):
        (tmp_path / code).mkdir()
        (tmp_path / code / "case_callback_opened.txt").write_text("Subject: x\n\ny")
    gaps = missing_emails(tmp_path, {"translated": {"emails": ["case_callback_opened"]}})
    assert gaps == [f"{tmp_path.name}/it/case_callback_opened.txt: missing ('it' email)"]


def test_the_check_command_fails_on_a_gap(tmp_path: Path, monkeypatch):
    domain = yaml.safe_load((ROOT / "domain.yml").read_text(encoding="utf-8"))
    domain["responses"]["utter_greet"] = [{"text": "Hello"}]
    (tmp_path / "domain.yml").write_text(yaml.safe_dump(domain), encoding="utf-8")
    gaps = missing_translations(tmp_path / "domain.yml", ROOT / "data" / "email")
    assert gaps == [f"utter_greet: no {code!r} variation" for code in ("es", "fr", "it")]


def test_a_programs_sentences_come_in_the_language_asked_for():
    points = load_programs(ROOT / "data" / "programs")["PTS"]
    assert points.in_language("es").reasons["PTS-5"].startswith("Los puntos caducan")
    assert points.in_language("en").reasons == points.reasons
    assert points.in_language("de").reasons == points.reasons  # none: English


def test_a_translation_file_missing_a_rule_id_is_refused_naming_both(tmp_path: Path):
    (tmp_path / "programs").mkdir()
    (tmp_path / "programs" / "pts.yml").write_text(
        (ROOT / "data" / "programs" / "pts.yml").read_text(encoding="utf-8"), encoding="utf-8"
    )
    spanish = yaml.safe_load((ROOT / "data/languages/es/pts.yml").read_text(encoding="utf-8"))
    del spanish["reasons"]["PTS-3"]
    (tmp_path / "languages" / "es").mkdir(parents=True)
    (tmp_path / "languages" / "es" / "pts.yml").write_text(
        yaml.safe_dump(spanish, allow_unicode=True), encoding="utf-8"
    )
    with pytest.raises(ProgramDataError, match=r"es/pts\.yml.*PTS-3"):
        load_programs(tmp_path / "programs")


def test_an_email_is_written_in_the_customers_language_when_it_has_one():
    templates = Templates(ROOT / "data" / "email")
    values = {"reference": "RC-1", "due_date": "lunes", "phone": "1", "promoter": "Xiaomi"}
    spanish = templates.in_language("es").render("case_callback_opened", "a@b.c", **values)
    english = templates.render("case_callback_opened", "a@b.c", **values)
    german = templates.in_language("de").render("case_callback_opened", "a@b.c", **values)
    assert spanish.subject != english.subject and "RC-1" in spanish.subject
    assert german.subject == english.subject  # none in German: English
