"""Writing `tongwei export parquet`'s datasets: Parquet files partitioned hive-style,
`DIR/kind=<kind>/year=<year>/part-0.parquet`, with pyarrow (loaded only here).

Each partition has one `ParquetWriter`, open while its dataset is written; every chunk of
records adds a row group to the files of the years it holds, so memory stays flat however
large the file. The datasets are written into a hidden folder of DIR first, and each
`kind=…` folder is swapped in whole once all are written: a failed export leaves DIR as it
was, and exporting again replaces what the last export wrote (nothing else in DIR is
touched). A kind without records gets one empty file (in Hive's partition for no value),
so that every dataset can be read and has its schema.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any

EMPTY_PARTITION = "__HIVE_DEFAULT_PARTITION__"
FILE_NAME = "part-0.parquet"


def arrow_schema(columns: Sequence[tuple[str, str]]):  # -> pyarrow.Schema
    import pyarrow as pa

    types = {"string": pa.string(), "bool": pa.bool_(), "int32": pa.int32(),
             "int64": pa.int64(), "date": pa.date32(), "timestamp": pa.timestamp("ms", "UTC")}
    return pa.schema([(name, types[kind]) for name, kind in columns])


def write_datasets(folder: Path,
                   datasets: Iterable[tuple[str, Sequence[tuple[str, str]], Iterator[Any]]],
                   ) -> dict[str, int]:
    """Write each (kind, columns, frames) -- frames: pandas DataFrames with the columns and
    a `year` -- under `folder`; returns the rows written per kind."""
    folder.mkdir(parents=True, exist_ok=True)
    work = folder / f".tongwei-export-{os.getpid()}"
    shutil.rmtree(work, ignore_errors=True)
    counts: dict[str, int] = {}
    try:
        for kind, columns, frames in datasets:
            counts[kind] = _write_one(work / f"kind={kind}", arrow_schema(columns), frames)
        for kind in counts:
            target = folder / f"kind={kind}"
            old = work / f"old-{kind}"
            if target.exists():
                target.rename(old)
            (work / f"kind={kind}").rename(target)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return counts


def _write_one(path: Path, schema: Any, frames: Iterator[Any]) -> int:
    import pyarrow as pa
    import pyarrow.parquet as pq

    writers: dict[str, pq.ParquetWriter] = {}

    def writer(year: str) -> pq.ParquetWriter:
        if year not in writers:
            partition = path / f"year={year}"
            partition.mkdir(parents=True)
            writers[year] = pq.ParquetWriter(partition / FILE_NAME, schema)
        return writers[year]

    rows = 0
    try:
        for frame in frames:
            for year, part in frame.groupby("year", sort=True):
                table = pa.Table.from_pandas(part.drop(columns="year"), preserve_index=False)
                writer(str(year)).write_table(table.cast(schema))
                rows += len(part)
        if not writers:
            writer(EMPTY_PARTITION).write_table(schema.empty_table())
    finally:
        for each in writers.values():
            each.close()
    return rows
