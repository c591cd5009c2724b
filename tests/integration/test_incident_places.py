"""Unit–incident flags by place through the real services and database (SQLite and PostgreSQL): a deployment
written in a grammatical case flags the case for an interview — never an exclusion; another town does not."""

from __future__ import annotations

import logging

import pytest
from fastapi.testclient import TestClient

from tests.conftest import Env
from tests.helpers import person
from tests.screening_support import INCIDENT, apply, load_incidents, results, to_screening

IRPIN = {**INCIDENT, "ref": "irpin-1", "unit": "", "place": "Ірпінь, Київська область",
         "start": "2022-03-01", "end": "2022-03-31"}


def _served(place: str, start: str = "2022-02", end: str = "2022-04") -> dict[str, object]:
    return {"status": "contract", "unit": "", "deployments": [{"place": place, "period": {"start": start, "end": end}}]}


def test_a_case_form_deployment_flags_for_interview_and_another_town_does_not(
        client: TestClient, env: Env, caplog: pytest.LogCaptureFixture) -> None:
    load_incidents(env.db, [IRPIN])
    caplog.set_level(logging.DEBUG)
    flagged = apply(client, person=person("Иван", "Сидоренко", military=_served("из Ирпеня")))["case_id"]
    ukrainian = apply(client, person=person("Іван", "Коваль", military=_served("під Ірпенем")))["case_id"]
    elsewhere = apply(client, person=person("Пётр", "Ёлкин", military=_served("под Ирпенем", "2023-01", "2023-02")))
    other_town = apply(client, person=person("Олег", "Бондар", military=_served("в Ірші")))["case_id"]

    for case_id, place in ((flagged, "из Ирпеня"), (ukrainian, "під Ірпенем")):
        assert to_screening(client, env, case_id)["stage"] == "screening"  # held for an analyst, not excluded
        [flag] = results(client, env, case_id)["flags"]
        assert (flag["basis"], flag["status"], flag["value"], flag["incident"]["ref"]) == (
            "place", "pending", place, "irpin-1")
    assert to_screening(client, env, elsewhere["case_id"])["stage"] == "review"  # right place, other dates
    assert to_screening(client, env, other_town)["stage"] == "review"
    assert results(client, env, other_town)["flags"] == []
    # nothing personal in the logs: neither the places nor the names
    assert not any(s in caplog.text for s in ("Ирпен", "Ірпен", "Ірші", "Сидоренко", "Коваль"))
