"""The province product: the county's Parquet export and the DuckDB roll-up of many exports.

``export`` writes the posting, task and quota tables of one county (a stable, versioned
contract); ``rollup`` reads any number of exports and writes the province tables with
the report writers; ``commands`` adds ``sandao export`` and ``sandao rollup``.
"""
