"""Typed settings: ``PALERMO_*`` environment variables, then defaults. Secrets are masked."""

from __future__ import annotations

from pathlib import Path

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

STORE_FILENAME = "palermo.duckdb"


class Settings(BaseSettings):
    """Palermo's settings.

    Every field is read from the environment variable of the same name in upper case with the
    ``PALERMO_`` prefix (``home`` from ``PALERMO_HOME``). Secrets are :class:`SecretStr` and print as
    ``**********``.
    """

    model_config = SettingsConfigDict(env_prefix="PALERMO_", extra="ignore")

    home: Path = Field(
        default=Path(".palermo"),
        description="Folder that holds the embedded store (palermo.duckdb) and other local state.",
    )
    log_level: str = Field(default="WARNING", description="Logging level of the palermo logger.")
    threads: int | None = Field(
        default=None, ge=1, description="DuckDB worker threads; empty means DuckDB's default."
    )
    memory_limit: str | None = Field(
        default=None, description="DuckDB memory limit such as '4GB'; empty means DuckDB's default."
    )
    secret_key: SecretStr | None = Field(
        default=None, description="Project secret for signing and keyed hashing; never logged."
    )
    spark_master: str = Field(
        default="local[*]",
        description="Spark master URL for --engine spark: local[N] on this machine, spark://host:7077 for a cluster.",
    )
    spark_driver_memory: str = Field(
        default="2g", description="Memory of the Spark driver for --engine spark (spark.driver.memory)."
    )
    disclosure_epsilon_budget: float | None = Field(
        default=None,
        gt=0,
        description="Total privacy budget (epsilon) over every release of the store; empty: the profile file's.",
    )
    disclosure_delta_budget: float | None = Field(
        default=None,
        ge=0,
        lt=1,
        description="Total delta over every release of the store; empty: the profile file's.",
    )

    @property
    def store_path(self) -> Path:
        return self.home / STORE_FILENAME


def load_settings() -> Settings:
    """Settings from the current environment."""
    return Settings()
