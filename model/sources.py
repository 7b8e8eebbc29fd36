"""Machine-readable catalogue of the shipped data files in ``data/``.

Each entry condenses what ``data/PROVENANCE.md`` says about one file: who
produced the statistics, which release, where they were retrieved (repository
at a commit), which years they cover, the caveats a reader must know and what
is known about the licence. The "Data och metod" page, captions and exports
read this catalogue; nothing here is a number of its own.
"""
from __future__ import annotations

from dataclasses import dataclass
from itertools import groupby

from model.data import DATA_DIR

_TDP = "Klimatbyran/territorial-data-pipeline"
_KK = "Klimatbyran/klimatkollen"
_MDP = "Klimatbyran/municipality-data-pipeline"
TDP_LATEST = f"{_TDP}@758ceb0e4edde27831a2db0ce1bc6d5b2a51dd2b"
TDP_PREV = f"{_TDP}@67478996cb0df1057efe014a482e87bb0e29fb71"
TDP_HEAD = f"{_TDP}@bf20c580380961c3b1b246681992e2d9d2b26f11"
KK_SUBSECTOR = f"{_KK}@e2d26ca657495f3ecddf49762da5242d019ba258"
KK_BUDGET_2024 = f"{_KK}@038ad106a75008f52b33b61392888b636446c3dc"
KK_BUDGET_2023 = f"{_KK}@61721a0aff13607e53152d9fec2752d49336777b"
KK_TRAFA = f"{_KK}@48e8adeb6fbeb4ec7721bc7d811ebdaef02a0dbf"
KK_POP_1950 = f"{_KK}@96a4d60e465ef8a5f9b9d9de3feef1b2f122ba04"
KK_POP_2023 = f"{_KK}@0fa91930e84f9154687c35b01d45fbe0e47a694a"
MDP_POP_2024 = f"{_MDP}@514bdf44864206dd05e134b9e18e0b931e85046b"

SOURCE_PREFIX = {"sv": "Källa", "en": "Source"}


@dataclass(frozen=True)
class Text:
    """A short text in Swedish and English."""

    sv: str
    en: str

    def get(self, lang: str) -> str:
        """The text in ``lang`` ("en" gives English, anything else Swedish)."""
        return self.en if str(lang).lower().startswith("en") else self.sv


@dataclass(frozen=True)
class DataSource:
    """Provenance of one shipped data file.

    Attributes
    ----------
    file : str
        File name inside ``data/``.
    title : Text
        What the file holds.
    producer : str
        Original producer of the statistics (SMHI, SCB, Trafikanalys, Klimatkollen, …).
    product : Text
        The producer's statistical product or publication.
    vintage : Text
        Release or version of the data.
    retrieval : tuple of str
        Where the data were read, ``owner/repo@commit path``; empty when rows name their own web source.
    years : tuple of int
        Calendar years in the file's ``year`` column; empty when it has none (see ``period``).
    coverage : Text
        Which areas the file covers.
    caveats : tuple of Text
        Short caveats, taken from ``data/PROVENANCE.md``.
    licence : Text
        What is known about the terms of use.
    period : Text or None
        Time coverage for files without a ``year`` column.
    per_row_source : bool
        True when the file has a ``source`` column naming each row's source.
    """

    file: str
    title: Text
    producer: str
    product: Text
    vintage: Text
    retrieval: tuple[str, ...]
    years: tuple[int, ...]
    coverage: Text
    caveats: tuple[Text, ...]
    licence: Text
    period: Text | None = None
    per_row_source: bool = False

    def years_label(self, lang: str = "sv") -> str:
        """Years covered, ranges compressed ("1990, 2000, 2020–2024"), or the period text."""
        if not self.years:
            return self.period.get(lang) if self.period else "–"
        return years_label(self.years)

    def caveat_text(self, lang: str = "sv", sep: str = " · ") -> str:
        """All caveats in one string."""
        return sep.join(c.get(lang) for c in self.caveats)


def years_label(years: tuple[int, ...] | list[int]) -> str:
    """Compress sorted years into ranges with an en dash: (2020, 2021, 2022) -> "2020–2022"."""
    parts: list[str] = []
    for _, run in groupby(enumerate(sorted({int(y) for y in years})), key=lambda iy: iy[1] - iy[0]):
        ys = [y for _, y in run]
        parts.append(f"{ys[0]}–{ys[-1]}" if len(ys) > 2 else ", ".join(map(str, ys)))
    return ", ".join(parts)


_INVENTORY_YEARS = (1990, 2000, 2005, 2010, 2015, 2020, 2021, 2022, 2023, 2024)
_FOUR = Text("Enköping, Uppsala, Lund och Umeå", "Enköping, Uppsala, Lund and Umeå")
_ALL = Text("Alla 290 kommuner", "All 290 municipalities")
_ENK = Text("Enköping", "Enköping")

_LIC_SMHI = Text("Ingen licens angiven i filerna. Ange SMHI som källa; kontrollera SMHI:s villkor före spridning.",
                 "No licence stated in the files. Attribute SMHI; check SMHI's terms before redistributing.")
_LIC_SCB = Text(
    "Ingen licens angiven i filerna. SCB:s öppna data beskrivs ofta som CC BY 4.0, men det är inte "
    "kontrollerat på scb.se. Ange SCB som källa.",
    "No licence stated in the files. SCB open data is often described as CC BY 4.0, but this was not "
    "verified on scb.se. Attribute SCB.")
_LIC_TRAFA = Text("Ingen licens angiven. Ange Trafikanalys som källa; kontrollera villkoren före spridning.",
                  "No licence stated. Attribute Trafikanalys; check its terms before redistributing.")
_LIC_KK = Text(
    "Klimatkollens repo är MIT-licensierat (Klimatbyrån); det omfattar inte den officiella statistiken.",
    "Klimatkollen's repository is MIT-licensed (Klimatbyrån); that does not cover the official statistics.")
_LIC_WEB = Text("Offentliga handlingar och webbsidor; källan anges på varje rad.",
                "Public documents and web pages; each row names its source.")

_RELEASES = Text("SMHI räknar om hela serien i varje utgåva; blanda aldrig år från olika utgåvor.",
                 "SMHI recalculates the whole series in every release; never mix years from different releases.")
_SCOPE = Text("Territoriella utsläpp, alla växthusgaser som CO₂e, utan markanvändning (LULUCF).",
              "Territorial emissions, all greenhouse gases as CO₂e, excluding land use (LULUCF).")
_GAP_YEARS = Text("Utgåvan saknar 2011–2014 och 2016–2019.", "The release has no 2011–2014 or 2016–2019.")
_JUMP_2024 = Text("Ökningen 2024 sammanfaller med att reduktionsplikten sänktes till 6 %; SMHI anger ingen orsak.",
                  "The 2024 rise coincides with the cut of the reduktionsplikt to 6 %; SMHI states no cause.")
_SMHI = Text("Nationella emissionsdatabasen", "National Emissions Database")
_V2024 = Text("utgåva med data t.o.m. 2024", "release with data up to 2024")
_KK_CALC = Text("Klimatkollens beräkningar, inte officiell statistik.",
                "Klimatkollen's calculations, not official statistics.")

SOURCES: tuple[DataSource, ...] = (
    DataSource(
        "kommuner_emissions_by_sector.csv",
        Text("Utsläpp av växthusgaser per kommun och sektor", "Greenhouse-gas emissions by municipality and sector"),
        "SMHI", _SMHI, _V2024, (f"{TDP_LATEST} output/municipality-sector-emissions.json",),
        _INVENTORY_YEARS, _ALL,
        (_RELEASES, _SCOPE, _GAP_YEARS, _JUMP_2024,
         Text("Summan av kommunerna är 0,36–0,47 % lägre än riket; källan förklarar inte skillnaden.",
              "The sum over municipalities is 0.36–0.47 % below the national total; the source does not say why.")),
        _LIC_SMHI),
    DataSource(
        "enkoping_emissions_by_sector.csv",
        Text("Enköpings utsläpp per sektor", "Enköping's emissions by sector"),
        "SMHI", _SMHI, _V2024, (f"{TDP_LATEST} output/municipality-sector-emissions.json",),
        _INVENTORY_YEARS, _ENK,
        (_RELEASES, _GAP_YEARS, _JUMP_2024,
         Text("Industrin faller från 3 147 ton (2020) till 235 ton (2021) utan förklaring i källan.",
              "Industry falls from 3,147 t (2020) to 235 t (2021) with no explanation in the source.")),
        _LIC_SMHI, per_row_source=True),
    DataSource(
        "enkoping_emissions_by_sector_prev_release.csv",
        Text("Enköpings utsläpp per sektor, föregående utgåva", "Enköping's emissions by sector, prior release"),
        "SMHI", _SMHI, Text("utgåva med data t.o.m. 2023", "release with data up to 2023"),
        (f"{TDP_PREV} output/municipality-sector-emissions.json",), (1990, 2000, 2005, 2010, *range(2015, 2024)), _ENK,
        (_RELEASES, Text("Enda källan här med sektorvärden 2016–2019; jämförs inte med senaste utgåvan.",
                         "The only source here with sector values 2016–2019; not comparable with the latest.")),
        _LIC_SMHI, per_row_source=True),
    DataSource(
        "enkoping_emissions_by_subsector_smhi2021.csv",
        Text("Enköpings utsläpp per delsektor", "Enköping's emissions by sub-sector"),
        "SMHI", Text("Nationella emissionsdatabasen, Länsrapport", "National Emissions Database, county report"),
        Text("utgåva 2021-10-14 med data t.o.m. 2019", "release of 2021-10-14 with data up to 2019"),
        (f"{KK_SUBSECTOR} resources/emissions_per_municipality.csv",),
        (1990, 2000, 2005, *range(2010, 2020)), _ENK,
        (Text("Enda delsektordata som hittats; fördelningen 2019 används som antagande för alla kommuner.",
              "The only sub-sector data found; the 2019 split is used as an assumption for every municipality."),
         Text("Produktanvändningens delsektorer summerar inte till sektorn (lustgas saknas bland dem).",
              "Product use sub-sectors do not sum to the sector (nitrous oxide is missing among them)."),
         _RELEASES),
        _LIC_SMHI, per_row_source=True),
    DataSource(
        "emissions_totals.csv",
        Text("Totala utsläpp per kommun och utgåva", "Total emissions by municipality and release"),
        "SMHI", _SMHI,
        Text("utgåvor med data t.o.m. 2024, 2023 och 2019 (växthusgaser) samt 2022 (endast koldioxid)",
             "releases with data up to 2024, 2023 and 2019 (greenhouse gases) and 2022 (CO₂ only)"),
        (f"{TDP_LATEST} output/municipality-data.json", f"{TDP_PREV} output/municipality-data.json",
         f"{KK_SUBSECTOR} resources/emissions_per_municipality.csv", f"{KK_BUDGET_2024} data/output/climate-data.json"),
        (1990, 2000, 2005, *range(2010, 2025)), _FOUR,
        (Text("Addera aldrig rader från olika utgåvor eller omfattning (växthusgaser/koldioxid).",
              "Never add rows across releases or scopes (greenhouse gases/CO₂)."), _RELEASES),
        _LIC_SMHI, per_row_source=True),
    DataSource(
        "national_emissions_by_sector.csv",
        Text("Sveriges utsläpp per sektor", "Sweden's emissions by sector"),
        "SMHI", _SMHI, _V2024, (f"{TDP_LATEST} output/national-sector-emissions.json",),
        _INVENTORY_YEARS, Text("Sverige (riket)", "Sweden (national)"),
        (_RELEASES, Text("Riket är 0,36–0,47 % högre än summan av kommunerna; blanda inte ihop dem.",
                         "The national total is 0.36–0.47 % above the sum of municipalities; keep them apart.")),
        _LIC_SMHI),
    DataSource(
        "kommuner_population.csv",
        Text("Folkmängd per kommun", "Population by municipality"),
        "SCB", Text("Folkmängd 31 december", "Population on 31 December"),
        Text("1950–2025; 2025 från månadsstatistiken (tabell 000007SF)",
             "1950–2025; 2025 from the monthly statistics (table 000007SF)"),
        (f"{KK_POP_1950} data/solutions/cars/sources/population_scb.xlsx",
         f"{KK_POP_2023} data/solutions/bicycles/be0101_tabhel2023.xlsx",
         f"{MDP_POP_2024} kpis/bicycles/sources/be0101_tabhel2024.xlsx",
         f"{TDP_HEAD} kpis/bicycles/sources/000007SF_20260416-131411.xlsx"),
        tuple(range(1950, 2026)), _ALL,
        (Text("Från 2025 lägger SCB till ett litet slumpbrus (Cell Key Method); delarna summerar inte exakt.",
              "From 2025 SCB adds small random noise (Cell Key Method); parts need not sum exactly."),
         Text("1950–2022 är omräknade till 2023 års kommungränser, med möjliga brister enligt SCB.",
              "1950–2022 are back-cast to the 2023 boundaries, with possible flaws according to SCB."),
         Text("Ingen befolkningsprognos till 2030 hittades.", "No population projection to 2030 was found.")),
        _LIC_SCB),
    DataSource(
        "kommuner_indicators.csv",
        Text("Klimatkollens nyckeltal per kommun", "Klimatkollen's indicators by municipality"),
        "Klimatkollen", Text("nyckeltal (från SMHI, SCB, Trafikanalys, PowerCircle, NVDB m.fl.)",
                             "indicators (from SMHI, SCB, Trafikanalys, PowerCircle, NVDB and others)"),
        Text("2026 års data", "2026 data"), (f"{TDP_LATEST} output/municipality-data.json",),
        (), _ALL,
        (_KK_CALC,
         Text("Klimatkollens nollår är en framskrivning av trenden, inte kommunens mål.",
              "Klimatkollen's net-zero date is a trend extrapolation, not the municipality's target."),
         Text("Listan över klimatplaner är crowdsourcad; tomt betyder inte att planen saknas.",
              "The climate-plan list is crowd-sourced; empty does not mean there is no plan.")),
        _LIC_KK, period=Text("2015–2025 per nyckeltal; planlistan 2026-05-08",
                             "2015–2025 by indicator; plan list 2026-05-08")),
    DataSource(
        "carbon_budget.csv",
        Text("Klimatkollens koldioxidbudgetar och Carbon Law-tal", "Klimatkollen's carbon budgets and Carbon Law"),
        "Klimatkollen", Text("koldioxidbudget och koldioxidlagen", "carbon budget and Carbon Law"),
        Text("metodversioner 2023, 2024 och 2026", "method versions 2023, 2024 and 2026"),
        (f"{TDP_LATEST} output/municipality-data.json", f"{KK_BUDGET_2024} data/output/climate-data.json",
         f"{KK_BUDGET_2023} data/output/climate-data.json"),
        (), _FOUR,
        (Text("Tre metodgenerationer som inte är jämförbara; 2023–2024 avser bara koldioxid.",
              "Three method generations that are not comparable; 2023–2024 cover CO₂ only."),
         Text("Ingen budget beräknad av Uppsala universitet för Enköpings kommun hittades.",
              "No budget computed by Uppsala University for Enköping municipality was found.")),
        _LIC_KK, Text("mått för perioder 2015–2050", "metrics for periods 2015–2050"), True),
    DataSource(
        "klimatkollen_published_paths.csv",
        Text("Klimatkollens publicerade utsläppsbanor", "Klimatkollen's published emission paths"),
        "Klimatkollen", Text("trend och banor", "trend and paths"),
        Text("metodversioner 2024 och 2026", "method versions 2024 and 2026"),
        (f"{TDP_LATEST} output/municipality-data.json", f"{KK_BUDGET_2024} data/output/climate-data.json"),
        tuple(range(2022, 2051)), _ENK,
        (Text("Modellerade serier, inte uppmätta data; redovisas som Klimatkollens uppskattningar.",
              "Modelled series, not measured data; shown as Klimatkollen's estimates."),),
        _LIC_KK, per_row_source=True),
    DataSource(
        "vehicles_by_fuel.csv",
        Text("Fordon per drivmedel", "Vehicles by fuel"),
        "Trafikanalys", Text("Fordon i län och kommuner", "Vehicles in counties and municipalities"),
        Text("årgångarna 2015–2022 och 2025", "editions 2015–2022 and 2025"),
        (f"{KK_TRAFA} data/solutions/cars/sources/fordon_lan_och_kommuner_*.xlsx",
         f"{TDP_HEAD} kpis/cars/sources/fordon-i-lan-och-kommuner-2025.xlsx"),
        (*range(2015, 2023), 2025), _FOUR,
        (Text("2023 och 2024 saknas; lastbilar bara för 2025.", "2023 and 2024 are missing; lorries for 2025 only."),
         Text("Övriga kommuner använder riksgenomsnitt ur registret.",
              "Other municipalities use national figures from the registry.")),
        _LIC_TRAFA, per_row_source=True),
    DataSource(
        "ev_share_new_cars.csv",
        Text("Andel laddbara bland nya bilar", "Rechargeable share of new cars"),
        "Trafikanalys", Text("nyregistreringar, sammanställda av Klimatkollen",
                             "new registrations, compiled by Klimatkollen"),
        Text("2015–2024", "2015–2024"), (f"{TDP_HEAD} kpis/cars/sources/kpi1_calculations.xlsx",),
        tuple(range(2015, 2025)), _FOUR,
        (Text("Laddbara = elbilar plus laddhybrider.", "Rechargeable = battery-electric plus plug-in hybrids."),
         _KK_CALC),
        _LIC_TRAFA, per_row_source=True),
    DataSource(
        "national_parameters.csv",
        Text("Nationella styrmedel och mål", "National policy instruments and targets"),
        "Riksdagen, regeringen m.fl.", Text("propositioner, lagtext och webbsidor", "bills, statutes and web pages"),
        Text("enligt källan på varje rad", "as stated by the source on each row"),
        (), (*range(2018, 2031), 2040, 2045), Text("Sverige och EU", "Sweden and the EU"),
        (Text("Att riksdagen beslutat om 10 % från 2025 är inte kontrollerat; ett öppet scenarioval.",
              "Whether the Riksdag enacted 10 % from 2025 was not verified; an open scenario choice."),
         Text("Andelen av kommunens utsläpp inom EU ETS hittades inte.",
              "The share of the municipality's emissions under the EU ETS was not found.")),
        _LIC_WEB, per_row_source=True),
)

_BY_FILE: dict[str, DataSource] = {s.file: s for s in SOURCES}


def source_for(file: str) -> DataSource:
    """The catalogue entry of a data file.

    Parameters
    ----------
    file : str
        File name inside ``data/`` (a path is accepted; only its name is used).

    Raises
    ------
    KeyError
        If the file is not in the catalogue.
    """
    name = str(file).replace("\\", "/").rsplit("/", 1)[-1]
    if name not in _BY_FILE:
        raise KeyError(f"{name!r} finns inte i källkatalogen (not in the source catalogue)")
    return _BY_FILE[name]


def source_line(file: str, lang: str = "sv") -> str:
    """One-line attribution for a figure or table built from ``file``.

    Parameters
    ----------
    file : str
        File name inside ``data/``.
    lang : str, default "sv"
        "sv" or "en".

    Returns
    -------
    str
        e.g. "Källa: SMHI Nationella emissionsdatabasen, utgåva med data t.o.m. 2024".
    """
    src = source_for(file)
    code = "en" if str(lang).lower().startswith("en") else "sv"
    return f"{SOURCE_PREFIX[code]}: {src.producer} {src.product.get(code)}, {src.vintage.get(code)}"


def data_path(file: str) -> str:
    """Absolute path of a catalogued file in ``data/`` (KeyError if not catalogued)."""
    return str(DATA_DIR / source_for(file).file)
