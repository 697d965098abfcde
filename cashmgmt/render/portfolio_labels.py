"""Words the portfolio summary and workbook show (sheet and section names, segments,
teams, products, countries, the stated assumptions), marked for translation here and
translated where they are shown."""

from __future__ import annotations

from functools import cache

from cashmgmt.portfolio.report import BookSummary
from cashmgmt.reference.products import products
from cashmgmt.regions import country_name
from cashmgmt.render.environment import make_gettext
from cashmgmt.render.labels import N_, SEGMENT_NAMES

SHEET_NAMES = {
    "opportunities": N_("Opportunities"),
    "segment": N_("By segment"),
    "country": N_("By country"),
    "product": N_("By product"),
    "coverage": N_("Coverage plan"),
    "problems": N_("Problems"),
    "assumptions": N_("Assumptions"),
}
TEAM_NAMES = {
    "large": N_("Face-to-face team"),
    "mid": N_("Face-to-face"),
    "small-mid face-to-face": N_("Face-to-face"),
    "small-mid telephone": N_("Telephone"),
}


def segment_label(segment: str, language: str) -> str:
    """A segment's name in `language` (the code itself when unknown)."""
    name = SEGMENT_NAMES.get(segment)
    return make_gettext(language)(name) if name else segment


def team_label(team: str, language: str) -> str:
    name = TEAM_NAMES.get(team)
    return make_gettext(language)(name) if name else team


def country_label(code: str, language: str) -> str:
    """A country's name in `language` (the code when it is not an ISO 3166 code)."""
    try:
        return country_name(code, language) if code else ""
    except (KeyError, ValueError):
        return code


@cache
def _product_names() -> dict[str, dict[str, str]]:
    """The catalog's products by id and by English name: their names per language."""
    names: dict[str, dict[str, str]] = {}
    for product in products():
        per_language = {lang: product.name.get(lang) for lang in ("en", "zh-CN")}
        names[product.id] = per_language
        names[per_language["en"]] = per_language
    return names


def product_label(product: str, language: str) -> str:
    """A product's name in `language` when the catalog knows it (by id or English name),
    else as the row gives it."""
    found = _product_names().get(product)
    return found.get(language, product) if found else product


def assumptions(summary: BookSummary, language: str) -> list[tuple[str, str, str]]:
    """The coverage plan's capacity assumptions, the ranking and the conversion to USD, as
    (what, value, source) lines."""
    _ = make_gettext(language)
    capacity = summary.capacity
    source = _("DESIGN.md coverage model (Bank of America's ratios, source article)")
    assumed = _("assumption of cashmgmt; set the bank's own")
    lines = []
    for team, value in capacity.clients_per_rm.items():
        lines.append(
            (_("Clients per relationship manager: %(team)s", team=_team(team, language)),
             str(value), assumed)
        )  # fmt: skip
    for team, value in capacity.rms_per_cash_specialist.items():
        lines.append(
            (_("RMs per cash-management specialist: %(team)s", team=_team(team, language)),
             str(value), source)
        )  # fmt: skip
    for team, value in capacity.rms_per_credit_specialist.items():
        lines.append(
            (_("RMs per credit specialist: %(team)s", team=_team(team, language)),
             str(value), source)
        )  # fmt: skip
    lines.append(
        (_("Share of small and mid-sized clients served by telephone"),
         str(capacity.telephone_share), assumed)
    )  # fmt: skip
    lines.append((_("Head counts"), _("rounded up to whole people"), "cashmgmt"))
    ranking = {
        "bank_value": _("bank-side value per year, then client benefit"),
        "client_benefit": _("client benefit per year, then bank-side value"),
    }[summary.rank_by]
    lines.append((_("Ranking"), ranking, "cashmgmt"))
    lines.append(
        (_("Amounts in USD"), _("at each case's stated reference rate"), _("the run's rows"))
    )
    return lines


def _team(team: str, language: str) -> str:
    """A team's full name: its segment and, for small and mid-sized clients, its channel."""
    segment = segment_label(team.split(" ")[0], language)
    if team.startswith("small-mid "):
        return f"{segment} · {team_label(team, language)}"
    return segment
