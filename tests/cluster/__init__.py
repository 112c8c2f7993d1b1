"""`make test-cluster`: several web processes, Celery workers, Redis and PostgreSQL on this machine
(docs/adr/0026-production-layout.md). Not collected by pytest: `python -m tests.cluster.run`."""
