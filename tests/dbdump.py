"""Dump the test database as text, as an attacker with a backup would see it."""

import os
import shutil
import subprocess

from django.db import connection


def pg_env() -> dict:
    conf = connection.settings_dict
    env = {**os.environ, "PGHOST": conf["HOST"] or "127.0.0.1", "PGUSER": conf["USER"]}
    env["PGPORT"] = str(conf["PORT"] or 5432)
    if conf["PASSWORD"]:
        env["PGPASSWORD"] = conf["PASSWORD"]
    return env


def dump_database() -> str:
    """The whole database as SQL text (committed data on PostgreSQL)."""
    if connection.vendor == "sqlite":
        connection.ensure_connection()
        return "\n".join(connection.connection.iterdump())
    pg_dump = shutil.which("pg_dump")
    assert pg_dump, "pg_dump is needed to dump a PostgreSQL database"
    name = connection.settings_dict["NAME"]
    return subprocess.run(
        [pg_dump, "--no-owner", name], env=pg_env(), check=True, capture_output=True, text=True
    ).stdout
