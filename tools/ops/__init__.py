"""The operations tools behind `stagecraft compare`, `failover`, `db-sync` and `usage` (DESIGN.md §10).

One module per job. Probing: `targets`, `stack_outputs`, `health`, `probe`; the probe history: `history`; the
figures: `stats`, `uptime`, `coldstart`, `verdicts`, `comparison`; the reports: `report_json`, `report_html`,
`charts`, `svg`, `terminal`; routing: `failover_config`, `failover`, `nginx`; database copies: `pg_tools`,
`restore_script`, `db_sync`; free-tier usage: `usage/`; shared: `errors`, `files`, `command`, `policy_pack`.
The `*_command` modules wire them to the command line (`tools/cli.py`); docs/operations.md is the user's guide.
"""
