"""The matcher's commands beside ``match run``: ``match evaluate``, ``match calibrate`` and
``vocabulary export`` (registered by ``cli.init_app``)."""

from __future__ import annotations

import json
import shlex
import sys
from pathlib import Path

import click
from flask.cli import with_appcontext

from csr_hub.extensions import db

DEFAULT_SET = "tests/data/match_eval.json"
CALIBRATION_FILE = Path(__file__).resolve().parent / "data" / "calibration.json"
VOCABULARY_FILE = Path(__file__).resolve().parent / "data" / "vocabulary.json"


def _load(spec: str) -> tuple[dict, str | None, str]:
    """``FILE`` or ``FILE:SPLIT`` → (data, split, file)."""
    path, split = spec, None
    if ":" in spec and not Path(spec).exists():
        path, split = spec.rsplit(":", 1)
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise click.BadParameter(f"cannot read {path}: {exc}", param_hint="--set") from None
    if (
        not isinstance(data, dict)
        or not isinstance(data.get("needs"), list)
        or not isinstance(data.get("offers"), list)
    ):
        raise click.BadParameter(f"{path} is not a labelled set (needs and offers lists)", param_hint="--set")
    return data, split or None, path


def _install_terms() -> None:
    """Score with the terms central officers added, as the app does."""
    try:
        from csr_hub.services import vocabulary_terms

        vocabulary_terms.install(db.session)
    except Exception:  # no database (or no table yet): the package vocabulary alone
        db.session.rollback()


@click.command("evaluate")
@click.option("--set", "set_spec", default=DEFAULT_SET, show_default=True, help="FILE or FILE:SPLIT")
@click.option("--split", default=None, help="only needs of this split (e.g. heldout)")
@click.option("--json", "as_json", is_flag=True, help="print the figures as JSON")
@click.option("--misses", is_flag=True, help="also list the needs whose top 1 or top 5 missed")
@with_appcontext
def match_evaluate(set_spec: str, split: str | None, as_json: bool, misses: bool) -> None:
    """P@1, R@5 per slice and the calibration of the bands on a labelled set."""
    from csr_hub.domain.matching import evaluate, labelled

    data, file_split, path = _load(set_spec)
    split = split or file_split
    _install_terms()
    report = evaluate.evaluate(data, labelled.ranker(data), split=split)
    if as_json:
        click.echo(json.dumps(report.as_dict(), indent=1))
    else:
        click.echo(evaluate.format_report(report, f"{path} (split: {split or 'all'})"))
    if misses:
        for need_id, rel, top in report.misses:
            click.echo(f"  need {need_id}: relevant {rel}, top 5 {top}")


@click.command("calibrate")
@click.option(
    "--set",
    "set_specs",
    multiple=True,
    default=(DEFAULT_SET,),
    show_default=True,
    help="FILE or FILE:SPLIT; repeat for several (never a held-out split)",
)
@click.option("--item-led", default=90.0, show_default=True, type=click.FloatRange(50.0, 100.0))
@click.option(
    "--write", "out", default=str(CALIBRATION_FILE), show_default=True, type=click.Path(dir_okay=False)
)
@with_appcontext
def match_calibrate(set_specs: tuple[str, ...], item_led: float, out: str) -> None:
    """Fit the weights and the band thresholds (scikit-learn) and write calibration.json."""
    from csr_hub.domain.matching import bands, calibrate

    sets = []
    for spec in set_specs:
        data, split, _path = _load(spec)
        if split == "heldout":
            raise click.BadParameter("never calibrate on a held-out split", param_hint="--set")
        sets.append((data, split))
    _install_terms()
    result = calibrate.calibrate(sets, item_led=item_led)
    result["command"] = (
        "flask --app csr_hub match calibrate "
        + " ".join(f"--set {shlex.quote(s)}" for s in set_specs)
        + (f" --item-led {item_led:g}" if item_led != 90.0 else "")
    )
    Path(out).write_text(json.dumps(result, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    bands.calibration.cache_clear()
    click.echo(f"weights {result['weights']}")
    click.echo(f"bands: strong >= {result['bands']['strong']}, possible >= {result['bands']['possible']}")
    click.echo(f"written to {out}")


@click.group("vocabulary")
def vocabulary_group() -> None:
    """The matcher's vocabulary."""


@vocabulary_group.command("export")
@click.option("--out", default=str(VOCABULARY_FILE), show_default=True, help="'-' for standard output")
@with_appcontext
def vocabulary_export(out: str) -> None:
    """Write the package vocabulary with the terms added in the app merged in."""
    from csr_hub.services import vocabulary_terms

    data = vocabulary_terms.export(db.session)
    text = json.dumps(data, indent=1, ensure_ascii=False) + "\n"
    if out == "-":
        sys.stdout.write(text)
        return
    Path(out).write_text(text, encoding="utf-8")
    added = len(vocabulary_terms._rows(db.session))
    click.echo(f"{added} added term(s) merged; written to {out}")


@click.command("reanalyse")
@with_appcontext
def match_reanalyse() -> None:
    """Analyse every stored need and offer again (after a vocabulary or matcher release)."""
    from csr_hub.services import reanalysis

    _install_terms()

    def progress(kind: str, done: int, total: int) -> None:
        click.echo(f"\r{kind}: {done}/{total}", nl=False, err=True)

    changed = reanalysis.reanalyse_all(db.session, progress=progress)
    click.echo("", err=True)
    click.echo(f"re-analysed: {changed['needs']} need(s) and {changed['offers']} offer(s) changed")


def register(match_group: click.Group) -> list[click.Command]:
    """Add the commands to ``match``; returns the top-level groups to register."""
    match_group.add_command(match_evaluate)
    match_group.add_command(match_calibrate)
    match_group.add_command(match_reanalyse)
    return [vocabulary_group]
