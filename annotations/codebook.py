"""The codebook: what the coding stages look for. YAML on disk, validated by pydantic.

A user codebook either replaces the default or, with `extends: default`, adds to it and
overrides entries with the same id."""

from __future__ import annotations

import hashlib
import json
from importlib import resources
from pathlib import Path
from typing import Annotated

import yaml
from pydantic import BaseModel, ConfigDict, Field, StringConstraints, ValidationError, model_validator

from stancemap.errors import CodebookError, Errors

# keys: ISO 3166-1 alpha-3 for countries, lower-case ids for everything else
Iso3 = Annotated[str, StringConstraints(pattern=r"^[A-Z]{3}$")]
Slug = Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_]*$")]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


# languages whose names are matched with their suffixes (agglutinative: Қазақстанның, Oʻzbekistonda)
Lang = Annotated[str, StringConstraints(pattern=r"^[a-z]{2,3}$")]


class LocalNames(_Strict):
    """A country's names in one language: the country itself, its people, its places."""

    names: list[str] = []
    demonyms: list[str] = []
    places: list[str] = []


class Country(_Strict):
    name: str
    iso2: str = Field(pattern=r"^[A-Z]{2}$")
    fips: str | None = Field(None, pattern=r"^[A-Z]{2}$")
    aliases: list[str] = []
    demonyms: list[str] = []
    places: list[str] = []
    names_ru: list[str] = []
    demonyms_ru: list[str] = []
    names_zh: list[str] = []
    local: dict[Lang, LocalNames] = {}  # kk, ky, uz, tg, tk, zh ... (both scripts under one code)
    # the character of joined Chinese short forms (中哈, 中吉乌); false in_pairs where another
    # country shares it (土: Türkiye, 乌: Ukraine), so only forms of three or more count
    short_zh: str | None = Field(None, pattern=r"^[\u3400-\u9fff]$")
    short_zh_in_pairs: bool = True
    # characters that, after it, make another word (哈尔滨 Harbin, 吉林 Jilin): no short form then
    short_zh_not_before: list[str] = []


class Region(_Strict):
    label: str
    members: list[str] = Field(min_length=1)
    aliases: list[str] = []
    names_ru: list[str] = []
    names_zh: list[str] = []
    local: dict[Lang, list[str]] = {}


class Organisation(_Strict):
    label: str
    aliases: list[str] = []
    names_ru: list[str] = []
    names_zh: list[str] = []
    local: dict[Lang, list[str]] = {}


class Project(Organisation):
    """A named project; `countries` are its host countries (any ISO 3166-1 alpha-3 code, also
    outside the codebook's countries: the BRI reaches beyond the region studied)."""

    countries: list[str] = []


class Sector(_Strict):
    label: str
    description: str = Field(min_length=10)
    patterns: list[str] = []
    patterns_ru: list[str] = []   # matched on lemmas
    patterns_zh: list[str] = []   # matched as character strings (two characters or more)
    local: dict[Lang, list[str]] = {}  # other languages, matched with their suffixes
    # words too general to code the sector alone ("security", "energy"): they count only with
    # another of the sector's patterns, one of `requires`, or similarity above the threshold
    generic: list[str] = []
    requires: list[str] = []

    @model_validator(mode="after")
    def _short_chinese(self):
        short = [p for p in self.patterns_zh if len(p) < 2]
        if short:
            raise ValueError(f"patterns_zh {short}: one Chinese character matches inside too many "
                             f"words; use two or more")
        return self


class StanceTarget(_Strict):
    label: str
    aliases: list[str] = []
    names_ru: list[str] = []
    names_zh: list[str] = []
    local: dict[Lang, list[str]] = {}
    from_projects: bool = False  # every project's names count as this target
    # the country the target belongs to: a stance toward it by a source of that country is
    # self-reference (a Chinese speaker on China or on China's BRI), left out of panels
    country: Iso3 | None = None

    @model_validator(mode="after")
    def _has_names(self):
        if not (self.aliases or self.names_ru or self.names_zh or self.local or self.from_projects):
            raise ValueError("a stance target needs aliases (or from_projects: true)")
        return self


class Stakeholder(_Strict):
    label: str
    aliases: list[str] = []


class Dimension(_Strict):
    """A dimension of the researchers' own (e.g. a code tree brought from NVivo or ATLAS.ti):
    coders code it in the review loop, and a stage registered for it (nlp/registry.py) may
    predict it."""

    label: str
    description: str = ""
    values: list[str] = Field(min_length=1)
    multi: bool = True


BUILT_IN_DIMENSIONS = ("country", "region", "sector", "topic", "sentiment", "stance", "stakeholder")


class Codebook(_Strict):
    name: str
    version: str
    description: str = ""
    extends: str | None = None
    countries: dict[Iso3, Country] = {}
    regions: dict[Slug, Region] = {}
    organisations: dict[Slug, Organisation] = {}
    projects: dict[Slug, Project] = {}
    sectors: dict[Slug, Sector] = {}
    stance_targets: dict[Slug, StanceTarget] = {}
    stakeholders: dict[Slug, Stakeholder] = {}
    dimensions: dict[Slug, Dimension] = {}

    @model_validator(mode="after")
    def _own_dimensions(self):
        for key in self.dimensions:
            if key in BUILT_IN_DIMENSIONS:
                raise ValueError(f"dimensions.{key}: {key!r} is a built-in dimension; choose another id")
        return self

    def target_country(self, target_id: str) -> str | None:
        """The target's own country: its `country`, else its id or label when that names one."""
        target = self.stance_targets[target_id]
        if target.country:
            return target.country
        for value in (target_id, target.label):
            for iso3, country in self.countries.items():
                if value.casefold() in {iso3.casefold(), country.name.casefold(),
                                        *(a.casefold() for a in country.aliases)}:
                    return iso3
        return None

    @model_validator(mode="after")
    def _references(self):
        known = set(self.countries)
        for section, entries in (("regions", self.regions), ("projects", self.projects),
                                 ("stance_targets", self.stance_targets)):
            for key, entry in entries.items():
                field = {"regions": lambda e: e.members, "projects": lambda e: e.countries,
                         "stance_targets": lambda e: [e.country] if e.country else []}[section](entry)
                for code in field:
                    if code in known:
                        continue
                    if section == "projects":  # a project may lie anywhere (CPEC, Padma rail link)
                        from stancemap.corpus.countries import world

                        if code in world().alpha3:
                            continue
                        raise ValueError(f"projects.{key} names country {code!r}, which is not "
                                         f"an ISO 3166-1 alpha-3 code")
                    raise ValueError(f"{section}.{key} names country {code!r}, which is not "
                                     f"in countries")
        return self

    # derived views ----------------------------------------------------------------------
    @property
    def digest(self) -> str:
        """Identifies the codebook's content, recorded with every code it produced."""
        payload = json.dumps(self.model_dump(mode="json"), sort_keys=True, ensure_ascii=False)
        return hashlib.sha256(payload.encode("utf-8")).hexdigest()

    def target_names(self, target_id: str) -> dict[str, list[str]]:
        target = self.stance_targets[target_id]
        names = {"en": list(target.aliases), "ru": list(target.names_ru), "zh": list(target.names_zh)}
        for lang, values in target.local.items():
            names.setdefault(lang, []).extend(values)
        if target.from_projects:
            for project in self.projects.values():
                names["en"] += project.aliases
                names["ru"] += project.names_ru
                names["zh"] += project.names_zh
                for lang, values in project.local.items():
                    names.setdefault(lang, []).extend(values)
        return names


def _format_errors(err: ValidationError) -> str:
    lines = []
    for problem in err.errors():
        path = ".".join(str(p) for p in problem["loc"]) or "(top level)"
        message = problem["msg"]
        if path.endswith("[key]"):
            message = ("a key must be an ISO 3166-1 alpha-3 code such as KAZ" if path.startswith("countries")
                       else "an id must be lower-case letters, digits and '_'")
        lines.append(f"  {path}: {message}")
    return "\n".join(lines)


def _read_yaml(text: str, origin: str) -> dict:
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as err:
        mark = getattr(err, "problem_mark", None)
        where = f" (line {mark.line + 1}, column {mark.column + 1})" if mark else ""
        raise CodebookError(Errors.E020.format(path=origin, details=f"  not valid YAML{where}: "
                                               f"{getattr(err, 'problem', err)}")) from err
    if not isinstance(data, dict):
        raise CodebookError(Errors.E020.format(path=origin, details="  the top level must be a mapping"))
    return data


def default_codebook_text() -> str:
    return resources.files("stancemap.annotations").joinpath("data/default_codebook.yaml").read_text("utf-8")


def _merge(base: dict, extra: dict) -> dict:
    merged = dict(base)
    for key, value in extra.items():
        if isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = {**merged[key], **value}
        else:
            merged[key] = value
    return merged


def load_codebook(path: Path | None = None) -> Codebook:
    """The default codebook, a user's file, or a user's file on top of the default."""
    data = _read_yaml(default_codebook_text(), "default codebook")
    origin = "default codebook"
    if path is not None:
        if not Path(path).is_file():
            raise CodebookError(Errors.E021.format(path=path))
        try:
            user = _read_yaml(Path(path).read_text("utf-8"), str(path))
        except UnicodeDecodeError as err:
            raise CodebookError(Errors.E226.format(path=path, reason=err.reason)) from None
        origin = str(path)
        extends = user.get("extends")
        if extends not in (None, "default"):
            raise CodebookError(Errors.E020.format(
                path=path, details=f"  extends: only 'default' can be extended, not {extends!r}"))
        data = _merge(data, user) if extends == "default" else user
    try:
        return Codebook.model_validate(data)
    except ValidationError as err:
        raise CodebookError(Errors.E020.format(path=origin, details=_format_errors(err))) from err


def codebook_yaml(codebook: Codebook) -> str:
    return yaml.safe_dump(codebook.model_dump(mode="json", exclude_defaults=True), allow_unicode=True,
                          sort_keys=False, width=100)
