"""Watchlist imports, versions, diffs and the screening index, on both databases, as an analyst would see them."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select, text

from safepassage.domain.errors import Conflict, Forbidden, InvalidInput, NotFound
from safepassage.screening import Screener
from safepassage.security.policy import Role
from safepassage.services import watchlists
from safepassage.store.models import AuditEntry
from safepassage.store.models_watchlists import WatchlistEntry, WatchlistStaging, WatchlistVersion
from safepassage.store.uow import Actor, Database
from tests.conftest import Env

SYSTEM = Actor.system()


def ftm(entity_id: str, name: str, **props: Any) -> str:
    """One FtM JSON line of a person."""
    properties = {"name": [name], **{k: v if isinstance(v, list) else [v] for k, v in props.items()}}
    return json.dumps({"id": entity_id, "schema": "Person", "properties": properties}, ensure_ascii=False)


def write(tmp_path: Path, name: str, lines: list[str]) -> Path:
    path = tmp_path / name
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


V1 = [
    ftm("p1", "Иван Петрович Сидоров", birthDate="1971-04-03"),
    ftm("p2", "Ґанна Їжакова-Вигадана"),
    ftm("p3", "Пётр Ёлкин", alias=["Pyotr Yolkin"]),
    ftm("p4", "Олег Zеро\u200bширинный"),  # zero-width space, Latin Z
]
V2 = [
    ftm("p1", "Иван Петрович Сидоров", birthDate="1971-03-04"),  # changed: day and month swapped
    ftm("p3", "Пётр Ёлкин", alias=["Pyotr Yolkin"]),  # unchanged
    ftm("p4", "Олег Zеро\u200bширинный"),  # unchanged
    ftm("p5", "Сергей Новенький", birthDate="1990"),  # added; p2 removed
]


def _import(env: Env, path: Path, name: str = "wanted", **kw: Any) -> watchlists.ImportReport:
    return watchlists.import_watchlist(env.db, actor=SYSTEM, name=name, path=path, **kw)


def _live_ids(env: Env, name: str = "wanted") -> set[str]:
    index = watchlists.current_index(env.db)
    return {index.screener.fields(i)[0] for i in range(len(index.screener))} if name in index.versions else set()


def test_import_then_reimport_counts_added_removed_changed_and_diff_lists_them(env: Env, tmp_path: Path) -> None:
    r1 = _import(env, write(tmp_path, "v1.jsonl", V1), source="Ministry list, 2026-11-01")
    assert (r1.version, r1.total, r1.added, r1.removed, r1.changed, r1.skipped) == (1, 4, 4, 0, 0, 0)
    r2 = _import(env, write(tmp_path, "v2.jsonl", V2))
    assert (r2.version, r2.total, r2.added, r2.removed, r2.changed, r2.unchanged) == (2, 4, 1, 1, 1, 2)
    d = watchlists.diff(env.db, actor=SYSTEM, name="wanted")
    assert [e.entity_id for e in d.added] == ["p5"]
    assert [e.entity_id for e in d.removed] == ["p2"] and d.removed[0].caption == "Ґанна Їжакова-Вигадана"
    assert [(e.entity_id, e.birth_dates) for e in d.changed] == [("p1", ("1971-03-04",))]
    # Any two versions, both directions; version 0 is "before the first import".
    assert {e.entity_id for e in watchlists.diff(env.db, actor=SYSTEM, name="wanted", from_version=0,
                                                 to_version=1).added} == {"p1", "p2", "p3", "p4"}
    back = watchlists.diff(env.db, actor=SYSTEM, name="wanted", from_version=2, to_version=1)
    assert [e.entity_id for e in back.added] == ["p2"] and [e.entity_id for e in back.removed] == ["p5"]
    # Unchanged persons are stored once, not once per version.
    with env.db.uow() as uow:
        assert uow.count(WatchlistEntry) == 4 + 2
        assert uow.count(WatchlistStaging) == 0
    lists = watchlists.list_watchlists(env.db, actor=SYSTEM)
    assert [(v.number, v.status) for v in lists[0].versions] == [(2, "current"), (1, "superseded")]
    assert lists[0].source == "Ministry list, 2026-11-01" and len(lists[0].versions[0].file_sha256) == 64


def test_bad_lines_are_skipped_and_reported_with_line_numbers(env: Env, tmp_path: Path) -> None:
    lines = [
        ftm("ok1", "Микола Добрий"),
        "{not json",
        json.dumps({"id": "", "schema": "Person", "properties": {"name": ["x"]}}),
        json.dumps({"id": "noname", "schema": "Person", "properties": {"birthDate": ["1980"]}}),
        json.dumps({"id": "org", "schema": "Company", "properties": {"name": ["ООО «Рога»"]}}),
        json.dumps({"id": "x" * 300, "schema": "Person", "properties": {"name": ["Длинный Идентификатор"]}}),
        ftm("ok1", "Микола Дубль"),
        "",
        ftm("ok2", "<script>alert(1)</script> Разметкин"),
    ]
    path = write(tmp_path, "bad.jsonl", lines)
    with path.open("ab") as fh:
        fh.write(b'{"id": "bin", "schema": "Person", "properties": {"name": ["\xff\xfe"]}}\n')
    r = _import(env, path)
    assert r.total == 2 and r.other_schemas == 1
    assert [i.line for i in r.issues] == [2, 3, 4, 6, 7, 10]
    assert "invalid JSON" in r.issues[0].message and "line 1" in r.issues[4].message
    assert "UTF-8" in r.issues[5].message
    version = watchlists.list_watchlists(env.db, actor=SYSTEM)[0].versions[0]
    assert version.skipped == 6 and [line for line, _ in version.issues] == [2, 3, 4, 6, 7, 10]


def test_strict_import_aborts_on_a_bad_line_and_changes_nothing(env: Env, tmp_path: Path) -> None:
    _import(env, write(tmp_path, "v1.jsonl", V1))
    with pytest.raises(InvalidInput, match="Line 3"):
        _import(env, write(tmp_path, "v2.jsonl", [*V2[:2], "{bad", *V2[2:]]), strict=True)
    assert watchlists.current_index(env.db).versions == {"wanted": 1}
    assert _live_ids(env) == {"p1", "p2", "p3", "p4"}


def test_a_file_without_persons_is_refused_rather_than_emptying_the_list(env: Env, tmp_path: Path) -> None:
    _import(env, write(tmp_path, "v1.jsonl", V1))
    with pytest.raises(InvalidInput, match="no usable persons"):
        _import(env, write(tmp_path, "empty.jsonl", ["{oops", ""]))
    assert watchlists.current_index(env.db).versions == {"wanted": 1}


def test_csv_import_with_aliases_dates_and_bad_rows(env: Env, tmp_path: Path) -> None:
    path = tmp_path / "list.csv"
    path.write_text(
        "\ufeffid,first_name,patronymic,last_name,alias,birth_date\n"
        'c1,Євген,Олександрович,Ковальчук,"Evgeny Kovalchuk;Yevhen Kovalchuk",1980-02-01;1980-01-02\n'
        "c2,Ґрицько,,Шевченко,,\n"
        "c3,too,few\n"
        "c4,,,,,\n",
        encoding="utf-8",
    )
    r = _import(env, path, name="csv-list", fmt="csv")
    assert (r.total, [i.line for i in r.issues]) == (2, [4, 5])
    index = watchlists.current_index(env.db)
    hit = index.screener.screen({"id": "q", "schema": "Person", "properties": {"name": ["Yevhen Kovalchuk"]}})[0]
    assert hit.entity_id == "c1"
    entry = index.entry("c1")
    assert entry is not None and entry["properties"]["birthDate"] == ["1980-02-01", "1980-01-02"]
    assert entry["list"] == "csv-list" and entry["version"] == 1
    no_id = tmp_path / "noid.csv"
    no_id.write_text("name,birth_date\nX,1990\n", encoding="utf-8")
    with pytest.raises(InvalidInput, match="Line 1"):
        _import(env, no_id, name="csv-list", fmt="csv")
    assert watchlists.current_index(env.db).versions == {"csv-list": 1}


def test_a_failure_midway_leaves_the_previous_version_current_and_no_leftovers(
    env: Env, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _import(env, write(tmp_path, "v1.jsonl", V1))
    before = watchlists.current_index(env.db)

    def boom(*_: Any) -> Any:
        raise RuntimeError("disk full")

    monkeypatch.setattr(watchlists, "_apply", boom)
    with pytest.raises(RuntimeError):
        _import(env, write(tmp_path, "v2.jsonl", V2 * 1))
    monkeypatch.undo()
    assert watchlists.current_index(env.db) is before  # same versions: the cached index is still valid
    with env.db.uow() as uow:
        assert uow.count(WatchlistStaging) == 0
        assert uow.session.scalar(select(func.count()).select_from(WatchlistVersion)) == 1
        failed = uow.session.scalars(select(AuditEntry.event).order_by(AuditEntry.seq)).all()
        assert failed[-1] == "watchlist.import_failed"
    # Killed in the middle of writing rows (the progress callback stands in for the kill):
    def kill(_: int) -> None:
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        _import(env, write(tmp_path, "v2.jsonl", V2), progress=kill)
    assert _live_ids(env) == {"p1", "p2", "p3", "p4"}
    assert _import(env, write(tmp_path, "v2.jsonl", V2)).version == 2
    assert _live_ids(env) == {"p1", "p3", "p4", "p5"}


def test_an_abandoned_import_is_cleaned_up_by_the_next_and_a_running_one_blocks(env: Env, tmp_path: Path) -> None:
    _import(env, write(tmp_path, "v1.jsonl", V1))
    _, version_id, number = watchlists._start(env.db, SYSTEM, "wanted", "ftm", "")
    with env.db.uow() as uow:  # as a killed import leaves things: pending rows of version 2
        uow.session.execute(text("UPDATE watchlist_entries SET removed_in = :n WHERE entity_id = 'p2'"), {"n": number})
        uow.commit()
    assert _live_ids(env) == {"p1", "p2", "p3", "p4"}  # pending changes are invisible
    with pytest.raises(Conflict, match="already running"):
        _import(env, write(tmp_path, "v2.jsonl", V2))
    with env.db.uow() as uow:
        uow.session.execute(text("UPDATE watchlist_versions SET imported_at = :t WHERE id = :i"),
                            {"t": "2000-01-01 00:00:00", "i": version_id})
        uow.commit()
    r = _import(env, write(tmp_path, "v2.jsonl", V2))
    assert (r.version, r.added, r.removed, r.changed) == (2, 1, 1, 1)


def test_current_index_is_cached_and_rebuilt_when_a_version_changes(env: Env, tmp_path: Path) -> None:
    _import(env, write(tmp_path, "v1.jsonl", V1))
    first = watchlists.current_index(env.db)
    assert watchlists.current_index(env.db) is first and first.versions == {"wanted": 1}
    query = {"id": "q", "schema": "Person", "properties": {"name": ["Sergei Novenky"]}}
    assert all(h.entity_id != "p5" for h in first.screener.screen(query))
    _import(env, write(tmp_path, "v2.jsonl", V2))
    second = watchlists.current_index(env.db)
    assert second is not first and second.versions == {"wanted": 2}
    assert second.screener.screen(query)[0].entity_id == "p5"
    assert second.entry("p2") is None and first.entry("p2") is not None  # each index answers for its versions
    # A second list: one index over both, entries name their list.
    _import(env, write(tmp_path, "other.jsonl", [ftm("o1", "Остап Другой"), ftm("p3", "Пётр Ёлкин")]), name="other")
    both = watchlists.current_index(env.db)
    assert both.versions == {"wanted": 2, "other": 1} and len(both.screener) == 5  # p3 once
    p3 = both.entry("p3")
    assert p3 is not None and sorted(p3["lists"]) == ["other", "wanted"]


def test_changes_since_and_screener_for_what_changed(env: Env, tmp_path: Path) -> None:
    _import(env, write(tmp_path, "v1.jsonl", V1))
    assert watchlists.changes_since(env.db, {"wanted": 1}).to_screen == frozenset()
    everything = watchlists.changes_since(env.db, {})
    assert everything.added == {"p1", "p2", "p3", "p4"} and everything.versions == {"wanted": 1}
    _import(env, write(tmp_path, "v2.jsonl", V2))
    _import(env, write(tmp_path, "v3.jsonl", [*V2, ftm("p6", "Тарас Третий")]))
    c = watchlists.changes_since(env.db, {"wanted": 1})
    assert (set(c.added), set(c.changed), set(c.removed), c.versions) == ({"p5", "p6"}, {"p1"}, {"p2"}, {"wanted": 3})
    assert watchlists.changes_since(env.db, {"wanted": 2}).to_screen == {"p6"}
    screener = watchlists.screener_for(env.db, c.to_screen | {"nonexistent"})
    assert len(screener) == 3
    hit = screener.screen({"id": "q", "schema": "Person", "properties": {"name": ["Ivan Sidorov"],
                                                                          "birthDate": ["1971-03-04"]}})[0]
    assert hit.entity_id == "p1" and hit.result.is_match


def test_only_roles_that_manage_watchlists_may_import_or_read_them(env: Env, tmp_path: Path) -> None:
    path = write(tmp_path, "v1.jsonl", V1)
    for role in (Role.CASEWORKER, Role.ADJUDICATOR, Role.AUDITOR, Role.INTAKE_OPERATOR, Role.SUPERVISOR):
        with pytest.raises(Forbidden):
            watchlists.import_watchlist(env.db, actor=env.actor(role), name="wanted", path=path)
        with pytest.raises(Forbidden):
            watchlists.list_watchlists(env.db, actor=env.actor(role))
    r = watchlists.import_watchlist(env.db, actor=env.actor(Role.SCREENING_ANALYST), name="wanted", path=path)
    with env.db.uow() as uow:
        entry = uow.session.scalars(select(AuditEntry).where(AuditEntry.event == "watchlist.imported")).one()
        assert (entry.actor_id, entry.object_id) == (env.user_ids[Role.SCREENING_ANALYST], r.version_id)


@pytest.mark.parametrize("name", ["", "default", "Has Caps", "x" * 65, "../etc", "спис"])
def test_bad_list_names_and_formats_are_refused(env: Env, tmp_path: Path, name: str) -> None:
    with pytest.raises(InvalidInput):
        _import(env, write(tmp_path, "v1.jsonl", V1), name=name)
    with pytest.raises(InvalidInput):
        _import(env, write(tmp_path, "v1.jsonl", V1), fmt="xml")
    with pytest.raises(InvalidInput):
        _import(env, tmp_path / "missing.jsonl")
    with pytest.raises(NotFound):
        watchlists.diff(env.db, actor=SYSTEM, name="never-imported")


def test_diff_refuses_versions_that_do_not_exist(env: Env, tmp_path: Path) -> None:
    _import(env, write(tmp_path, "v1.jsonl", V1))
    with pytest.raises(InvalidInput, match="from 1 to 1"):
        watchlists.diff(env.db, actor=SYSTEM, name="wanted", to_version=7)


def test_the_diff_worked_out_in_small_slices_gives_the_same_result(
    env: Env, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(watchlists, "SLICE", 2)  # every step in many short transactions
    _import(env, write(tmp_path, "v1.jsonl", V1))
    r = _import(env, write(tmp_path, "v2.jsonl", V2))
    assert (r.added, r.removed, r.changed, r.unchanged) == (1, 1, 1, 2)
    assert _live_ids(env) == {"p1", "p3", "p4", "p5"}
    with env.db.uow() as uow:
        assert uow.count(WatchlistStaging) == 0


def test_a_saved_index_is_loaded_after_a_restart_and_a_tampered_one_is_rebuilt(
    env: Env, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A restart loads the index saved by the last build; a file altered on disk is never trusted."""
    _import(env, write(tmp_path, "v1.jsonl", V1))
    cache = tmp_path / "cache"

    def restarted(secret_key: bytes | None = None) -> Database:  # a new process on the same database and data dir
        return Database(env.db.engine, ring=env.db.ring, secret_key=secret_key or env.db.secret_key, cache_dir=cache)

    query = {"id": "q", "schema": "Person", "properties": {"name": ["Ivan Petrovich Sidorov"],
                                                            "birthDate": ["1971-04-03"]}}
    built = watchlists.current_index(restarted())
    expected = [(h.entity_id, h.score) for h in built.screener.screen(query)]
    assert expected and expected[0][0] == "p1"
    saved = sorted(p.name for p in (cache / "watchlist-index").iterdir())
    assert len(saved) == 2 and saved[0].endswith(".npz") and saved[1].endswith(".tag")  # no leftover .part

    builds: list[int] = []
    real_build = Screener.build
    monkeypatch.setattr(Screener, "build", classmethod(lambda cls, *a, **k: builds.append(1) or real_build(*a, **k)))
    loaded = watchlists.current_index(restarted())
    assert builds == [] and [(h.entity_id, h.score) for h in loaded.screener.screen(query)] == expected

    npz = cache / "watchlist-index" / saved[0]
    damaged = bytearray(npz.read_bytes())
    damaged[len(damaged) // 2] ^= 0x01  # one bit changed on disk
    npz.write_bytes(bytes(damaged))
    again = watchlists.current_index(restarted())
    assert builds == [1] and [(h.entity_id, h.score) for h in again.screener.screen(query)] == expected
    watchlists.current_index(restarted())  # the rebuilt index was saved again, and verifies
    assert builds == [1]
    watchlists.current_index(restarted(secret_key=b"\x07" * 32))  # another installation's key: not trusted
    assert builds == [1, 1]

    _import(env, write(tmp_path, "v2.jsonl", V2))  # a new version: its own file replaces the old one
    newest = watchlists.current_index(restarted())
    assert newest.versions == {"wanted": 2} and builds == [1, 1, 1]
    now_saved = sorted(p.name for p in (cache / "watchlist-index").iterdir())
    assert len(now_saved) == 2 and now_saved[0] != saved[0]


def test_without_a_cache_directory_nothing_is_written(env: Env, tmp_path: Path) -> None:
    before = set(tmp_path.rglob("*"))
    _import(env, write(tmp_path, "v1.jsonl", V1))
    assert env.db.cache_dir is None
    watchlists.current_index(env.db)
    assert not [p for p in set(tmp_path.rglob("*")) - before if "watchlist-index" in str(p) or p.suffix == ".npz"]
