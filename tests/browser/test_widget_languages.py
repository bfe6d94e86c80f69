"""The widget on a Spanish page (issue #11): its own labels in Spanish, and the
assistant's replies in Spanish from the first greeting, in the real browser against the
real servers."""

from __future__ import annotations

from tests.browser.conftest import Widget
from tests.browser.test_widget import another_site


def test_a_spanish_page_gets_spanish_labels_and_spanish_replies(assistant, new_page, tmp_path):
    page_html = f"""<!doctype html><html lang="es-ES"><meta charset="utf-8"><title>Tienda</title>
        <h1>Nuestra tienda</h1><div id="chat-widget"></div>
        <script src="{assistant.widget_url}static/chat-widget.js"
                data-init-payload="/greet"></script></html>"""
    with another_site(tmp_path, page_html) as shop_url:
        page = new_page("spanish")
        page.goto(shop_url)
        widget = Widget(page, page.url)
        widget.wait_until_connected()
        assert page.get_attribute("#chat-input", "placeholder") == "Escribe un mensaje…"
        assert page.inner_text("#chat-send").strip() == "Enviar"
        assert "promociones" in page.inner_text("#chat-widget .chat-title").lower()
        # the greeting itself, before the customer typed a word, is Spanish
        widget.wait_for_bot("asistente")
        reply = widget.say("¿cuándo caducan mis puntos?", expect="(PTS-5)")
        assert "meses" in reply
        widget.screenshot("spanish-page")
