"""Summaries shown in lists, the audience gallery and the public results (page and PDF) are plain text: the stored
rich text's markup never shows as "<p>" and entities never as "&amp;"."""

from competition.entries.text import plain_text


def test_markup_becomes_plain_text_and_entities_are_decoded():
    assert plain_text("<p>Ficker Metallbau GmbH &amp; Co. KG entwickelt</p><p>eine Prüfstation.</p>") == (
        "Ficker Metallbau GmbH & Co. KG entwickelt eine Prüfstation.")
    assert plain_text("<ul><li>eins</li><li>zwei</li></ul>") == "eins zwei"
    assert plain_text("Zeile<br>Zeile") == "Zeile Zeile"
    assert plain_text(None) == "" and plain_text("") == ""


def test_hostile_markup_is_removed_not_run():
    text = plain_text('<p>Gut</p><script>alert(1)</script><img src=x onerror=alert(1)>')
    assert "script" not in text and "<img" not in text and text.startswith("Gut")


def test_an_escaped_tag_stays_text_for_the_template_to_escape_again():
    assert plain_text("<p>a &lt;b&gt; c</p>") == "a <b> c"  # Jinja escapes it again when printing
