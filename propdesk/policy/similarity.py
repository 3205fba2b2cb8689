"""Which owners' texts say the same thing (RV-7): plain Python, no Django, no heavy dependency.

Chinese has no spaces between words, so a text is compared by its characters: the set of its
single characters and of its character bigrams (电梯停运 → 电 梯 停 运 电梯 梯停 停运), without
punctuation, digits, Latin letters and a few function characters (的 了 又 …). Two texts are
similar when the cosine of those sets reaches a threshold. Texts are grouped by single linkage
(a text joins a group if it is similar to any text already in it), then a group is proposed
when enough distinct households wrote it.
"""

from __future__ import annotations

import math
import unicodedata
from collections.abc import Hashable, Sequence
from dataclasses import dataclass

# Characters that carry no topic: particles, adverbs of frequency, pronouns, politeness.
STOP_CHARS = frozenset("的了又很也都还在是有我们你他她它吗呢吧啊呀哦嘛就再请给把被让老总常经")


def features(text: str) -> frozenset[str]:
    """The character unigrams and bigrams of ``text``, without punctuation, digits, Latin
    letters and STOP_CHARS; bigrams only join characters that were adjacent in a run."""
    runs: list[str] = []
    current: list[str] = []
    for ch in text:
        cat = unicodedata.category(ch)
        keep = cat.startswith("L") and not ch.isascii() and ch not in STOP_CHARS
        if keep:
            current.append(ch)
        elif ch in STOP_CHARS:
            continue  # 电梯又坏了 reads as 电梯坏: a particle does not break the phrase
        elif current:
            runs.append("".join(current))
            current = []
    if current:
        runs.append("".join(current))
    out: set[str] = set()
    for run in runs:
        out.update(run)
        out.update(run[i : i + 2] for i in range(len(run) - 1))
    return frozenset(out)


def similarity(a: frozenset[str], b: frozenset[str]) -> float:
    """Cosine of two feature sets (0 to 1); 0 if either is empty."""
    if not a or not b:
        return 0.0
    return len(a & b) / math.sqrt(len(a) * len(b))


def text_similarity(a: str, b: str) -> float:
    return similarity(features(a), features(b))


@dataclass(frozen=True)
class Text:
    """One text to group: its key (an item or an order), who wrote it, and where."""

    key: Hashable
    household: Hashable
    place: Hashable  # a building, or an area as written
    text: str


@dataclass(frozen=True)
class Group:
    place: Hashable
    keys: tuple[Hashable, ...]
    households: frozenset[Hashable]
    texts: tuple[str, ...]


def _root(parent: list[int], i: int) -> int:
    """Union-find: the representative of ``i``'s group (halving the path on the way)."""
    while parent[i] != i:
        parent[i] = parent[parent[i]]
        i = parent[i]
    return i


def group_similar(texts: Sequence[Text], *, threshold: float, min_households: int) -> list[Group]:
    """Groups of similar texts from the same place written by at least ``min_households``
    distinct households, largest first. Quadratic in the texts of one place: meant for one
    community's last weeks (hundreds of texts), not for a whole history."""
    by_place: dict[Hashable, list[tuple[Text, frozenset[str]]]] = {}
    for t in texts:
        by_place.setdefault(t.place, []).append((t, features(t.text)))
    groups: list[Group] = []
    for place, rows in by_place.items():
        parent = list(range(len(rows)))
        for i in range(len(rows)):
            for j in range(i + 1, len(rows)):
                if similarity(rows[i][1], rows[j][1]) >= threshold:
                    parent[_root(parent, i)] = _root(parent, j)
        clusters: dict[int, list[Text]] = {}
        for i, (t, _f) in enumerate(rows):
            clusters.setdefault(_root(parent, i), []).append(t)
        for members in clusters.values():
            households = frozenset(m.household for m in members)
            if len(households) >= min_households:
                groups.append(
                    Group(
                        place=place,
                        keys=tuple(m.key for m in members),
                        households=households,
                        texts=tuple(m.text for m in members),
                    )
                )
    groups.sort(key=lambda g: (-len(g.households), str(g.place)))
    return groups
