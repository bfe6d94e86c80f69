"""How a reply is judged: every cited rule ID, outside a form's own question."""

from __future__ import annotations

from tests.answers.ask import Said, judge, load_questions

CONSENT = Said(
    "Before we start (privacy notice) ... (RED-4, RED-11, PRIV-1). Shall we continue?",
    "utter_ask_privacy_consent",
    buttons=2,
)


def test_a_reply_citing_every_rule_passes_even_with_more_rules_and_a_follow_up():
    verdict = judge(["RED-5"], [Said("Yes, it is in Annex I (RED-5, RED-12)."), CONSENT])
    assert verdict.passed and verdict.cited == ("RED-5", "RED-12")  # not the notice's


def test_the_privacy_notice_of_a_form_is_not_an_answer_about_personal_data():
    verdict = judge(["PRIV-1"], [CONSENT], form="redemption_form")
    assert (verdict.passed, verdict.kind, verdict.missing) == (False, "form", ("PRIV-1",))


def test_a_rule_id_is_matched_whole():
    verdict = judge(["RED-1"], [Said("Returned products don't qualify (RED-10).")])
    assert (verdict.passed, verdict.kind, verdict.cited) == (False, "wrong rule", ("RED-10",))


def test_every_cited_rule_is_needed():
    verdict = judge(["WAR-1", "WAR-2"], [Said("Covered for 24 months (WAR-1).")])
    assert (verdict.passed, verdict.kind, verdict.missing) == (False, "partial", ("WAR-2",))


def test_a_menu_or_the_fallback_instead_of_an_answer_fails():
    menu = judge(["PTS-3"], [Said("Which programme do you mean?", "utter_which_program", 4)])
    fallback = judge(["PTS-3"], [Said("Sorry, I didn't get that.", "utter_default")])
    assert (menu.passed, menu.kind) == (False, "menu")
    assert (fallback.passed, fallback.kind) == (False, "fallback")


def test_the_questions_file_cites_known_programs_only():
    questions = load_questions()
    assert len(questions) >= 150
    assert all(q.cite and judge(q.cite, [Said(" ".join(q.cite))]).passed for q in questions)
