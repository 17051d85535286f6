"""The operations tools behind `stagecraft compare`, `failover`, `db-sync` and `usage` (DESIGN.md §10).

One module per job: probing (`probe`, `health`), the probe history (`history`), the figures (`stats`,
`uptime`, `coldstart`, `verdicts`), the reports (`comparison`, `report_json`, `report_html`, `svg`,
`terminal`), routing (`failover`, `nginx`), database copies (`db_sync`, `pg_tools`) and free-tier usage
(`usage/`). The `*_command` modules wire them to the command line (`tools/cli.py`).
"""
