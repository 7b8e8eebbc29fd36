"""Reading shipped CSV files with errors that name the file, the row and the problem."""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd


class DataValidationError(ValueError):
    """A shipped data file is missing or malformed.

    Parameters
    ----------
    file : str
        File name inside ``data/``.
    row : int or None
        1-based line number in the file (header is line 1), if one row is at fault.
    problem : str
        What is wrong.
    """

    def __init__(self, file: str, row: int | None, problem: str) -> None:
        self.file, self.row, self.problem = file, row, problem
        where = f"{file}, rad {row}" if row is not None else file
        super().__init__(f"{where}: {problem}")


def read_csv(name: str, data_dir: Path, str_cols: tuple[str, ...]) -> pd.DataFrame:
    """Read ``data_dir/name`` keeping ``str_cols`` as text; DataValidationError if unreadable."""
    path = data_dir / name
    if not path.is_file():
        raise DataValidationError(name, None, "filen saknas (file missing)")
    try:
        return pd.read_csv(path, dtype={c: str for c in str_cols}, keep_default_na=False,
                           na_values=[""])
    except (pd.errors.ParserError, UnicodeDecodeError, ValueError) as exc:
        raise DataValidationError(name, None, f"kan inte läsas som CSV: {exc}") from exc


def require_columns(df: pd.DataFrame, name: str, cols: tuple[str, ...]) -> None:
    """DataValidationError on row 1 (the header) if a column is missing."""
    missing = [c for c in cols if c not in df.columns]
    if missing:
        raise DataValidationError(name, 1, f"kolumner saknas: {', '.join(missing)}")


def numeric(df: pd.DataFrame, name: str, col: str, *, allow_nan: bool = False) -> np.ndarray:
    """Column as floats; DataValidationError naming the first row that is not a number."""
    values = pd.to_numeric(df[col], errors="coerce").to_numpy(dtype=float)
    bad = np.isnan(values) if not allow_nan else np.zeros(len(values), bool)
    bad |= np.isinf(values)
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        raise DataValidationError(name, i + 2, f"{col} är inte ett tal: {df[col].iloc[i]!r}")
    return values
