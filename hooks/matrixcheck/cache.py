"""On-disk cache of check results, keyed by everything that can change a result.

Checking an identity is deterministic: its result depends only on what the check reads of the
block (:data:`~matrixcheck.model.CHECKED_FIELDS`: formula, proof, declarations, layout, whether it
is refuted, id — the id seeds the samples) and on the engine (its own source and the versions of
Python, NumPy, mpmath and gmpy2). The key of an entry is a SHA-256 of exactly that, so an identity
whose formula, proof or declarations are edited misses the cache and is checked again while every
other one is read back; an edited title or citation changes nothing the check reads, and the
stored result is shown under it. Line numbers enter the key only relative to the block's first
line: inserting lines above an identity moves it without re-checking it, and the stored result is
moved with it.

Each entry is one JSON file holding its key, the payload (the result, written by :mod:`codec`,
without the block it came from, which the key stands for; with the block's own hash instead; and
without the parsed formula, which the engine parses again in the rare case it needs it) and a
SHA-256 checksum of the payload. A file that cannot be read, is truncated, has another key,
a wrong checksum or a payload for another identity is never trusted: it becomes a note and the
identity is checked again. The cache only saves time; a build without it gives the same results.
Next to the entries, one file keeps the readable text of each formula the last build gave the
site search (see :mod:`plaintext`), under the same rules: another engine's, one whose checksum
fails or one that does not map texts to texts is not used.

The entries live in one subdirectory per engine (``engine-`` and the start of its fingerprint).
Results of another engine can never be used again, so opening the cache removes the other
engines' subdirectories: the cache does not grow with every change of the engine, only by the
entries of edited identities, about one build's worth per version of the docs.
Set ``MATRIXCHECK_CACHE`` to a directory to move it, or to ``off`` to disable it.
"""

from __future__ import annotations

import contextlib
import dataclasses
import functools
import gc
import hashlib
import json
import os
import re
import shutil
import sys
from collections.abc import Iterator
from importlib import metadata
from pathlib import Path

from . import codec
from .model import CHECKED_FIELDS, IdentitySpec, Location
from .results import IdentityResult

ENVIRONMENT = "MATRIXCHECK_CACHE"
DISABLED = ("off", "none", "0", "false", "no")
#: Where the cache lives below the project directory (next to ``docs/``), unless configured.
DEFAULT_DIRECTORY = Path(".cache") / "matrixcheck"
DEPENDENCIES = ("numpy", "mpmath", "gmpy2", "sympy")
FORMAT = 3
#: The readable texts of the formulas the last build showed the search (one file, see
#: :meth:`ResultCache.load_texts`).
TEXTS_FILE = "readable-texts.json"
#: The subdirectories of the engines: this prefix and the first characters of the fingerprint.
ENGINE_PREFIX = "engine-"
#: An entry's file name in the layout before the engine subdirectories.
LEGACY_ENTRY = re.compile(r"[0-9a-f]{64}\.json")


@functools.cache
def engine_fingerprint() -> str:
    """A hash of the engine's source files and of the versions of what it runs on."""
    digest = hashlib.sha256(f"format {FORMAT}\0{sys.version}\0".encode())
    for name in DEPENDENCIES:
        digest.update(f"{name}=={_version(name)}\0".encode())
    for path in sorted(Path(__file__).parent.glob("*.py")):
        digest.update(f"{path.name}\0".encode() + path.read_bytes() + b"\0")
    return digest.hexdigest()


def _version(name: str) -> str:
    """What ``metadata.version(name)`` says, read from the header of the package's metadata
    without parsing the long description below it as e-mail (which takes a millisecond)."""
    try:
        text = metadata.distribution(name).read_text("METADATA")
    except metadata.PackageNotFoundError:
        return "absent"
    header = (text or "").split("\n\n", 1)[0]
    found = re.search(r"^Version:[ \t]*(\S+)[ \t]*$", header, re.MULTILINE)
    return found.group(1) if found else metadata.version(name)


def _relative(spec: IdentitySpec) -> codec.Transform:
    """Locations as line offsets from the block's first line, without the page."""
    base = spec.location.line

    def transform(value: object) -> object:
        if isinstance(value, Location):
            return Location("", value.line - base)
        return value

    return transform


def _absolute(spec: IdentitySpec) -> codec.Transform:
    """Stored offsets back to lines of the page the block is on now."""
    path, base = spec.location.path, spec.location.line

    def transform(value: object) -> object:
        if isinstance(value, Location):
            return Location(path, value.line + base)
        return value

    return transform


def _identify(spec: IdentitySpec) -> tuple[str, str]:
    """The entry's key (what the check reads of the block, and the engine) and the hash of what
    it reads of the block."""
    checked = {name: getattr(spec, name) for name in CHECKED_FIELDS}
    spec_text = codec.dumps(checked, _relative(spec))
    return _sha256(engine_fingerprint() + "\0" + spec_text), _sha256(spec_text)


def _sha256(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


@contextlib.contextmanager
def _collector_paused() -> Iterator[None]:
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


class ResultCache:
    """Check results stored as one JSON file per key in this engine's subdirectory of
    ``directory`` (:attr:`entries`); creating the instance removes the other engines' ones.

    An instance also remembers every result it has read or stored: a process that checks the
    same docs again (``mkdocs serve`` rebuilding after an edit) gets an unchanged identity that
    has not moved back from memory, without reading or decoding its file. It also remembers the
    key of each spec object it was given: an unchanged page's scan, and with it its specs, is kept
    by :mod:`project`, so a rebuild does not encode and hash its identities again (nor does
    storing a result just checked after its lookup missed). After each build it keeps only what
    that build's specs use (:meth:`retain`), so a long ``mkdocs serve`` session holds one build's
    worth, however many edits it has seen.
    """

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        #: This engine's entries and texts (see :meth:`_remove_other_engines`).
        self.entries = directory / f"{ENGINE_PREFIX}{engine_fingerprint()[:16]}"
        self._remove_other_engines()
        self.notes: list[str] = []
        self.remembered: dict[str, IdentityResult] = {}
        self._identities: dict[int, tuple[IdentitySpec, str, str]] = {}
        self._reader = codec.Reader()

    def _remove_other_engines(self) -> None:
        """Remove what other engines left in the directory: their subdirectories, and the entries
        and texts of the layout before subdirectories (files directly in the directory). Nothing
        else is touched, and what cannot be removed stays (it is never read)."""
        try:
            children = list(os.scandir(self.directory))
        except OSError:
            return
        for child in children:
            if child.name.startswith(ENGINE_PREFIX) and child.name != self.entries.name:
                if child.is_dir(follow_symlinks=False):
                    shutil.rmtree(child.path, ignore_errors=True)
            elif child.name == TEXTS_FILE or LEGACY_ENTRY.fullmatch(child.name):
                with contextlib.suppress(OSError):
                    os.unlink(child.path)

    @classmethod
    def configured(cls, project_dir: Path) -> ResultCache | None:
        """The cache ``MATRIXCHECK_CACHE`` names, by default ``.cache/matrixcheck`` there."""
        setting = os.environ.get(ENVIRONMENT, "").strip()
        if setting.lower() in DISABLED:
            return None
        return cls(Path(setting) if setting else project_dir / DEFAULT_DIRECTORY)

    def key(self, spec: IdentitySpec) -> str:
        return self._identify(spec)[0]

    def _identify(self, spec: IdentitySpec) -> tuple[str, str]:
        """:func:`_identify`, once per spec object (kept with it, so its id is not reused)."""
        known = self._identities.get(id(spec))
        if known is not None and known[0] is spec:
            return known[1], known[2]
        key, spec_hash = _identify(spec)
        self._identities[id(spec)] = (spec, key, spec_hash)
        return key, spec_hash

    def retain(self, specs: list[IdentitySpec]) -> None:
        """Forget the keys and results of every spec but ``specs`` (the build just done)."""
        kept = {id(spec) for spec in specs}
        self._identities = {k: known for k, known in self._identities.items() if k in kept}
        keys = {known[1] for known in self._identities.values()}
        self.remembered = {k: result for k, result in self.remembered.items() if k in keys}

    def path(self, key: str) -> Path:
        return Path(self._file(key))

    def _file(self, key: str) -> str:
        """The entry's file name, as text (cheaper to open than a :class:`Path` made per entry)."""
        return os.path.join(self.entries, f"{key}.json")

    def load_all(self, specs: list[IdentitySpec]) -> list[IdentityResult | None]:
        """:meth:`load` of each spec. Reading results back builds tens of thousands of objects
        and no garbage, so the cyclic garbage collector is paused meanwhile: it would otherwise
        walk the growing heap again and again (about a tenth of the time)."""
        with _collector_paused():
            return [self.load(spec) for spec in specs]

    def load(self, spec: IdentitySpec) -> IdentityResult | None:
        """The stored result of ``spec``, or None (missing, or not trusted: then a note)."""
        key, spec_hash = self._identify(spec)
        remembered = self.remembered.get(key)
        if remembered is not None and remembered.spec.location == spec.location:
            remembered.spec = spec
            return remembered
        try:
            with open(self._file(key), "rb", buffering=0) as file:
                text = file.read().decode("utf-8")
        except (FileNotFoundError, NotADirectoryError):
            return None
        except (OSError, UnicodeDecodeError) as error:
            return self._distrust(spec, f"unreadable ({error})")
        try:
            entry = json.loads(text)
        except ValueError:
            return self._distrust(spec, "not valid JSON (truncated or corrupt)")
        if not isinstance(entry, dict) or entry.get("key") != key:
            return self._distrust(spec, "stored under another key")
        payload = entry.get("payload")
        if not isinstance(payload, str) or entry.get("checksum") != _sha256(payload):
            return self._distrust(spec, "its checksum does not match its contents")
        try:
            stored = self._reader.loads(payload, _absolute(spec))
        except codec.CodecError as error:
            return self._distrust(spec, f"unreadable result ({error})")
        if not isinstance(stored, dict) or not isinstance(stored.get("result"), IdentityResult):
            return self._distrust(spec, "it does not hold an identity's result")
        if stored.get("spec") != spec_hash:
            return self._distrust(spec, "it holds the result of another identity")
        result = self.remembered[key] = stored["result"]
        result.spec = spec
        return result

    def take_notes(self) -> list[str]:
        """The notes since the last call (a cache kept across builds reports each note once)."""
        notes, self.notes = self.notes, []
        return notes

    def _distrust(self, spec: IdentitySpec, why: str) -> None:
        self.notes.append(
            f"[{spec.id}] the cached result was not used: {why}; the identity was checked again"
        )

    def store(self, spec: IdentitySpec, result: IdentityResult) -> None:
        """Write the entry atomically; a result the codec cannot store is simply not cached."""
        key, spec_hash = self._identify(spec)
        self.remembered[key] = result
        stored = {"spec": spec_hash, "result": dataclasses.replace(result, spec=None, formula=None)}
        try:
            payload = codec.dumps(stored, _relative(spec))
        except codec.CodecError as error:
            self.notes.append(f"[{spec.id}] the result was not cached: {error}")
            return
        self._write(self.path(key), {"key": key, "checksum": _sha256(payload), "payload": payload})

    def _write(self, target: Path, entry: dict[str, str]) -> None:
        """Write ``entry`` as JSON to ``target`` atomically (a reader sees the old file or the
        new one, never half of it); a failure becomes one note."""
        temporary = target.with_name(f".{target.stem}.{os.getpid()}.tmp")
        text = json.dumps(entry)
        try:
            try:
                temporary.write_text(text, encoding="utf-8")
            except FileNotFoundError:  # the first entry, or the directory was removed meanwhile
                self.entries.mkdir(parents=True, exist_ok=True)
                temporary.write_text(text, encoding="utf-8")
            os.replace(temporary, target)
        except OSError as error:
            note = f"the cache in {self.directory} could not be written ({error.strerror})"
            if note not in self.notes:
                self.notes.append(note)

    def load_texts(self) -> dict[str, str]:
        """The readable texts of formulas the last build stored (see :mod:`plaintext`): none if
        there are none, if another engine stored them, or if the file is not trusted (a note)."""
        try:
            with open(self.entries / TEXTS_FILE, "rb") as file:
                entry = json.loads(file.read().decode("utf-8"))
        except FileNotFoundError:
            return {}
        except (OSError, ValueError) as error:
            self.notes.append(f"the stored texts of formulas were not used: unreadable ({error})")
            return {}
        if not isinstance(entry, dict) or entry.get("engine") != engine_fingerprint():
            return {}
        payload = entry.get("payload")
        if not isinstance(payload, str) or entry.get("checksum") != _sha256(payload):
            self.notes.append(
                "the stored texts of formulas were not used: their checksum does not match"
            )
            return {}
        texts = json.loads(payload)
        if not isinstance(texts, dict) or not all(isinstance(t, str) for t in texts.values()):
            self.notes.append("the stored texts of formulas were not used: they are not texts")
            return {}
        return texts

    def store_texts(self, texts: dict[str, str]) -> None:
        payload = json.dumps(texts, ensure_ascii=False, sort_keys=True)
        entry = {"engine": engine_fingerprint(), "checksum": _sha256(payload), "payload": payload}
        self._write(self.entries / TEXTS_FILE, entry)
