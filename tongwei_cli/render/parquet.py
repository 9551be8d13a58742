"""Writing `tongwei export parquet`'s datasets: Parquet files partitioned hive-style,
`DIR/kind=<kind>/year=<year>/part-0.parquet`, with pyarrow (loaded only by the export).

Each partition has one `ParquetWriter`, open while its dataset is written; every batch of
records (a pyarrow RecordBatch, `reports/warehouse.py`) adds a row group to the files of the
years it holds, so memory stays flat however large the file. The datasets are written into
a hidden folder of DIR first, and each `kind=…` folder is swapped in whole once all are
written: a failed export leaves DIR as it was, and exporting again replaces what the last
export wrote (nothing else in DIR is touched). A kind without records gets one empty file
(in Hive's partition for no value), so that every dataset can be read and has its schema.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

EMPTY_PARTITION = "__HIVE_DEFAULT_PARTITION__"
FILE_NAME = "part-0.parquet"


def write_datasets(folder: Path,
                   datasets: Iterable[tuple[str, Any, Iterator[tuple[Any, Any]]]],
                   ) -> dict[str, int]:
    """Write each (kind, schema, batches) -- schema: a pyarrow schema; batches: pairs of a
    pyarrow RecordBatch of that schema and an array of each record's year -- under `folder`;
    returns the rows written per kind."""
    folder.mkdir(parents=True, exist_ok=True)
    work = folder / f".tongwei-export-{os.getpid()}"
    shutil.rmtree(work, ignore_errors=True)
    counts: dict[str, int] = {}
    try:
        for kind, schema, batches in datasets:
            counts[kind] = _write_one(work / f"kind={kind}", schema, batches)
        for kind in counts:
            target = folder / f"kind={kind}"
            old = work / f"old-{kind}"
            if target.exists():
                target.rename(old)
            (work / f"kind={kind}").rename(target)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return counts


def _write_one(path: Path, schema: Any, batches: Iterator[tuple[Any, Any]]) -> int:
    import pyarrow.compute as pc
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
        for batch, years in batches:
            present = sorted(pc.unique(years).to_pylist())
            for year in present:
                part = batch if len(present) == 1 else batch.filter(pc.equal(years, year))
                writer(str(year)).write_batch(part)
                rows += part.num_rows
        if not writers:
            writer(EMPTY_PARTITION).write_table(schema.empty_table())
    finally:
        for each in writers.values():
            each.close()
    return rows
