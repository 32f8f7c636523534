"""`python -m sfdc_emulator`: serve an emulated Salesforce org over HTTPS and HTTP on loopback."""

from __future__ import annotations

import argparse
import logging
import signal
import sys
from pathlib import Path

from sfdc_emulator.certs import ensure_certs
from sfdc_emulator.org.org import CLIENT_ID, CLIENT_SECRET, PASSWORD, SECURITY_TOKEN, Org
from sfdc_emulator.server.app import EmulatorServer


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m sfdc_emulator", description=__doc__)
    parser.add_argument(
        "--host", default="127.0.0.1", help="address to bind (loopback unless told otherwise)"
    )
    parser.add_argument("--port", type=int, default=8443, help="HTTPS port")
    parser.add_argument("--http-port", type=int, default=8080, help="plain HTTP port (0 = any free port)")
    parser.add_argument("--db", default="var/emulator/org.sqlite3", help="SQLite file, or :memory:")
    parser.add_argument("--seed", choices=("demo", "empty"), default="empty", help="data for a new database")
    parser.add_argument("--persons", type=int, default=1000, help="people in the demo org (--seed demo)")
    parser.add_argument("--daily-api-limit", type=int, default=100_000, help="daily API request limit")
    parser.add_argument("-v", "--verbose", action="store_true", help="log every request")
    return parser.parse_args(argv)


def env_block(https_url: str, ca_file: Path) -> str:
    return "\n".join(
        [
            f"SALESFORCE_LOGIN_URL={https_url}",
            "SALESFORCE_AUTH_FLOW=client_credentials",
            f"SALESFORCE_CLIENT_ID={CLIENT_ID}",
            f"SALESFORCE_CLIENT_SECRET={CLIENT_SECRET}",
            f"SALESFORCE_CA_BUNDLE={ca_file}",
            "SALESFORCE_USERNAME=sync@emulator.local",
            f"SALESFORCE_PASSWORD={PASSWORD}",
            f"SALESFORCE_SECURITY_TOKEN={SECURITY_TOKEN}",
            "SALESFORCE_API_VERSION=59.0",
        ]
    )


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    logging.basicConfig(
        level=logging.DEBUG if args.verbose else logging.INFO, format="%(asctime)s %(message)s"
    )
    if args.db == ":memory:":
        data_dir = Path("var/emulator").resolve()
    else:
        db_path = Path(args.db).resolve()
        db_path.parent.mkdir(parents=True, exist_ok=True)
        data_dir = db_path.parent
    certs = ensure_certs(data_dir, hosts=tuple(dict.fromkeys((args.host, "127.0.0.1", "localhost"))))
    new_db = args.db == ":memory:" or not Path(args.db).exists()
    if new_db and args.seed == "demo":
        print(f"Seeding a demo org with {args.persons} people…", flush=True)
    org = Org(
        args.db if args.db == ":memory:" else str(Path(args.db).resolve()),
        seed=args.seed,
        persons=args.persons,
        daily_api_limit=args.daily_api_limit,
        data_dir=data_dir,
    )
    server = EmulatorServer(
        org,
        host=args.host,
        port=args.port,
        http_port=args.http_port,
        cert_file=certs.cert_file,
        key_file=certs.key_file,
    )
    https_url = server.https_url or ""
    print(
        f"Salesforce org emulator\n"
        f"  HTTPS instance: {https_url}\n"
        f"  HTTP instance:  {server.http_url}\n"
        f"  CA file:        {certs.ca_file}\n"
        f"  JWT test key:   {certs.jwt_key_file} (certificate {certs.jwt_cert_file})\n"
        f"  Database:       {args.db}\n"
        f"  Control API:    {https_url}/_emulator\n\n"
        f"# .env for the app\n{env_block(https_url, certs.ca_file)}\n",
        flush=True,
    )

    def stop(*_: object) -> None:
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, stop)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        server.stop()
        org.store.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
