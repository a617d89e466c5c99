"""The result cache: an edit re-checks only what changed, and a bad entry is never trusted.

Why: the cache makes builds fast, but a green build must still mean that every identity passed
the engine as it is now. So the results with and without the cache must be the same objects in
the same order, an edited identity must be checked again (and only it), and an entry that was
truncated, garbled or tampered with must be noticed and recomputed, never believed or crashed on.
"""

from __future__ import annotations

import dataclasses
import json
import shutil
from fractions import Fraction
from importlib import metadata
from pathlib import Path

import pytest
from matrixcheck import cache as cache_module
from matrixcheck import codec, workers
from matrixcheck.cache import ResultCache
from matrixcheck.check import check_identity
from matrixcheck.model import CHECKED_FIELDS, IdentitySpec, Location
from matrixcheck.plaintext import ReadableTexts
from matrixcheck.project import Report, check_docs
from matrixcheck.references import References
from support import DOCS, SEED_IDS, docs_specs, formula_line


@pytest.fixture
def docs(tmp_path: Path) -> Path:
    """A copy of the seed page, the docs of these tests."""
    target = tmp_path / "docs"
    target.mkdir()
    shutil.copy2(DOCS / "seed.md", target / "seed.md")
    return target


@pytest.fixture
def cache(tmp_path: Path) -> ResultCache:
    return ResultCache(tmp_path / "cache")


def _fresh(docs: Path) -> Report:
    """A check without any cache, to compare against."""
    return check_docs(docs, "docs")


def _same_results(report: Report, expected: Report) -> None:
    assert [r.spec.id for r in report.results] == [r.spec.id for r in expected.results]
    for result, reference in zip(report.results, expected.results, strict=True):
        assert result == reference, result.spec.id
    assert report.messages() == expected.messages()
    assert report.warnings() == expected.warnings()


def test_a_warm_run_reuses_every_result_and_forks_nothing(
    docs: Path, cache: ResultCache, monkeypatch: pytest.MonkeyPatch
) -> None:
    cold = check_docs(docs, "docs", cache)
    assert cold.computed == list(SEED_IDS)
    assert len(list(cache.entries.glob("*.json"))) == len(SEED_IDS)

    def no_fork(*args: object, **kwargs: object) -> None:
        raise AssertionError("a warm run started a process")

    monkeypatch.setattr(workers.multiprocessing, "get_context", lambda method: no_fork)
    warm = check_docs(docs, "docs", ResultCache(cache.directory))
    assert warm.computed == [] and warm.notes == []
    assert (
        warm.cache_summary()
        == f"0 identities checked, {len(SEED_IDS)} results reused from the cache"
    )
    monkeypatch.undo()
    _same_results(warm, _fresh(docs))
    _same_results(cold, warm)


def test_a_cache_kept_across_builds_serves_unmoved_results_from_memory(
    docs: Path, cache: ResultCache, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``mkdocs serve`` keeps its cache between rebuilds: files are read only for moved blocks,
    and the unchanged page's identities are not encoded and hashed again."""
    first = check_docs(docs, "docs", cache)
    for entry in cache.entries.glob("*.json"):
        entry.write_text("garbage", encoding="utf-8")
    encoded: list[object] = []
    real_dumps = codec.dumps
    monkeypatch.setattr(codec, "dumps", lambda *args: encoded.append(args) or real_dumps(*args))
    again = check_docs(docs, "docs", cache)
    assert encoded == []
    assert again.computed == [] and again.notes == []
    _same_results(again, first)
    page = docs / "seed.md"
    page.write_text("\n" + page.read_text(encoding="utf-8"), encoding="utf-8")
    moved = check_docs(docs, "docs", cache)
    assert moved.computed == list(SEED_IDS)
    assert len(moved.notes) == len(SEED_IDS)
    assert all("not valid JSON" in note for note in moved.notes)
    assert check_docs(docs, "docs", cache).notes == []


def test_a_cache_kept_across_many_edits_holds_one_build_of_results(
    docs: Path, cache: ResultCache
) -> None:
    """Under ``mkdocs serve`` every edit makes a new result; memory keeps the current build's
    only, and an undone edit is read back from disk."""
    check_docs(docs, "docs", cache)
    page = docs / "seed.md"
    text = page.read_text(encoding="utf-8")
    old = r"\boldsymbol{x}^\text{T} (\boldsymbol{A} + \boldsymbol{A}^\text{T})"
    for spaces in range(1, 4):
        page.write_text(text.replace(old, "\\," * spaces + old), encoding="utf-8")
        edited = check_docs(docs, "docs", cache)
        assert edited.computed == ["quadratic-form"]
        assert len(cache.remembered) == len(SEED_IDS)
    page.write_text(text, encoding="utf-8")
    undone = check_docs(docs, "docs", cache)
    assert undone.computed == [] and undone.notes == []
    assert len(cache.remembered) == len(SEED_IDS)
    _same_results(undone, _fresh(docs))


def test_editing_one_identity_rechecks_only_that_one(docs: Path, cache: ResultCache) -> None:
    check_docs(docs, "docs", cache)
    page = docs / "seed.md"
    text = page.read_text(encoding="utf-8")
    old = r"\boldsymbol{x}^\text{T} (\boldsymbol{A} + \boldsymbol{A}^\text{T})"
    assert text.count(old) == 1
    page.write_text(
        text.replace(old, r"\boldsymbol{x}^\text{T} (\boldsymbol{A}^\text{T} + \boldsymbol{A})")
    )
    edited = check_docs(docs, "docs", ResultCache(cache.directory))
    assert edited.computed == ["quadratic-form"]
    assert edited.ok
    _same_results(edited, _fresh(docs))


def test_editing_a_title_or_a_citation_rechecks_nothing(docs: Path, cache: ResultCache) -> None:
    """Only what the check reads keys a result: a new title or Cookbook number is shown with the
    stored result, read from disk or (under ``mkdocs serve``) from memory."""
    check_docs(docs, "docs", cache)
    page = docs / "seed.md"
    text = page.read_text(encoding="utf-8")
    old = "/// identity | Bilinear form in the inverse\n    id: inverse-bilinear\n    layout: denominator\n    cookbook: 61"
    assert text.count(old) == 1
    page.write_text(
        text.replace(old, old.replace("inverse\n", "inverse, retitled\n").replace("61", "62")),
        encoding="utf-8",
    )
    for reading in (ResultCache(cache.directory), cache):
        edited = check_docs(docs, "docs", reading)
        assert edited.computed == [] and edited.notes == []
        result = edited.result("inverse-bilinear")
        assert result is not None
        assert result.spec.title == "Bilinear form in the inverse, retitled"
        assert result.spec.references.cookbook_equations == ("62",)
        _same_results(edited, _fresh(docs))


def test_what_the_check_does_not_read_cannot_change_a_result() -> None:
    """Every field of a block is either read by the check (and keys the cache) or only rendered;
    changing all of the rendered ones leaves every result of the seed page as it was."""
    rendered = {"title", "references", "source", "corrected"}
    fields = {field.name for field in dataclasses.fields(IdentitySpec)}
    assert fields == set(CHECKED_FIELDS) | rendered and not rendered & set(CHECKED_FIELDS)
    for identity_id in SEED_IDS:
        spec = docs_specs()[identity_id]
        renamed = dataclasses.replace(
            spec,
            title="Another title",
            references=References(("1",), ("9.9",), ("Another table",)),
            source="Another book",
            corrected="another-id",
        )
        results = [check_identity(s) for s in (spec, renamed)]
        assert results[0].status in ("verified", "refuted")
        first, second = (dataclasses.replace(r, spec=None, formula=None) for r in results)
        assert first == second, identity_id


def test_a_broken_edit_is_caught_even_with_a_warm_cache(docs: Path, cache: ResultCache) -> None:
    check_docs(docs, "docs", cache)
    page = docs / "seed.md"
    text = page.read_text(encoding="utf-8")
    page.write_text(text.replace(r"= \boldsymbol{a}^\text{T}", r"= \boldsymbol{a}", 1))
    report = check_docs(docs, "docs", ResultCache(cache.directory))
    assert report.computed == ["linear-form"]
    line = formula_line(page.read_text(encoding="utf-8"), "linear-form")
    (message,) = report.messages()
    assert message.startswith(f"docs/seed.md:{line}: [linear-form] ")


def test_moved_identities_are_reused_at_their_new_lines(docs: Path, cache: ResultCache) -> None:
    check_docs(docs, "docs", cache)
    page = docs / "seed.md"
    text = page.read_text(encoding="utf-8")
    heading_end = text.index("\n") + 1
    page.write_text(
        text[:heading_end] + "\nA new paragraph.\n\nAnd another.\n" + text[heading_end:]
    )
    moved = check_docs(docs, "docs", ResultCache(cache.directory))
    assert moved.computed == []
    _same_results(moved, _fresh(docs))


def _entry(cache: ResultCache, report: Report, identity_id: str) -> Path:
    spec = report.result(identity_id).spec
    return cache.path(cache.key(spec))


@pytest.mark.parametrize(
    ("damage", "note"),
    [
        ("truncate", "not valid JSON"),
        ("garbage", "unreadable"),
        ("tamper", "checksum does not match"),
        ("copied", "another key"),
    ],
)
def test_a_damaged_entry_is_noted_and_recomputed(
    docs: Path, cache: ResultCache, damage: str, note: str
) -> None:
    first = check_docs(docs, "docs", cache)
    target = _entry(cache, first, "linear-form")
    text = target.read_text(encoding="utf-8")
    if damage == "truncate":
        target.write_text(text[: len(text) // 2], encoding="utf-8")
    elif damage == "garbage":
        target.write_bytes(b"\xff\xfe\x00garbage")
    elif damage == "tamper":
        # Claim that the identity failed: a forged verdict must never reach a report.
        entry = json.loads(text)
        entry["payload"] = entry["payload"].replace('"verified"', '"failed"')
        target.write_text(json.dumps(entry), encoding="utf-8")
    else:
        # Another identity's consistent entry copied over this one's file.
        shutil.copy2(_entry(cache, first, "bilinear-form"), target)
    again = check_docs(docs, "docs", ResultCache(cache.directory))
    assert again.computed == ["linear-form"]
    (message,) = again.notes
    assert message.startswith("[linear-form] the cached result was not used: ") and note in message
    _same_results(again, _fresh(docs))
    # The entry was rewritten: the next run trusts it again.
    assert check_docs(docs, "docs", ResultCache(cache.directory)).computed == []


def test_a_new_engine_removes_the_results_of_the_others_and_nothing_else(
    docs: Path, cache: ResultCache, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The cache does not grow with every change of the engine: results another engine stored
    can never be used again, so opening the cache removes them, in its current layout and in
    the one before it (entries and texts directly in the directory). Other files stay."""
    check_docs(docs, "docs", cache)
    cache.store_texts({"x": "x"})
    old_engine = cache.entries
    legacy = cache.directory / f"{'0' * 64}.json"
    legacy.write_text("{}", encoding="utf-8")
    (cache.directory / cache_module.TEXTS_FILE).write_text("{}", encoding="utf-8")
    unrelated = [cache.directory / "notes.txt", cache.directory / "engine-notes.txt"]
    for path in unrelated:
        path.write_text("kept", encoding="utf-8")
    same = ResultCache(cache.directory)
    assert same.entries == old_engine and len(list(old_engine.glob("*.json"))) == 1 + len(SEED_IDS)
    assert not legacy.exists()

    monkeypatch.setattr(cache_module, "engine_fingerprint", lambda: "f" * 64)
    new = ResultCache(cache.directory)
    assert new.entries != old_engine and not old_engine.exists()
    assert sorted(p.name for p in cache.directory.iterdir()) == sorted(p.name for p in unrelated)
    assert check_docs(docs, "docs", new).computed == list(SEED_IDS)
    assert len(list(new.entries.glob("*.json"))) == len(SEED_IDS)


def test_an_entry_holding_another_identity_is_not_trusted(docs: Path, cache: ResultCache) -> None:
    first = check_docs(docs, "docs", cache)
    target = _entry(cache, first, "linear-form")
    entry = json.loads(_entry(cache, first, "bilinear-form").read_text(encoding="utf-8"))
    entry["key"] = target.stem  # relabelled, with a valid checksum of its (foreign) payload
    target.write_text(json.dumps(entry), encoding="utf-8")
    again = check_docs(docs, "docs", ResultCache(cache.directory))
    assert again.computed == ["linear-form"]
    assert "the result of another identity" in again.notes[0]
    _same_results(again, _fresh(docs))


def test_the_codec_rebuilds_only_dataclasses_of_the_engine() -> None:
    stored = json.dumps({"@": "subprocess:Popen", "args": []})
    with pytest.raises(codec.CodecError, match="not a matrixcheck dataclass"):
        codec.loads(stored)
    with pytest.raises(codec.CodecError):
        codec.dumps(object())


def test_the_codec_rebuilds_every_kind_of_value_as_it_was() -> None:
    """Every result of the docs, and every container the codec knows, read back equal and of the
    same types; the transform is applied to every dataclass on the way in and on the way out."""
    results = [
        dataclasses.replace(r, spec=None, formula=None) for r in check_docs(DOCS, "docs").results
    ]
    assert codec.loads(codec.dumps(results)) == results
    value = {
        "list": [1, 2.5, None, True, "x"],
        (1, "tuple"): (Fraction(-3, 4), frozenset({"a", (1, 2)})),
        "nested": [{"k": []}, (), frozenset(), {}],
        "location": Location("page.md", 12),
    }
    moved = codec.loads(codec.dumps(value))
    assert moved == value and type(moved["list"]) is list and type(moved[(1, "tuple")]) is tuple

    def shifted(by: int) -> codec.Transform:
        def transform(item: object) -> object:
            return Location(item.path, item.line + by) if isinstance(item, Location) else item

        return transform

    text = codec.dumps(value, shifted(-10))
    assert '{"@":"matrixcheck.model:Location","line":2,"path":"page.md"}' in text
    assert codec.loads(text, shifted(10)) == value


def test_one_reader_reads_many_texts_each_with_its_own_transform() -> None:
    """The cache reads every entry with one :class:`codec.Reader`: a text it refused, or the
    transform of the text before, changes nothing in how it reads the next."""
    reader = codec.Reader()
    text = codec.dumps([Location("", 2), (Location("", 3),)])
    with pytest.raises(codec.CodecError):
        reader.loads(text.replace('"line":2', '"line":2,"x":1'))
    for page in ("a.md", "b.md"):

        def moved(item: object, page: str = page) -> object:
            return Location(page, item.line + 10) if isinstance(item, Location) else item

        assert reader.loads(text, moved) == [Location(page, 12), (Location(page, 13),)]
    assert reader.loads(text) == codec.loads(text) == [Location("", 2), (Location("", 3),)]


def test_a_dataclass_whose_init_does_more_is_rebuilt_field_by_field() -> None:
    """Stored fields are set exactly as stored: a class whose ``__init__`` would compute or check
    something is not built through it."""

    @dataclasses.dataclass
    class Checked:
        value: int
        twice: int = dataclasses.field(init=False)

        def __post_init__(self) -> None:
            raise AssertionError("__init__ ran")

    @dataclasses.dataclass
    class Computed:
        value: int
        twice: int = dataclasses.field(init=False)

    for cls in (Checked, Computed):
        build = codec._builder(cls)
        assert build is not cls
        rebuilt = build(twice=3, value=1)
        assert type(rebuilt) is cls and (rebuilt.value, rebuilt.twice) == (1, 3)
    assert codec._builder(Location) is Location


LOCATION = '"@": "matrixcheck.model:Location"'


@pytest.mark.parametrize(
    ("stored", "error"),
    [
        ('{"line": 3, "path": "p"}', "unexpected stored value"),
        ('[{"line": 3, "path": "p"}]', "unexpected stored value"),
        ('{"@": null, "line": 3, "path": "p"}', "unexpected stored value"),
        ('{"@": ["x"], "line": 3, "path": "p"}', "unexpected stored value"),
        (f'{{{LOCATION}, "line": 3}}', r"has the fields \['line', 'path'\], not \['line'\]"),
        (f'{{{LOCATION}, "line": 3, "path": "p", "x": 4}}', "has the fields"),
        (f'{{{LOCATION}, "path": "p", "line": 3}}', "has the fields"),
        (f'{{"line": 3, {LOCATION}, "path": "p"}}', "has the fields"),
        ('{"@": "matrixcheck.model:Location(line,path)", "line": 3, "path": "p"}', "not a matr"),
        ('{"@": "subprocess:Popen", "args": []}', "not a matrixcheck dataclass"),
        ('{"@": "matrixcheck.model:Nowhere"}', "no longer exists"),
        ('{"@": "matrixcheck.model:CHECKED_FIELDS"}', "is not a dataclass"),
        ('{"D": ["a", 1, "b"]}', "unexpected stored value"),
        ('{"D": [["a", 1]]}', "unexpected stored value"),
        ('{"D": [[1], 2]}', "not hashable"),
        ('{"S": [[1]]}', "not hashable"),
        ('{"S": "ab"}', "unexpected stored value"),
        ('{"Q": "1/0"}', "not a fraction"),
        ('{"Q": 3}', "unexpected stored value"),
        ('{"T": [1], "S": [2]}', "unexpected stored value"),
        ('{"X": 1}', "unexpected stored value"),
        ('{"T": [1]', "not valid JSON"),
    ],
)
def test_the_codec_refuses_what_it_did_not_write(stored: str, error: str) -> None:
    """Objects are read by the JSON parser's hook, inner ones first: an object that is no tagged
    value, a malformed tag, or a dataclass stored with other fields than its class has, is an
    error, never a value."""
    with pytest.raises(codec.CodecError, match=error):
        codec.loads(stored)


def test_the_engine_fingerprint_reads_the_versions_metadata_reports() -> None:
    for name in (*cache_module.DEPENDENCIES, "mkdocs", "PyYAML", "Markdown"):
        assert cache_module._version(name) == metadata.version(name), name
    assert cache_module._version("no-such-package-here") == "absent"


def test_an_unwritable_cache_is_a_note_not_a_failure(docs: Path, tmp_path: Path) -> None:
    blocked = tmp_path / "file-not-directory"
    blocked.write_text("", encoding="utf-8")
    report = check_docs(docs, "docs", ResultCache(blocked))
    assert report.ok and report.computed == list(SEED_IDS)
    (note,) = report.notes
    assert "could not be written" in note


def test_a_cache_whose_directory_was_removed_stores_again(docs: Path, cache: ResultCache) -> None:
    """Under ``serve`` the cache stays open while, say, ``make clean`` removes its directory."""
    check_docs(docs, "docs", cache)
    shutil.rmtree(cache.directory)
    page = docs / "seed.md"
    old = r"\boldsymbol{x}^\text{T} (\boldsymbol{A} + \boldsymbol{A}^\text{T})"
    new = r"\boldsymbol{x}^\text{T} (\boldsymbol{A}^\text{T} + \boldsymbol{A})"
    page.write_text(page.read_text(encoding="utf-8").replace(old, new), encoding="utf-8")
    report = check_docs(docs, "docs", cache)
    assert report.computed == ["quadratic-form"] and report.notes == []
    assert [path.name for path in cache.entries.glob("*.json")] == [
        f"{cache.key(report.result('quadratic-form').spec)}.json"
    ]


def test_the_readable_texts_of_formulas_are_stored_and_read_back(cache: ResultCache) -> None:
    texts = ReadableTexts()
    assert texts.text(r"\boldsymbol X^{-1}") == "X⁻¹" and texts.changed
    cache.store_texts(texts.used)
    again = ReadableTexts(ResultCache(cache.directory).load_texts())
    assert again.known == {r"\boldsymbol X^{-1}": "X⁻¹"}
    assert again.text(r"\boldsymbol X^{-1}") == "X⁻¹" and not again.changed
    assert again.text("y") == "y" and again.changed


def test_stored_texts_are_taken_as_stored_not_converted_again(cache: ResultCache) -> None:
    """What makes a warm build cheap: a formula whose text is known is not read again."""
    cache.store_texts({"x": "stored"})
    assert ReadableTexts(cache.load_texts()).text("x") == "stored"


@pytest.mark.parametrize(
    ("damage", "noted"),
    [
        (lambda text: text[: len(text) // 2], "unreadable"),
        (lambda text: text.replace("X^{-1}", "Y^{-1}"), "checksum"),
        (lambda text: text.replace('"engine": "', '"engine": "another '), ""),
    ],
)
def test_damaged_or_foreign_texts_are_not_used(cache: ResultCache, damage, noted: str) -> None:
    cache.store_texts({r"X^{-1}": "X⁻¹"})
    path = cache.entries / cache_module.TEXTS_FILE
    path.write_text(damage(path.read_text(encoding="utf-8")), encoding="utf-8")
    assert cache.load_texts() == {}
    notes = cache.take_notes()
    assert [noted in note for note in notes] == ([True] if noted else [])


def test_stored_texts_that_are_not_texts_are_not_used(cache: ResultCache) -> None:
    cache.store_texts({"x": 1})  # type: ignore[dict-item]
    assert cache.load_texts() == {}
    assert ["not texts" in note for note in cache.take_notes()] == [True]
