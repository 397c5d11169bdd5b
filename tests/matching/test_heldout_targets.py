"""The held-out third of the blind evaluation set (tests/data/match_eval_blind.json, split "heldout"),
scored on the API's path (save-time analysis, then ``suggest_offers``). Never tuned on: the vocabulary,
the rules and the calibration saw only the "tune" split and tests/data/match_eval.json.

Issue 12's targets are asserted where they are reached; where they are not, the figure reached is the
floor (see the report for the gap): TARGETS says what was asked, FLOORS what this code holds."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from csr_hub.domain.matching import evaluate, labelled

BLIND = Path(__file__).resolve().parents[1] / "data" / "match_eval_blind.json"
#: a third set (200 needs, 100 offers), written blind and looked at five times in all (aggregates only): before
#: and after the vocabulary grew, after the rules found on the tuning sets, and twice in the generalisation
#: round (midway and at the end); never tuned on. Its floors are what the code reached at the last look.
BLIND3 = BLIND.with_name("match_eval_blind3.json")
FLOORS3 = {
    # the second look of this round (fuzzy finds that edit inside words, negation that never reaches the
    # title, subject and mending facets, 254 item kinds, the refit on five tuning sets): P@1 0.888 -> 0.921,
    # R@5 0.989 -> 0.994, cross language 0.919 against same language 0.922, category split 0.927,
    # right-strong 0.652 -> 0.659, no-answer strong 0.091 -> 0.045
    # 0.921 -> 0.916 on 2026-12-04 (one need; see the right-strong note below)
    "p1": 0.91,
    "r5": 0.99,
    "cross_gap": 0.01,
    "category_split": 0.95,
    # 0.665 -> 0.677 with the refit on seven tuning sets and the bands fitted to the two aims;
    # 0.677 -> 0.632 on 2026-12-04 with the language-neutral words grown 65 -> 92 concepts and the Latin
    # names across scripts (P@1 0.921 -> 0.916, cross language 0.919 -> 0.935, category split 0.927 ->
    # 0.951): the text part of a right answer is lower where a post's circumstances (a theft, a flood, the
    # parents) now count on one side only; 0.632 -> 0.628 on 2026-12-07 with the school level (P@1 0.916 ->
    # 0.921)
    "right_strong": 0.62,
    "no_answer_not_strong": 0.95,
}
TARGETS = {
    "p1": 0.95,
    "r5": 0.99,
    "cross_gap": 0.03,
    "category_split": 0.90,
    "right_strong": 0.80,
    "no_answer_not_strong": 0.90,
}
#: what the code reaches on the held-out third (measured; a regression below these fails)
FLOORS = {
    # 0.924 -> 0.899 at this round's look (two needs; typos 0.714, n=14: the price of fuzzy finds that must
    # edit inside a word); 0.899 -> 0.924 on 2026-12-07 (the school level, the new kinds)
    "p1": 0.92,
    # 0.993 -> 0.981 on 2026-12-04 (one need's second relevant offer left the top 5) with the concepts grown
    "r5": 0.98,
    # reached 0.018; 0.048 on 2026-12-07 as same language rose 0.909 -> 0.939 (P@1 0.899 -> 0.911, cross
    # language 0.891 held) with the transport and travel kinds
    "cross_gap": 0.05,
    "category_split": 0.90,
    # 0.616 before the vocabulary grew 120 -> 230 item kinds (P@1 0.924 -> 0.937); 0.608 -> 0.726 with the
    # facets and the refit (P@1 0.937 -> 0.924, one need); 0.726 -> 0.887 this round (held at the target)
    "right_strong": 0.80,
    "no_answer_not_strong": 0.90,
}


@pytest.fixture(scope="module")
def figures():
    data = json.loads(BLIND.read_text(encoding="utf-8"))
    assert sum(n["split"] == "heldout" for n in data["needs"]) >= 70
    return evaluate.evaluate(data, labelled.ranker(data), split="heldout").as_dict()


def _reached(figures) -> dict[str, float]:
    cal = figures["calibration"]
    return {
        "p1": figures["all"]["p1"],
        "r5": figures["all"]["r5"],
        "cross_gap": figures["same_language"]["p1"] - figures["cross_language"]["p1"],
        "category_split": figures["category_split"]["p1"],
        "right_strong": cal["right_top1_strong_share"],
        "no_answer_not_strong": 1.0 - cal["no_answer_strong_share"],
    }


@pytest.mark.parametrize("name", list(TARGETS))
def test_heldout_figure_holds_its_floor(figures, name):
    got = _reached(figures)[name]
    if name == "cross_gap":
        assert got <= max(FLOORS[name], TARGETS[name]), (name, got)
    else:
        assert got >= min(FLOORS[name], TARGETS[name]) - 1e-9, (name, got)


def test_the_floors_never_claim_more_than_the_targets():
    for name, target in TARGETS.items():
        if name == "cross_gap":
            assert FLOORS[name] >= target
        else:
            assert FLOORS[name] <= target


#: a fourth set (160 needs, 80 offers, 36 nothing serves; 44 % of the answered needs cross languages),
#: written blind this session by a writer given only the categories and the failure classes, and looked at
#: twice (aggregates only): at 1360fb8, before this session's matcher work, and at its end (0fd0ca1);
#: never tuned on. Before -> after: P@1 0.887 -> 0.895, R@5 0.980 -> 0.972, same language 0.971 -> 0.971,
#: cross language 0.778 -> 0.796, category split 0.926, right-strong 0.545 -> 0.649, no-answer strong
#: 0.167 -> 0.139. Its floors are what the code reached; the cross-language gap (0.175) is the class
#: the next round must close. Looked at again (2026-12-03, aggregates only) after this round's vocabulary
#: growth (0.903 / 0.972 / right-strong 0.652) and after the refit on seven tuning sets with the bands
#: fitted to the issue's two aims: P@1 0.911, R@5 0.988, cross 0.833, category split 0.963,
#: right-strong 0.664, no-answer strong 0.139.
BLIND4 = BLIND.with_name("match_eval_blind4.json")
FLOORS4 = {
    # 2026-12-04 (concepts 65 -> 92, equipment outside devices mended or given, the work asked for apart
    # from the item, a refused work building nothing, the Latin names across scripts; refit on the seven
    # tuning sets): P@1 0.911 -> 0.927, R@5 0.988 -> 0.996, cross language 0.833 -> 0.870 (same 0.971),
    # right-strong 0.664 -> 0.704, no-answer strong 0.139 -> 0.111
    "p1": 0.92,
    "r5": 0.99,
    "cross_gap": 0.11,
    "category_split": 0.96,
    # 0.704 -> 0.696 -> 0.678 -> 0.670 on 2026-12-07 with the school level, the new kinds and lodging for
    # teachers (P@1 0.927 held)
    "right_strong": 0.66,
    "no_answer_not_strong": 0.88,
}

#: a fifth set (130 needs, 64 offers, 29 nothing serves; 68 of the 101 answered needs cross languages),
#: written blind on 2026-12-03 by a writer given only the categories and the failure classes, and looked
#: at (aggregates only) at 49e2a7b, before the refit: P@1 0.970, R@5 0.980, cross 0.956 against same
#: 1.000, category split 0.957, right-strong 0.592, no-answer strong 0.138; after the refit: R@5 0.990,
#: the rest unchanged. Never tuned on; its floors are what the code reached.
BLIND5 = BLIND.with_name("match_eval_blind5.json")
FLOORS5 = {
    "p1": 0.97,
    "r5": 0.99,
    "cross_gap": 0.05,
    "category_split": 0.95,
    # 2026-12-04 with the concepts grown: right-strong 0.592 (unchanged), no-answer strong 0.138 -> 0.103
    "right_strong": 0.59,
    "no_answer_not_strong": 0.89,
}

#: a sixth set (136 needs, 68 offers, 45 nothing serves — most of them near misses written to eligibility
#: conditions: pupils or staff only, repair or new build, grid or off-grid, a region served; 37 of the 91
#: answered needs served only in the other language), written blind on 2026-12-03 by a writer given only
#: the categories and the failure classes (its angle: the far north and the deep south, small and border
#: schools, banks, telecoms and retail chains), and looked at once (aggregates only) at 80946d5: P@1 0.901,
#: R@5 0.989, same language 0.944 against cross 0.860, category split 0.871, right-strong 0.732, no-answer
#: strong 0.333. Never tuned on; its floors are what the code reached.
BLIND6 = BLIND.with_name("match_eval_blind6.json")
FLOORS6 = {
    "p1": 0.90,
    "r5": 0.98,
    # 0.084 -> 0.121 on 2026-12-07 as same language rose 0.944 -> 0.981 (P@1 0.901 -> 0.923, category split
    # 0.871 -> 0.935, cross language 0.860 held)
    "cross_gap": 0.13,
    "category_split": 0.87,
    # 0.732 -> 0.707 on 2026-12-04 with the concepts grown (R@5 0.989 held); 0.709 -> 0.698 on 2026-12-07
    # with the languages and migrant children as concepts (one right answer possible, not strong; P@1 held)
    "right_strong": 0.69,
    "no_answer_not_strong": 0.66,
}


#: a seventh set (140 needs, 70 offers, 33 nothing serves; 87 of the 107 answered needs cross languages),
#: written blind on 2026-12-04 by a writer given only the categories and the failure classes (its angle:
#: Isan village and DLTV schools, the Andaman coast and islands, hotels, airlines, rubber, palm oil and sugar,
#: farm machinery, energy and retail groups). Looked at (aggregates only) at 090f59b before this session's
#: matcher work: P@1 0.879, R@5 0.981, cross 0.862 against same 0.950, category split 0.826, right-strong
#: 0.745, no-answer strong 0.091; then four times while the session chose between its changes (README,
#: "Matching"), so it is validation data now, not an untouched test. At the end: P@1 0.888, R@5 0.981,
#: cross 0.874, category split 0.826, right-strong 0.674, no-answer strong 0.061.
BLIND7 = BLIND.with_name("match_eval_blind7.json")
FLOORS7 = {
    "p1": 0.88,
    "r5": 0.98,
    "cross_gap": 0.08,
    "category_split": 0.82,
    "right_strong": 0.67,
    "no_answer_not_strong": 0.93,
}


#: an eighth set (110 needs, 55 offers, 31 nothing serves; 52 of the 79 answered needs cross languages),
#: written blind on 2026-12-04 for the session's last look (its angle: the upper central plains, the west
#: and the east coast, temple and fishing-village schools, a bank, a petrochemical group, a hospital network,
#: Japanese and Chinese factories). Looked at twice (aggregates only), before this session's matcher work
#: (2b81b84) and at its end, nothing chosen on it: P@1 0.949 both times, R@5 0.987, cross 0.923 against
#: same 1.000, category split 0.941, right-strong 0.720 -> 0.733, no-answer strong 0.032 -> 0.065.
BLIND8 = BLIND.with_name("match_eval_blind8.json")
FLOORS8 = {
    # 0.949 -> 0.937 on 2026-12-07 (one need) with the refused works read as negations, a change that
    # raised the held-out sets together by two needs (blind6 +2, blind11 +1)
    "p1": 0.93,
    "r5": 0.98,
    "cross_gap": 0.08,
    "category_split": 0.94,
    "right_strong": 0.73,
    "no_answer_not_strong": 0.93,
}

#: a ninth and a tenth set (130 needs and 60 offers each; 31 and 37 nothing serves; about half of the
#: answered needs cross languages), written blind on 2026-12-07 by helpers given only the categories and
#: the failure classes (their angles: the lower north and the northeast border — extended-opportunity and
#: border schools, a telecom, a sugar mill, a glove maker, a Chinese solar maker; and the upper north —
#: mountain and hill-tribe boarding schools, haze season, a coffee company, a dairy co-operative, a power
#: utility). The writers' quality groups marked the kind of need and were set to "core" before any look.
#: Looked at twice each (aggregates only), at a1684d8 before this session's matcher work and at its end,
#: nothing chosen on them: blind9 P@1 0.929 -> 0.939, no-answer strong 0.194 -> 0.129, right-strong
#: 0.630 -> 0.624; blind10 unchanged (P@1 0.935, R@5 1.000, right-strong 0.747, no-answer strong 0.081).
BLIND9 = BLIND.with_name("match_eval_blind9.json")
FLOORS9 = {
    "p1": 0.93,
    "r5": 0.98,
    "cross_gap": 0.01,
    "category_split": 0.94,
    "right_strong": 0.61,
    "no_answer_not_strong": 0.87,
}
BLIND10 = BLIND.with_name("match_eval_blind10.json")
FLOORS10 = {
    "p1": 0.93,
    "r5": 0.99,
    "cross_gap": 0.01,
    "category_split": 0.99,
    "right_strong": 0.74,
    "no_answer_not_strong": 0.91,
}

#: an eleventh (130 needs, 60 offers, 37 nothing serves), written blind on 2026-12-07 by a helper given only
#: the categories and the failure classes, as one day of a national platform (Bangkok communities, the
#: western border, the lower south, the lower north and Khmer-speaking Isan; a convenience-store chain, a
#: tyre maker, a steel company, clubs). Looked at twice (aggregates only), at 11cec60 before this
#: session's matcher work and after its first batch (P@1 0.946 both times); after the second batch, whose
#: floors on older sets it checked, 0.957 (same-language 0.977 -> 1.000, cross-language 0.920 both times,
#: so the gap widened to 0.080), R@5 0.984, right-strong 0.640, no-answer strong 0.027. Nothing was chosen
#: on it; its cross-language gap and category split (13 needs) are the issue's targets it misses.
BLIND11 = BLIND.with_name("match_eval_blind11.json")
FLOORS11 = {
    "p1": 0.95,
    "r5": 0.98,
    "cross_gap": 0.08,
    "category_split": 0.76,
    "right_strong": 0.62,
    "no_answer_not_strong": 0.97,
}

#: the wholly held-out sets: (file, floors, the needs it has at least)
WHOLE_SETS = {
    "blind3": (BLIND3, FLOORS3, 200),
    "blind4": (BLIND4, FLOORS4, 160),
    "blind5": (BLIND5, FLOORS5, 130),
    "blind6": (BLIND6, FLOORS6, 136),
    "blind7": (BLIND7, FLOORS7, 140),
    "blind8": (BLIND8, FLOORS8, 110),
    "blind9": (BLIND9, FLOORS9, 130),
    "blind10": (BLIND10, FLOORS10, 130),
    "blind11": (BLIND11, FLOORS11, 130),
}
_whole_figures: dict[str, dict] = {}


def _figures_of(set_name: str) -> dict:
    """Each set scored once per test session (its floors are checked one by one)."""
    if set_name not in _whole_figures:
        path, _floors, size = WHOLE_SETS[set_name]
        data = json.loads(path.read_text(encoding="utf-8"))
        assert len(data["needs"]) >= size and {n["split"] for n in data["needs"]} == {"heldout"}
        _whole_figures[set_name] = evaluate.evaluate(data, labelled.ranker(data)).as_dict()
    return _whole_figures[set_name]


@pytest.mark.parametrize(
    "set_name,name", [(s, n) for s, (_path, floors, _size) in WHOLE_SETS.items() for n in floors]
)
def test_each_blind_set_holds_its_floor(set_name, name):
    floor = WHOLE_SETS[set_name][1][name]
    got = _reached(_figures_of(set_name))[name]
    if name == "cross_gap":
        assert got <= floor, (set_name, name, got)
    else:
        assert got >= floor - 1e-9, (set_name, name, got)
