"""The framing analysis against BASIL's annotated bias spans (../shared/eval/README.md).

- lexical: share of ``lex`` spans with a content word among the words of the
  outlet's loaded-term list for that article (its top 20 entries);
- informational lift: share of ``inf`` spans inside the sentences marked
  "only this outlet", divided by the share of all sentences so marked
  (1.0 = chance). A span is inside when at least half of its characters fall
  in marked sentences; spans not found verbatim in the text are skipped.
Both are pooled over all articles of all events.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from digest.analyze.framing import event_framings, mark_sentences
from digest.analyze.text import content_words, words
from digest.evaluate.common import eval_article, parse_when, read_jsonl


@dataclass(frozen=True)
class FramingScores:
    events: int
    lexical: float  # share of lexical spans covered
    lex_spans: int
    lift: float
    inf_share: float  # share of informational spans in marked sentences
    marked_share: float  # share of sentences marked
    inf_spans: int

    def line(self) -> str:
        return (f"lexical {self.lexical:.4f} ({self.lex_spans} spans)  informational lift {self.lift:.3f} "
                f"(spans inside {self.inf_share:.3f} / sentences marked {self.marked_share:.3f}, "
                f"{self.inf_spans} spans)  {self.events} events")


def _norm(text: str) -> str:
    return " ".join(text.split())


def _offsets(text: str, pieces: list[str]) -> list[tuple[int, int]]:
    out, pos = [], 0
    for piece in pieces:
        piece = _norm(piece)
        start = text.find(piece, pos)
        if start < 0:
            start = text.find(piece)
        out.append((start, start + len(piece)) if start >= 0 else (-1, -1))
        pos = max(pos, start)
    return out


def score(path: Path) -> FramingScores:
    lex_hit = lex_total = inside = spans = marked = total = events = 0
    for event in read_jsonl(path):
        events += 1
        items = event["articles"]
        articles = [eval_article(event["event_id"], i, a, parse_when(a.get("published")))
                    for i, a in enumerate(items)]
        ids = {a.key: f"s{i + 1}" for i, a in enumerate(articles)}
        framings = event_framings(articles, ids, {a.key: a.outlet for a in articles})
        by_source = {sid: f for f in framings for sid in f.sources}
        for i, (article, item) in enumerate(zip(articles, items)):
            framing = by_source.get(ids[article.key])
            listed = {w for term in (framing.loaded_terms if framing else ()) for w in words(term)}
            for span in item.get("lex", []):
                lex_total += 1
                lex_hit += bool(set(content_words(span)) & listed)
            others = [f"{a.title}\n{a.text}" for j, a in enumerate(articles) if j != i]  # as the product does
            marks = mark_sentences(article.text, others)
            text = _norm(article.text)
            offsets = _offsets(text, [m.text for m in marks])
            total += len(marks)
            marked += sum(m.specific for m in marks)
            for span in item.get("inf", []):
                span = _norm(span).strip("“”\"")
                start = text.find(span)
                if start < 0 or not span:
                    continue
                spans += 1
                end = start + len(span)
                cover = sum(max(0, min(b, end) - max(a, start))
                            for (a, b), m in zip(offsets, marks) if m.specific and a >= 0)
                inside += cover >= len(span) / 2
    inf_share = inside / max(spans, 1)
    marked_share = marked / max(total, 1)
    return FramingScores(events, lex_hit / max(lex_total, 1), lex_total,
                         inf_share / marked_share if marked_share else 0.0, inf_share, marked_share, spans)


@dataclass(frozen=True)
class NotesScores:
    events: int
    product: float  # share of events where a framing term appears in AllSides' coverage notes
    control: float  # the same for each outlet's most frequent words (as many as the product lists)

    def line(self) -> str:
        return (f"coverage notes: framing terms named by the editors in {self.product:.3f} of events "
                f"(most-frequent-words control {self.control:.3f}), {self.events} events")


def _stem(word: str) -> str:
    for suffix in ("ing", "ed", "es", "s", "ly"):
        if word.endswith(suffix) and len(word) - len(suffix) >= 4:
            return word[: -len(suffix)]
    return word


def notes_score(path: Path) -> NotesScores:
    """Do the framing terms name what AllSides' editors described in ``coverage_notes``?

    Only note words that not every article of the event uses count (the shared topic is not an angle).
    """
    from collections import Counter

    events = hits = control_hits = 0
    for event in read_jsonl(path):
        notes = " ".join(event.get("coverage_notes") or [])
        if not notes.strip() or len(event.get("articles", [])) < 2:
            continue
        events += 1
        named = {_stem(w) for w in content_words(notes)}
        articles = [eval_article(event["event_id"], i, a, parse_when(event.get("date")))
                    for i, a in enumerate(event["articles"])]
        ids = {a.key: f"s{i + 1}" for i, a in enumerate(articles)}
        framings = event_framings(articles, ids, {a.key: a.outlet for a in articles})
        shared = set.intersection(*({_stem(w) for w in content_words(f"{a.title}\n{a.text}")} for a in articles))
        named -= shared  # the topic every outlet names is not an angle
        ours, control = set(), set()
        for framing in framings:
            terms = list(framing.distinctive_terms) + list(framing.loaded_terms)
            ours.update(_stem(w) for t in terms for w in words(t))
            own = Counter(w for a in articles if ids[a.key] in framing.sources
                          for w in content_words(f"{a.title}\n{a.text}"))
            control.update(_stem(w) for w, _ in own.most_common(len(terms)))
        hits += bool(ours & named)
        control_hits += bool(control & named)
    n = max(events, 1)
    return NotesScores(events, hits / n, control_hits / n)
