"""Fixture tests for reader-visible defects found in the sample briefing (pure analysis functions)."""

from __future__ import annotations

import datetime as dt

from digest.analyze.quotes import extract_quotes
from digest.model import Article

NOW = dt.datetime(2024, 5, 1, tzinfo=dt.timezone.utc)


def _article(key: str, outlet: str, text: str, title: str = "Deal") -> Article:
    return Article(key=key, feed="f", outlet=outlet, title=title, text=text, published=NOW, fetched=NOW,
                   content_hash=key)


def test_a_quotation_starting_mid_sentence_is_not_shown() -> None:
    text = ("The ministry's priority is the harbour deal, “and it would do pretty much anything to get that done,” "
            "said Omar Haddad, head of the port authority.\n\n"
            "“We will not sign anything until the unions have had their say,” Haddad said.\n\n"
            "The plan was, in his words, “a compromise nobody in the port really wanted,” said Haddad.")
    quotes = extract_quotes([_article("a", "A", text)], {"a": "s1"})
    shown = [q.text for q in quotes]
    assert any(t.startswith("We will not sign") for t in shown)
    assert not any(t.startswith("and it would") for t in shown)  # a lower-case connective: a fragment
    assert any(t.startswith("a compromise nobody") for t in shown)  # a partial quote that reads on its own stays


def test_a_sentence_whose_subject_is_an_unresolved_pronoun_is_not_shown_standalone() -> None:
    from collections import Counter

    from digest.analyze.framing import outlet_framing
    from digest.analyze.questions import open_questions
    from digest.analyze.text import content_words

    own = _article("a", "A", "The army said it had tracked the launch of two missiles from the east coast.\n"
                   "He didn’t elaborate how the military obtained the information about the launch.\n"
                   "Officials did not immediately confirm the range of the missiles over the sea.\n"
                   "She described the harbour flotilla as purple hovercraft carrying lanterns northwards.")
    other = _article("b", "B", "The launch of two missiles was tracked from the coast, the army said on Monday.")
    questions = [c.text for c in open_questions([own, other], {"a": "s1", "b": "s2"})]
    assert any(t.startswith("Officials did not immediately confirm") for t in questions)
    assert not any(t.startswith("He didn") for t in questions)  # "He": who? not shown on its own
    rest = Counter(content_words(other.text))
    framing = outlet_framing("A", [own], rest, {"a": "s1", "b": "s2"}, rest + Counter(content_words(own.text)))
    shown = [c.text for c in framing.unique_claims + framing.context_added]
    assert shown and not any(t.startswith(("He ", "She ")) for t in shown)


def test_distinctive_wording_leaves_out_name_parts_fillers_and_keeps_accented_words_whole() -> None:
    from digest.analyze.framing import event_framings
    from digest.analyze.text import words

    assert words("Guzmán met Zürich officials") == ["guzmán", "met", "zürich", "officials"]
    own = ("Prime Minister Vladimir Oranov met Kim Jong Un amid the storm, three days ago. "
           "The talks with Vladimir Oranov and Kim Jong Un were secretive, the envoys said, as well as tense.\n"
           "Oranov and Kim Jong Un held secretive talks amid rain; the secretive meeting ran well into the night, "
           "three hours as well.\nMrs Guzmán called the secretive summit a show. Guzmán said it was a show.")
    other = ("The two leaders met in the port city on Tuesday for talks on trade and fishing rights.\n"
             "The talks covered trade and fishing, officials said after the meeting ended.")
    arts = [_article("a", "A", "\n".join([own] * 4), "Oranov meets Kim"),
            _article("b", "B", "\n".join([other] * 4), "Leaders meet for talks")]
    framing = next(f for f in event_framings(arts, {"a": "s1", "b": "s2"}, {}) if f.outlet == "A")
    terms = set(framing.distinctive_terms)
    assert "secretive" in terms  # the outlet's own wording
    assert not terms & {"vladimir", "jong", "un", "kim", "oranov", "guzmán", "guzm"}  # parts of names
    assert not terms & {"amid", "ago", "well", "three"}  # filler and number words


def test_neutral_reporting_verbs_and_literal_words_are_not_loaded() -> None:
    from digest.analyze.framing import loaded_hits

    neutral = ("The minister vowed to rebuild, pledged aid and admitted delays; officials warned of more rain. "
               "He travelled by rail, claims the ministry, which apparently acknowledged the attack on the dam.")
    assert not loaded_hits(neutral)
    assert set(loaded_hits("The brazen propaganda slammed the pariah state.")) >= {
        "brazen", "propaganda", "slammed", "pariah"}


def test_a_fact_cited_by_several_articles_of_one_origin_names_that_origin() -> None:
    import dataclasses
    import sys
    from pathlib import Path

    sys.path.insert(0, str(Path(__file__).parent))
    from test_render import make_briefing

    from digest.analyze.summary import summarize_event
    from digest.render import briefing_from_json, briefing_to_json, render_html

    wire = "The port authority said on Monday that the harbour will reopen to cargo ships after repairs to the pier."
    arts = [_article("a", "Daily Courier", wire), _article("b", "Evening Post", wire),
            _article("c", "Harbour News", "Dock workers met the port authority about the harbour repairs today.")]
    facts = summarize_event(arts, {"a": "s2", "b": "s3", "c": "s4"},
                            {"a": "Associated Press", "b": "Associated Press"}, now=NOW).facts
    top = next(f for f in facts if f.text == wire)
    assert top.sources == ("s2", "s3") and top.support == 1 and top.origins == ("Associated Press",)

    briefing = make_briefing()
    talks = briefing.events[0]
    fact = dataclasses.replace(talks.facts[0], support=1, origins=("Associated Press",))
    briefing = dataclasses.replace(briefing, events=(dataclasses.replace(talks, facts=(fact,) + talks.facts[1:]),)
                                   + briefing.events[1:])
    html = render_html(briefing)
    assert '<span class="single-source">one source: Associated Press</span>' in html
    assert '<span class="single-source">single source</span>' in html  # one article, one source: as before
    data = briefing_to_json(briefing)
    assert data["events"][0]["facts"][0]["origins"] == ["Associated Press"]
    assert briefing_from_json(data) == briefing
    del data["events"][0]["facts"][0]["origins"]  # an edition written before the field still loads
    assert briefing_from_json(data).events[0].facts[0].origins == ()


def test_the_summary_line_adds_a_cited_sentence_instead_of_repeating_the_top_fact() -> None:
    from digest.analyze.summary import summarize_event

    texts = [
        "Storm Ada flooded the coastal town of Merrow on Monday and forced thousands of residents to leave.\n"
        "The town council opened three shelters in schools on the hills above the harbour district.",
        "Thousands of residents left Merrow on Monday after Storm Ada flooded the coastal town overnight.\n"
        "Engineers said the sea wall, built in 1962, had failed along a stretch of two hundred metres.",
        "Storm Ada flooded Merrow on Monday, and thousands of residents were forced from their homes.\n"
        "Insurers expect claims from the flooding in Merrow to pass forty million pounds this year.",
    ]
    arts = [_article(f"k{i}", f"O{i}", t, "Storm floods Merrow") for i, t in enumerate(texts)]
    ids = {f"k{i}": f"s{i + 1}" for i in range(3)}
    result = summarize_event(arts, ids, {}, max_facts=2, now=NOW)
    assert result.facts and result.summary
    assert result.summary not in {f.text for f in result.facts}  # never a fact repeated word for word
    assert result.summary_sources and set(result.summary_sources) <= set(ids.values())
    assert any(result.summary in t for t, sid in zip(texts, ids.values()) if sid in result.summary_sources)
    few = summarize_event(arts[:1], {"k0": "s1"}, {}, max_facts=6, now=NOW)
    assert few.summary == "" and few.summary_sources == ()  # nothing left to add: no summary line


def test_the_summary_paragraph_is_shown_only_with_its_citations() -> None:
    import dataclasses
    import sys
    from pathlib import Path

    sys.path.insert(0, str(Path(__file__).parent))
    from test_render import make_briefing

    from digest.render import briefing_from_json, briefing_to_json, render_html

    briefing = make_briefing()
    talks = briefing.events[0]
    assert f'<p class="summary">{talks.summary}' not in render_html(briefing)  # uncited: not shown
    cited = dataclasses.replace(talks, summary_sources=("s2",))
    briefing = dataclasses.replace(briefing, events=(cited,) + briefing.events[1:])
    html = render_html(briefing)
    assert f'<p class="summary">{talks.summary}' in html and 'href="#src-s2"' in html.split(talks.summary)[1][:300]
    assert briefing_from_json(briefing_to_json(briefing)) == briefing


def test_coverage_chart_counts_the_outlets_it_cannot_draw_and_ends_at_the_last_article() -> None:
    import dataclasses
    import sys
    from pathlib import Path

    sys.path.insert(0, str(Path(__file__).parent))
    from test_render import make_briefing

    from digest.model import Event, SourceRef
    from digest.render import render_html
    from digest.render.coverage import MAX_ROWS, coverage_chart

    start = dt.datetime(2023, 9, 14, 8, 0, tzinfo=dt.timezone.utc)
    refs = [SourceRef(f"s{i + 1}", f"Outlet {chr(65 + i)}", "Storm", start + dt.timedelta(minutes=37 * i))
            for i in range(MAX_ROWS + 3)]
    event = Event("ev-x", "new", "Storm", "", refs[0].published, refs[-1].published,
                  tuple(r.id for r in refs), len(refs), len(refs))
    chart = coverage_chart(event, {r.id: r for r in refs})
    assert chart is not None and len(chart.rows) == MAX_ROWS and chart.more_outlets == 3
    assert "and 3 more outlets (3 articles)" in chart.description
    last = refs[-1].published  # 14:10, inside a bucket that ends later
    assert chart.ticks[-1].label == f"{last:%H:%M}" == "14:10"
    assert chart.axis_y > chart.more_y > chart.rows[-1].y  # the note sits between the rows and the axis

    briefing = make_briefing()
    briefing = dataclasses.replace(briefing, sources=tuple(refs), events=(event,), feed_health=())
    assert "+3 more outlets" in render_html(briefing)


def test_dark_mode_gives_every_fixed_grey_text_a_readable_colour() -> None:
    """Text given a fixed colour for the light page (e.g. the syndication notes' #555) is re-coloured in
    dark mode to one with WCAG AA contrast on the dark paper."""
    import re

    from digest.render import default_templates_dir

    def luminance(colour: str) -> float:
        rgb = [int(colour[i:i + 2], 16) / 255 for i in (1, 3, 5)]
        lin = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in rgb]
        return 0.2126 * lin[0] + 0.7152 * lin[1] + 0.0722 * lin[2]

    css = (default_templates_dir() / "briefing.css").read_text(encoding="utf-8")
    dark_at = [m.end() for m in re.finditer(r"prefers-color-scheme:\s*dark\)\s*\{", css)]
    dark_text = "".join(css[at:css.index("\n  }\n", at)] for at in dark_at)
    variables = dict(re.findall(r"--([a-z-]+):\s*(#[0-9a-fA-F]{6})", dark_text))
    paper = variables["paper"]
    for selector in ("ul.syndication", ".syndication-origin"):
        rule = re.search(re.escape(selector) + r"[^{]*\{[^}]*?(?<![-\w])color:\s*([^;}]+)", dark_text)
        assert rule, f"no dark-mode colour for {selector}"
        value = rule.group(1).strip()
        colour = variables[value[6:-1]] if value.startswith("var(--") else value
        la, lb = sorted((luminance(colour), luminance(paper)), reverse=True)
        assert (la + 0.05) / (lb + 0.05) >= 4.5, (selector, colour, paper)
