"""The scaled mode: ``monitor worker`` processes on several machines share one PostgreSQL.

procrastinate (a PostgreSQL job queue) carries the work: a periodic ``dispatch`` job
queues one ``check`` job per due source (one queued and one running per source at
most), ``sweep`` hands the jobs of a dead worker to the living, ``deliver`` empties
the alert outbox. Host limits hold across workers through one row per host
(``limits``), and a fencing token per source keeps a late result of a frozen worker
out of the store (``fence``). SQLite installations keep ``monitor run``.
"""
