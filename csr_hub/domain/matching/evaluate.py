"""Evaluation of the matcher on a labelled set (the JSON format documented in README, "Matching").

Pure: the caller hands in ``rank(need) -> [(offer_id, score, band), …]`` (best first), built on the
same scoring path the API uses. Figures: P@1 and R@5 (recall of the relevant offers within the top 5,
capped at 5 relevant), per slice, and the calibration of the bands.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable, Iterable

Ranked = list[tuple[int, float, str | None]]


@dataclass
class Slice:
    n: int = 0
    p1: float = 0.0
    r5: float = 0.0

    def add(self, hit1: bool, rec: float) -> None:
        self.n += 1
        self.p1 += hit1
        self.r5 += rec

    def figures(self) -> dict:
        return {
            "n": self.n,
            "p1": self.p1 / self.n if self.n else None,
            "r5": self.r5 / self.n if self.n else None,
        }


@dataclass
class Report:
    answered: Slice = field(default_factory=Slice)
    slices: dict[str, Slice] = field(default_factory=dict)
    right_top1: int = 0
    right_top1_strong: int = 0
    no_answer: int = 0
    no_answer_strong: int = 0
    no_answer_possible: int = 0
    misses: list[tuple] = field(default_factory=list)

    def slice(self, name: str) -> Slice:
        return self.slices.setdefault(name, Slice())

    def as_dict(self) -> dict:
        out = {"all": self.answered.figures()}
        out.update({k: v.figures() for k, v in sorted(self.slices.items())})
        out["calibration"] = {
            "right_top1": self.right_top1,
            "right_top1_strong_share": self.right_top1_strong / self.right_top1 if self.right_top1 else None,
            "no_answer": self.no_answer,
            "no_answer_strong_share": self.no_answer_strong / self.no_answer if self.no_answer else None,
            "no_answer_possible_or_better_share": (
                self.no_answer_possible / self.no_answer if self.no_answer else None
            ),
        }
        return out


def slices_of(need: dict, offers: dict[int, dict]) -> list[str]:
    """The slices a labelled need belongs to (besides "all")."""
    out = ["cross_language" if need.get("crosses_language") else "same_language"]
    rel = need.get("relevant") or []
    tags = list(need.get("slices") or [])
    if rel and rel[0] in offers and offers[rel[0]].get("category") != need.get("category"):
        out.append("category_split")
    out += [t for t in tags if t not in out]
    return out


def evaluate(
    data: dict, rank: Callable[[dict], Ranked], split: str | None = None, needs: Iterable[dict] | None = None
) -> Report:
    offers = {o["id"]: o for o in data["offers"]}
    report = Report()
    for need in needs if needs is not None else data["needs"]:
        if split and need.get("split") != split:
            continue
        ranked = rank(need)
        rel = list(need.get("relevant") or [])
        top_band = ranked[0][2] if ranked else None
        if not rel:
            report.no_answer += 1
            report.no_answer_strong += top_band == "strong"
            report.no_answer_possible += top_band in ("strong", "possible")
            continue
        top5 = [oid for oid, _s, _b in ranked[:5]]
        hit1 = bool(ranked) and ranked[0][0] in rel
        rec = len(set(rel) & set(top5)) / min(len(rel), 5)
        report.answered.add(hit1, rec)
        for name in slices_of(need, offers):
            report.slice(name).add(hit1, rec)
        if hit1:
            report.right_top1 += 1
            report.right_top1_strong += top_band == "strong"
        if not hit1 or rec < 1:
            report.misses.append((need["id"], rel, top5))
    return report


def format_report(report: Report, title: str = "") -> str:
    d = report.as_dict()
    lines = [title] if title else []

    def fig(x):
        return "n/a" if x is None else f"{x:.3f}"

    for name, v in d.items():
        if name == "calibration":
            continue
        lines.append(f"{name:<22} n={v['n']:<4} P@1 {fig(v['p1'])}  R@5 {fig(v['r5'])}")
    c = d["calibration"]
    lines.append(
        f"calibration: right top-1 answers strong {fig(c['right_top1_strong_share'])} "
        f"(of {c['right_top1']}); no-answer needs with a strong suggestion "
        f"{fig(c['no_answer_strong_share'])} (of {c['no_answer']}), possible or better "
        f"{fig(c['no_answer_possible_or_better_share'])}"
    )
    return "\n".join(lines)
