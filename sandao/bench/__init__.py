"""Benchmarks: a seeded synthetic-county generator and the ``sandao bench`` harness.

Nothing here is imported when ``sandao`` starts: the command module lists the
measurement names below and imports the harness only when ``sandao bench`` runs.
"""

#: The measurements of :mod:`sandao.bench.harness`, in the order they run.
MEASUREMENT_NAMES: tuple[str, ...] = (
    "load",
    "foreign",
    "check",
    "payment_import",
    "reports",
    "edition",
    "fava",
    "export",
    "audit",
)
