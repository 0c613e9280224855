"""CitiStat figures computed from the DuckDB warehouse.

``metrics.citistat.compute`` is the entry point; ``metrics.registry`` names and
defines every figure. The families (``volume``, ``timeliness``, ``backlog``,
``quality``) hold the SQL, ``filters`` turns a ``Filters`` value into bound
parameters, and ``targets`` scores figures against the city configuration.
"""
