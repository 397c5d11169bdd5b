"""The national batch: every open need against every open offer, blocked and vectorised, with the same
arithmetic as live suggestions (``parts.values``), so the batch's top offers equal ``suggest_offers``'.

Needs are blocked by (province, category): a block is scored against the offers serving that
province whose category is related, or which share an item kind or family with a need of the block,
as whole numpy/sparse matrices (content words and item kinds as sparse rows — item rows carry their
weights, so one sparse product gives Σ w_need·w_offer). Only the winners get a full ``Score`` with
reasons. Partnerships do not reorder the batch (pages and the API do that live).
"""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Callable, Iterable, Sequence

import numpy as np

from csr_hub.domain.matching import parts
from csr_hub.domain.matching.suggest import explain, need_open, offer_open

if TYPE_CHECKING:  # SciPy (~20 MB) is loaded by a batch run only, not by every web worker
    from scipy import sparse
from csr_hub.domain.matching.views import NeedView, OfferView, Score, features
from csr_hub.domain.vocabulary import CATEGORY_CODES, CATEGORY_INDEX, RELATED_CATEGORIES

_OTHER = CATEGORY_INDEX["other"]
_SAME = np.eye(len(CATEGORY_CODES), dtype=bool)
_REL = np.array([[b in RELATED_CATEGORIES.get(a, ()) for b in CATEGORY_CODES] for a in CATEGORY_CODES])
#: cells (needs × offers) scored at once: bounds the batch's working memory to ~100 MB
_CHUNK_CELLS = 1_000_000


class _Index:
    """String features → column numbers, for the sparse need/offer matrices."""

    def __init__(self) -> None:
        self.cols: dict[str, int] = {}

    def row(self, feats: Iterable[str]) -> list[int]:
        cols = self.cols
        return [cols.setdefault(f, len(cols)) for f in feats]


def _csr(rows: list[list[int]], width: int, data: list[list[float]] | None = None) -> sparse.csr_matrix:
    from scipy import sparse

    indptr = np.zeros(len(rows) + 1, dtype=np.int64)
    indptr[1:] = np.cumsum([len(r) for r in rows])
    indices = np.fromiter((c for r in rows for c in r), dtype=np.int32, count=int(indptr[-1]))
    if data is None:
        vals = np.ones(len(indices), dtype=np.float64)
    else:
        vals = np.fromiter((x for r in data for x in r), dtype=np.float64, count=int(indptr[-1]))
    return sparse.csr_matrix((vals, indices, indptr), shape=(len(rows), width))


def _cat(c: str) -> int:
    return CATEGORY_INDEX.get(c, _OTHER)


def batch_suggest(
    needs: Sequence[NeedView],
    offers: Sequence[OfferView],
    today: date,
    per_need: int = 10,
    progress: Callable[[int], None] | None = None,
    sink: Callable[[int, list[tuple[int, Score]]], None] | None = None,
) -> dict[int, list[tuple[int, Score]]]:
    """Top ``per_need`` (offer id, Score) for every need, exactly as ``suggest_offers`` would give them
    (without partners). ``progress`` gets the cumulative number of needs done. Every need id is a key;
    needs that are not open map to an empty list.

    With ``sink``, each open need's winners go to ``sink(need_id, winners)`` as soon as its block is
    scored, and the result stays empty: a national run (a million scores) never holds them all at once.
    """
    result: dict[int, list[tuple[int, Score]]] = {} if sink else {n.id: [] for n in needs}
    live = [n for n in needs if need_open(n)]
    done = len(needs) - len(live)
    open_offers = sorted((o for o in offers if offer_open(o, today)), key=lambda o: o.id)
    if not live or not open_offers or per_need <= 0:
        if progress:
            progress(len(needs))
        return result
    if progress and done:
        progress(done)

    tok_ix, item_ix, fam_ix = _Index(), _Index(), _Index()
    m = len(open_offers)
    ofs = [features(o) for o in open_offers]
    o_items = [sorted(f.items) for f in ofs]
    O_bag = [tok_ix.row(f.bag) for f in ofs]
    O_neu = [tok_ix.row(f.neutral) for f in ofs]
    O_names = [tok_ix.row(f.names) for f in ofs]
    o_neu_len = np.array([len(r) for r in O_neu], dtype=np.float64)
    o_thai = np.array([f.script == "th" for f in ofs])
    O_item = [item_ix.row(c) for c in o_items]
    O_w = [[f.weights[c] for c in cs] for f, cs in zip(ofs, o_items)]
    O_fam = [fam_ix.row(f.fams) for f in ofs]
    o_cat = np.array([_cat(o.category) for o in open_offers])
    o_rem = np.array([o.remaining for o in open_offers], dtype=np.int64)
    o_bag_len = np.array([len(r) for r in O_bag], dtype=np.float64)
    o_wsum = np.array([f.weight_sum for f in ofs])
    o_has = np.array([bool(f.items) for f in ofs])
    o_allow = np.array([f.allow for f in ofs], dtype=np.int64)
    facet_ix = (
        _Index()
    )  # whom / what size an item is for: the need's values against the offer's contradictions
    O_con = [facet_ix.row(f.facet_contra) for f in ofs]
    O_con_w = [list(f.facet_contra.values()) for f in ofs]
    nationwide = np.array([i for i, o in enumerate(open_offers) if not o.provinces], dtype=np.int64)
    by_prov: dict[str, list[int]] = {}
    for i, o in enumerate(open_offers):
        for p in o.provinces:
            by_prov.setdefault(p, []).append(i)
    homes: dict[tuple, int] = {}
    o_home = np.array([homes.setdefault((o.latitude, o.longitude), len(homes)) for o in open_offers])
    home_list = list(homes)
    loc_rows: dict[tuple, np.ndarray] = {}

    def location_row(n: NeedView) -> np.ndarray:
        key = (n.province_code, n.latitude, n.longitude)
        row = loc_rows.get(key)
        if row is None:
            per_home = np.array([parts.nationwide(n.latitude, n.longitude, h[0], h[1])[0] for h in home_list])
            row = np.zeros(m)
            row[nationwide] = per_home[o_home[nationwide]]
            row[by_prov.get(n.province_code, [])] = 100.0
            loc_rows[key] = row
        return row

    nfs = [features(n) for n in live]
    n_items = [sorted(f.items) for f in nfs]
    N_bag = [tok_ix.row(f.bag) for f in nfs]
    N_neu = [tok_ix.row(f.neutral) for f in nfs]
    N_names = [tok_ix.row(f.names) for f in nfs]
    N_item = [item_ix.row(c) for c in n_items]
    N_w = [[f.weights[c] for c in cs] for f, cs in zip(nfs, n_items)]
    N_fam = [fam_ix.row(f.fams) for f in nfs]
    N_own = [facet_ix.row(f.facet_own) for f in nfs]
    N_own_w = [list(f.facet_own.values()) for f in nfs]
    V, I, F = len(tok_ix.cols) or 1, len(item_ix.cols) or 1, len(fam_ix.cols) or 1
    Q = len(facet_ix.cols) or 1
    Oq = _csr(O_con, Q, O_con_w).T.tocsc()
    Ob = _csr(O_bag, V).T.tocsc()
    On = _csr(O_neu, V).T.tocsc()
    Onm = _csr(O_names, V).T.tocsc()
    Oi = _csr(O_item, I, O_w).T.tocsc()
    Of = _csr(O_fam, F).T.tocsc()
    from scipy import sparse

    Ok = sparse.vstack([_csr(O_item, I).T, Of]).tocsr()  # "shares a kind or family" prefilter

    blocks: dict[tuple[str, str], list[int]] = {}
    for k, n in enumerate(live):
        blocks.setdefault((n.province_code, n.category), []).append(k)

    for (prov, cat), members in sorted(blocks.items()):
        served = np.union1d(nationwide, np.array(by_prov.get(prov, ()), dtype=np.int64))
        ci = _cat(cat)
        cat_ok = _REL[ci, o_cat[served]] | _SAME[ci, o_cat[served]]
        keys = sorted(
            {item_ix.cols[c] for k in members for c in n_items[k]}
            | {I + fam_ix.cols[f] for k in members for f in nfs[k].fams}
        )
        if keys:
            shares = np.asarray(Ok[keys][:, served].sum(axis=0)).ravel() > 0
            cand = served[cat_ok | shares]
        else:
            cand = served[cat_ok]
        if not cand.size:
            done += len(members)
            if progress:
                progress(done)
            continue
        ob, on, oi, of_, oq = Ob[:, cand], On[:, cand], Oi[:, cand], Of[:, cand], Oq[:, cand]
        onm = Onm[:, cand]
        won: dict[int, list[tuple[int, Score]]] = {live[k].id: [] for k in members}
        oc = o_cat[cand]
        step = max(1, _CHUNK_CELLS // cand.size)
        for start in range(0, len(members), step):
            rows = members[start : start + step]
            r = len(rows)
            # text: the neutral words for every pair; within one script all words where that is higher
            one_script = np.array([nfs[k].script == "th" for k in rows])[:, None] == o_thai[cand][None, :]
            k_n = (_csr([N_neu[k] for k in rows], V) @ on).toarray()
            nb_rows = _csr([N_bag[k] for k in rows], V)
            k_f = (nb_rows @ ob).toarray()
            # across scripts, the Latin words both posts write the same way (``views.shared_names``)
            k_s = (_csr([N_names[k] for k in rows], V) @ ob + nb_rows @ onm).toarray()
            k_s[one_script] = 0.0
            nn = np.array([len(N_neu[k]) for k in rows], dtype=np.float64)[:, None]
            nfull = np.array([len(N_bag[k]) for k in rows], dtype=np.float64)[:, None]
            on_len, of_len = o_neu_len[cand][None, :], o_bag_len[cand][None, :]
            full = one_script & parts.prefer_words(k_f, nfull, of_len, k_n, nn, on_len)
            inter = np.where(full, k_f, k_n + k_s)
            n_bag = np.where(full, nfull, nn + k_s)
            o_bag = np.where(full, of_len, on_len + k_s)
            sw = (_csr([N_item[k] for k in rows], I, [N_w[k] for k in rows]) @ oi).toarray()
            famov = (_csr([N_fam[k] for k in rows], F) @ of_).toarray() > 0
            conflict = (_csr([N_own[k] for k in rows], Q, [N_own_w[k] for k in rows]) @ oq).toarray()
            conflict[sw <= 0] = 0.0
            n_allow = np.array([nfs[k].allow for k in rows], dtype=np.int64)[:, None]
            led = (sw > 0) & (((n_allow >> oc[None, :]) & 1) > 0) & (((o_allow[cand] >> ci) & 1) > 0)[None, :]
            same = np.broadcast_to(_SAME[ci, oc][None, :], (r, cand.size))
            n_rem = np.array([live[k].remaining for k in rows], dtype=np.float64)[:, None]
            qty = parts.r1(100.0 * np.minimum(np.maximum(o_rem[cand], 0)[None, :], n_rem) / n_rem)
            v = parts.values(
                same_cat=same,
                related_cat=_REL[ci, oc][None, :],
                item_led=led,
                shared_w=sw,
                n_w=np.array([nfs[k].weight_sum for k in rows])[:, None],
                o_w=o_wsum[cand][None, :],
                fam_overlap=famov,
                n_has=np.array([bool(nfs[k].items) for k in rows])[:, None],
                o_has=o_has[cand][None, :],
                inter=inter,
                n_bag=n_bag,
                o_bag=o_bag,
                loc=np.vstack([location_row(live[k])[cand] for k in rows]),
                qty=qty,
                deadline=np.array(
                    [
                        parts.deadline_value(live[k].urgency, parts.days_left(live[k].needed_by, today))
                        for k in rows
                    ]
                )[:, None],
                equity=np.array([parts.equity_value(live[k].quality_group) for k in rows])[:, None],
                conflict=conflict,
            )
            v["item_led"] = led & ~same
            total = parts.total(v)
            key = np.rint(total * 10.0).astype(np.int64)
            relevant = (_REL[ci, oc] | _SAME[ci, oc])[None, :] | (sw > 0) | famov
            key[~relevant] = -1
            mc = cand.size
            comp = key * (mc + 1) + (mc - np.arange(mc))[None, :]  # higher total first, then lower offer id
            kk = min(per_need, mc)
            top = (
                np.argpartition(-comp, kk - 1, axis=1)[:, :kk]
                if kk < mc
                else np.broadcast_to(np.arange(mc), comp.shape)
            )
            order = np.argsort(-np.take_along_axis(comp, top, axis=1), axis=1)
            top = np.take_along_axis(top, order, axis=1)
            # the winners' values, gathered at once as plain floats (reasons are built for them only)
            rows_i = np.repeat(np.arange(r), top.shape[1])
            cols_i = top.ravel()
            keep = key[rows_i, cols_i] >= 0
            rows_i, cols_i = rows_i[keep], cols_i[keep]
            picked = {name: np.broadcast_to(a, (r, mc))[rows_i, cols_i].tolist() for name, a in v.items()}
            totals = total[rows_i, cols_i].tolist()
            for j, (ri, c) in enumerate(zip(rows_i.tolist(), cols_i.tolist())):
                k = rows[ri]
                oi_ = int(cand[c])
                o = open_offers[oi_]
                won[live[k].id].append(
                    (o.id, explain(live[k], nfs[k], o, ofs[oi_], picked, j, totals[j], today))
                )
        for need_id, winners in won.items():
            if sink:
                sink(need_id, winners)
            else:
                result[need_id] = winners
        done += len(members)
        if progress:
            progress(done)
    return result
