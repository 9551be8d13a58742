"""Micro-benchmark of the per-row checks of `tongwei import warnings`.

    python benchmarks/row_checks.py [FILE] [--repeat N]

Times each check `alerts.prepare_warning` makes, called over the cells of FILE (default
`benchmarks/out/warnings.csv`, the platform's GB18030 export with Chinese headers; when it is
missing, 100k similar rows are made up in memory), and the CSV reader against a bare
`csv.reader`. Prints microseconds per call: the best of N runs (default 5), the loop's own
cost included (shown on the first line).
Nothing is written to disk; no database is opened.
"""

from __future__ import annotations

import csv
import random
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tongwei_cli.core import validate  # noqa: E402
from tongwei_cli.domain import reference as refdata  # noqa: E402
from tongwei_cli.imports import engine as importer  # noqa: E402
from tongwei_cli.imports import readers  # noqa: E402

TZ = ZoneInfo("Asia/Shanghai")
DEFAULT = ROOT / "benchmarks" / "out" / "warnings.csv"
HEADERS = ["预警编号", "预警时间", "风险等级", "管辖单位", "手机号码", "姓名", "身份证号",
           "诈骗类型", "预警来源"]


def _check_digit(first17: str) -> str:
    checksum = (1 - 2 * int(first17, 13)) % 11
    return "X" if checksum == 10 else str(checksum)


def made_up_file(folder: Path, n: int = 100_000) -> Path:
    """Rows like the platform's: keys, local times three minutes apart, levels, stations…"""
    rng = random.Random(7)
    stations = [r["name_zh"] for r in refdata.read_csv(refdata.KINDS["stations"])]
    types = [r["name_zh"] for r in refdata.read_csv(refdata.KINDS["types"])]
    path = folder / "warnings.csv"
    with path.open("w", encoding="gb18030", newline="") as handle:
        out = csv.writer(handle)
        out.writerow(HEADERS)
        for i in range(n):
            minutes = 3 * i
            day, rest = divmod(minutes, 1440)
            stamp = (f"2025/{1 + day // 28 % 12:02d}/{1 + day % 28:02d} "
                     f"{rest // 60:02d}:{rest % 60:02d}")
            rid = ""
            if i % 5 == 0:
                first17 = f"621121{1950 + i % 60}{1 + i % 12:02d}{1 + i % 28:02d}{i % 1000:03d}"
                rid = first17 + _check_digit(first17)
            out.writerow([f"YJ{i:08d}", stamp, rng.choice(["高风险", "中风险", "低风险"]),
                          rng.choice(stations), f"138{i:08d}", "测试甲", rid,
                          rng.choice(types + [""]), "反诈平台"])
    return path


def columns(path: Path) -> dict[str, list[Any]]:
    kind = importer.kinds()["warnings"]
    stream, _ = readers.read_rows(kind, path)
    values: dict[str, list[Any]] = {}
    for _, raw in stream:
        for name, cell in raw.items():
            values.setdefault(name, []).append(cell)
    return values


def best(repeat: int, calls: int, run: Callable[[], None]) -> float:
    """Microseconds per call, the best of `repeat` runs."""
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        run()
        times.append(time.perf_counter() - start)
    return min(times) / max(calls, 1) * 1e6


def main(argv: list[str]) -> None:
    repeat = 5
    if "--repeat" in argv:
        at = argv.index("--repeat")
        repeat = int(argv[at + 1])
        del argv[at:at + 2]
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(argv[0]) if argv else DEFAULT
        if not path.exists():
            print(f"{path} is missing: using 100k made-up rows")
            path = made_up_file(Path(tmp))
        values = columns(path)
        refs = refdata.Refs({k.name: refdata.read_csv(k) for k in refdata.KINDS.values()})
        n = len(values["no"])
        ids = [v for v in values["id"] if v]
        types = [v for v in values["type"] if v]
        received = values["received"]
        slashes = [f"{v[:5]}{int(v[5:7])}/{int(v[8:10])}{v[10:]}" for v in received]
        from datetime import datetime
        cells = [datetime(int(v[:4]), int(v[5:7]), int(v[8:10]), int(v[11:13]), int(v[14:16]))
                 for v in received]
        print(f"{path.name}: {n} rows, {len(ids)} resident ids; µs per call, best of {repeat}")

        def each(fn: Callable[[Any], Any], items: list[Any]) -> Callable[[], None]:
            def run() -> None:
                for item in items:
                    fn(item)
            return run

        key, phone, optional = validate.key, validate.phone, validate.optional_text
        text, dt, rid = validate.text, validate.datetime_value, validate.resident_id
        moment = getattr(validate, "moment", None)
        cases: list[tuple[str, int, Callable[[], None]]] = [
            ("(the loop and call: a no-op)", n, each(lambda v: None, values["no"])),
            ("key(no)", n, each(lambda v: key(v, "no"), values["no"])),
            ("datetime_value(received)", n, each(lambda v: dt(v, "received", TZ), received)),
            ("datetime_value('2025/1/1 …')", n,
             each(lambda v: dt(v, "received", TZ), slashes)),
            ("datetime_value(datetime cell)", n,
             each(lambda v: dt(v, "received", TZ), cells)),
        ]
        if moment is not None:
            cases += [
                ("moment(received)", n, each(lambda v: moment(v, "received", TZ), received)),
                ("moment('2025/1/1 …')", n,
                 each(lambda v: moment(v, "received", TZ), slashes)),
                ("moment(datetime cell)", n,
                 each(lambda v: moment(v, "received", TZ), cells)),
            ]
        resolve = refs.resolve
        cases += [
            ("Refs.resolve(levels)", n,
             each(lambda v: resolve("levels", v, "level"), values["level"])),
            ("Refs.resolve(stations)", n,
             each(lambda v: resolve("stations", v, "station"), values["station"])),
            ("Refs.resolve(types)", len(types),
             each(lambda v: resolve("types", v, "type"), types)),
            ("phone", n, each(lambda v: phone(v, "phone"), values["phone"])),
            ("optional_text(name)", n, each(optional, values["name"])),
            ("optional_text(source)", n, each(optional, values["source"])),
            ("text(no)", n, each(text, values["no"])),
            ("resident_id", len(ids), each(lambda v: rid(v, "id", TZ), ids)),
        ]
        kind = importer.kinds()["warnings"]

        def read_ours() -> None:
            stream, _ = readers.read_rows(kind, path)
            for _ in stream:
                pass

        encoding = readers.detect_encoding(path)

        def read_floor() -> None:
            with path.open(encoding=encoding, newline="") as handle:
                for _ in csv.reader(handle):
                    pass

        cases += [("read_rows + rows() per row", n, read_ours),
                  ("floor: csv.reader per row", n, read_floor)]
        width = max(len(name) for name, _, _ in cases)
        for name, calls, run in cases:
            run()  # warm the caches (refs, region codes), as the first rows of a file do
            print(f"  {name:<{width}}  {best(repeat, calls, run):7.3f}")


if __name__ == "__main__":
    main(sys.argv[1:])
