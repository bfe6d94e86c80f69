"""Our two pipeline steps on real Rasa messages and real model storage: the lexical vote
(trained, stored with skops, loaded back, blended into DIET's and the selector's
rankings) and the program scope of terms answers."""

from __future__ import annotations

import pytest
from rasa.engine.graph import ExecutionContext, GraphSchema
from rasa.engine.storage.local_model_storage import LocalModelStorage
from rasa.engine.storage.resource import Resource
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from bot.channels.nlu_language import LanguageOfMessage
from bot.channels.nlu_scope import TermsQuestionScope
from bot.channels.nlu_vote import LexicalVote

TRAINING = {
    "greet": ["hello", "hi there", "good morning", "hey"],
    "faq/pts_expiry": ["do mi points expire", "when do my points run out", "points expiry"],
    "faq/war_screen": ["is the screen repair free", "free screen fix", "screen warranty"],
}


def _training_data() -> TrainingData:
    messages = []
    for label, texts in TRAINING.items():
        for text in texts:
            data = {"text": text, "intent": label.split("/")[0]}
            if "/" in label:
                data["intent_response_key"] = label
            messages.append(Message(data=data))
    return TrainingData(messages)


def _context() -> ExecutionContext:
    return ExecutionContext(GraphSchema({}), "test")


def _diet_says(text: str, intent: str, topic: str) -> Message:
    """A message as DIET and the response selector leave it: confident and wrong."""
    message = Message(data={"text": text})
    message.set("intent", {"name": intent, "confidence": 0.9}, add_to_output=True)
    message.set(
        "intent_ranking",
        [{"name": intent, "confidence": 0.9}, {"name": "faq", "confidence": 0.1}],
        add_to_output=True,
    )
    message.set(
        "response_selector",
        {
            "faq": {
                "response": {
                    "intent_response_key": topic,
                    "utter_action": f"utter_{topic}",
                    "confidence": 0.9,
                    "responses": [{"text": "canned"}],
                },
                "ranking": [{"intent_response_key": topic, "confidence": 0.9}],
            }
        },
        add_to_output=True,
    )
    return message


@pytest.fixture
def trained_vote(tmp_path):
    storage = LocalModelStorage(tmp_path)
    resource = Resource("vote")
    vote = LexicalVote.create({"weight": 0.7}, storage, resource, _context())
    vote.train(_training_data())
    return LexicalVote.load({"weight": 0.7}, storage, resource, _context())


def test_a_stored_vote_loads_back_and_outvotes_a_confident_wrong_pick(trained_vote):
    assert trained_vote.pipeline is not None
    [message] = trained_vote.process([_diet_says("do my points expire", "greet", "faq/war_screen")])
    assert message.get("intent")["name"] == "faq"
    picked = message.get("response_selector")["faq"]["response"]
    assert picked["intent_response_key"] == "faq/pts_expiry"
    assert picked["utter_action"] == "utter_faq/pts_expiry"
    assert picked["responses"] == []  # not the other topic's canned text
    ranking = message.get("intent_ranking")
    assert ranking == sorted(ranking, key=lambda i: -i["confidence"])


def test_without_a_response_selector_the_vote_picks_the_topic(trained_vote):
    """A pipeline without a ResponseSelector: the vote writes Rasa's selector output."""
    message = Message(data={"text": "is the screen repair free"})
    message.set("intent", {"name": "greet", "confidence": 0.6}, add_to_output=True)
    message.set("intent_ranking", [{"name": "greet", "confidence": 0.6}], add_to_output=True)
    [message] = trained_vote.process([message])
    selector = message.get("response_selector")
    assert selector["all_retrieval_intents"] == ["faq"]
    picked = selector["faq"]["response"]
    assert picked["intent_response_key"] == "faq/war_screen"
    assert picked["utter_action"] == "utter_faq/war_screen"
    ranking = selector["faq"]["ranking"]
    assert [r["intent_response_key"] for r in ranking][:1] == ["faq/war_screen"]
    assert abs(sum(r["confidence"] for r in ranking) - 1.0) < 1e-6  # the topics' shares
    assert picked["confidence"] == ranking[0]["confidence"]


def test_a_stored_vote_keeps_no_pruned_ngrams_and_still_answers(tmp_path):
    """min_df drops n-grams seen once; the vectorizers' list of them is not stored."""
    storage, resource = LocalModelStorage(tmp_path), Resource("vote")
    config = {"weight": 0.7, "min_df": 2}
    LexicalVote.create(config, storage, resource, _context()).train(_training_data())
    vote = LexicalVote.load(config, storage, resource, _context())
    vectorizers = [
        part
        for part in vote.pipeline.get_params(deep=True).values()
        if hasattr(part, "vocabulary_")
    ]
    assert len(vectorizers) == 2
    assert not any(hasattr(part, "stop_words_") for part in vectorizers)
    assert "screen" in vectorizers[0].vocabulary_ and "fix" not in vectorizers[0].vocabulary_
    [message] = vote.process([_diet_says("do my points expire", "greet", "faq/war_screen")])
    assert message.get("response_selector")["faq"]["response"]["intent_response_key"] == (
        "faq/pts_expiry"
    )


def test_with_weight_zero_the_vote_changes_nothing(tmp_path):
    storage = LocalModelStorage(tmp_path)
    vote = LexicalVote.create({"weight": 0.0}, storage, Resource("v"), _context())
    vote.train(_training_data())
    [message] = vote.process([_diet_says("do my points expire", "greet", "faq/war_screen")])
    assert message.get("intent")["name"] == "greet"
    assert message.get("response_selector")["faq"]["response"]["intent_response_key"] == (
        "faq/war_screen"
    )


def test_a_stored_vote_holding_unexpected_types_is_not_loaded(tmp_path):
    import skops.io as sio

    storage = LocalModelStorage(tmp_path)
    resource = Resource("vote")
    with storage.write_to(resource) as directory:
        sio.dump({"x": __import__("collections").OrderedDict()}, directory / "vote.skops")
    vote = LexicalVote.load({}, storage, resource, _context())
    assert vote.pipeline is None
    [message] = vote.process([_diet_says("hello", "greet", "faq/war_screen")])
    assert message.get("intent")["name"] == "greet"  # DIET decides alone


def test_the_scope_step_answers_with_the_named_programs_topic(tmp_path):
    scope = TermsQuestionScope.create({}, LocalModelStorage(tmp_path), Resource("s"), _context())
    message = _diet_says("when do my mi points arrive", "faq", "faq/war_free_labour")
    message.get("response_selector")["faq"]["ranking"] = [
        {"intent_response_key": "faq/war_free_labour", "confidence": 0.6},
        {"intent_response_key": "faq/pts_credit_time", "confidence": 0.3},
    ]
    [message] = scope.process([message])
    picked = message.get("response_selector")["faq"]["response"]
    assert picked["intent_response_key"] == "faq/pts_credit_time"
    assert picked["utter_action"] == "utter_faq/pts_credit_time"
    assert message.get("scope") == {"topic_from": "faq/war_free_labour"}


def test_the_scope_step_reads_a_clear_question_as_the_terms_question(tmp_path):
    scope = TermsQuestionScope.create({}, LocalModelStorage(tmp_path), Resource("s"), _context())
    message = _diet_says(
        "can i give my 10% coupon to my brother?", "redeem_coupon", "faq/red_transferable"
    )
    [message] = scope.process([message])
    assert message.get("intent")["name"] == "faq"
    assert message.get("scope") == {"intent_from": "redeem_coupon"}
    request = _diet_says("I want to redeem my coupon", "redeem_coupon", "faq/red_transferable")
    [request] = scope.process([request])
    assert request.get("intent")["name"] == "redeem_coupon"
    assert request.get("scope") is None


LANGUAGE_TRAINING = {
    "en": ["how many points do i have", "when do my points expire", "talk to a person"],
    "es": ["cuántos puntos tengo", "cuándo caducan mis puntos", "quiero hablar con alguien"],
    "fr": ["combien de points j'ai", "quand expirent mes points", "parler à un conseiller"],
}


@pytest.fixture
def trained_language(tmp_path):
    messages = [
        Message(data={"text": text, "intent": "faq", "metadata": {"intent": {"language": code}}})
        for code, texts in LANGUAGE_TRAINING.items()
        for text in texts
    ]
    storage, resource = LocalModelStorage(tmp_path), Resource("language")
    step = LanguageOfMessage.create({}, storage, resource, _context())
    step.train(TrainingData(messages))
    return LanguageOfMessage.load({}, storage, resource, _context())


def _language_entities(message: Message) -> list[dict]:
    return [e for e in message.get("entities") or [] if e["entity"] == "language"]


def test_the_language_step_names_the_language_of_a_clear_message(trained_language):
    assert trained_language.pipeline is not None  # trained on the intents' language labels
    [message] = trained_language.process([_diet_says("cuándo caducan mis puntos", "faq", "x")])
    [entity] = _language_entities(message)
    assert (entity["value"], entity["start"], entity["end"]) == ("es", 0, 0)


def test_a_short_message_gets_no_language(trained_language):
    [message] = trained_language.process([_diet_says("ok", "affirm", "x")])
    assert _language_entities(message) == []


def test_a_request_for_english_names_english_whatever_it_is_written_in(trained_language):
    message = _diet_says("¿me puedes escribir en inglés?", "choose_language", "x")
    [message] = trained_language.process([message])
    assert [e["value"] for e in _language_entities(message)] == ["en"]
