"""python -m bench [pages|matching|dashboard|all] — prints figures; docs/benchmarks.md records them."""

import argparse
import os
import sys


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("what", nargs="?", default="all", choices=["all", "pages", "matching", "dashboard"])
    parser.add_argument(
        "--database",
        default=os.environ.get("BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/solidaire_bench"),
        help="database the benchmark creates and fills (default: BENCH_DATABASE_URL or solidaire_bench on local PostgreSQL)",
    )
    parser.add_argument("--establishments", type=int, default=5000)
    parser.add_argument("--gifts", type=int, default=200_000)
    parser.add_argument(
        "--large",
        action="store_true",
        help="launch-day volume: 50,000 establishments and 2,000,000 gifts (in solidaire_bench_large)",
    )
    parser.add_argument("--seconds", type=int, default=10, help="seconds of load per page (wrk)")
    parser.add_argument("--connections", type=int, default=32, help="connections wrk keeps open")
    parser.add_argument("--confirmations", type=int, default=2000, help="gifts confirmed per worker count")
    parser.add_argument("--workers", default="1,8,32", help="worker counts for the matching benchmark")
    parser.add_argument(
        "--dashboard-requests", type=int, default=20, help="requests per dashboard page, computed and cached"
    )
    parser.add_argument("--keep", action="store_true", help="reuse an already filled database")
    args = parser.parse_args()
    if args.large:
        args.establishments, args.gifts = 50_000, 2_000_000
        if args.database.endswith("/solidaire_bench"):
            args.database += "_large"  # the small one stays, for the ratio between the two

    os.environ["DATABASE_URL"] = args.database
    os.environ.setdefault("SOLIDAIRE_STATIC_MANIFEST", "false")
    os.environ.setdefault("SOLIDAIRE_LOG_LEVEL", "WARNING")
    os.environ.setdefault("SOLIDAIRE_EMAIL_BACKEND", "locmem")
    # Receipts are rendered by the worker in production: the benchmark queues them on Redis, as
    # a multi-machine install does (and empties that queue at the end).
    os.environ.setdefault("SOLIDAIRE_BROKER_URL", "redis://127.0.0.1:6379/15")
    # The shared cache on Redis too, as several web processes have it (pages, figures, limits).
    os.environ.setdefault("SOLIDAIRE_CACHE_URL", "redis://127.0.0.1:6379/14")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "solidaire.settings")
    from . import setup

    setup.prepare_database(args.database, keep=args.keep)
    if args.what in ("all", "pages"):
        from . import pages

        pages.run(args)
    if args.what in ("all", "dashboard"):
        from . import dashboard

        dashboard.run(args)
    if args.what in ("all", "matching"):
        from . import matching

        if not args.database.startswith("postgres"):
            print("matching benchmark: needs PostgreSQL (set BENCH_DATABASE_URL)", file=sys.stderr)
        else:
            matching.run(args)


if __name__ == "__main__":
    main()
