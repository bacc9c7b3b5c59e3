"""The `estate-bot` command: run the bot, the demo, migrations, roster and arrears imports,
config help."""

from __future__ import annotations

import argparse
import asyncio
import logging
import signal
import sys
from collections.abc import Awaitable, Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from bot.settings import Settings, load_settings
from handlers.config import ConfigError, EstateConfig, example_config_text, load_estate_config

if TYPE_CHECKING:
    from handlers.messages import MessageBody
    from storage.uow import UnitOfWork

ENGINES = ("ptb", "aiogram")


def main(argv: Sequence[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    if not hasattr(args, "action"):
        parser.print_help()
        return 2
    try:
        return int(args.action(args) or 0)
    except ConfigError as exc:
        print(f"estate-bot: {exc}", file=sys.stderr)
        return 2


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="estate-bot", description="A Telegram service desk for residential estates."
    )
    commands = parser.add_subparsers(metavar="COMMAND")

    run = commands.add_parser("run", help="run the bot (long polling unless --webhook is given)")
    run.add_argument("--webhook", metavar="URL", help="public HTTPS URL Telegram posts updates to")
    run.add_argument("--port", type=int, default=8080, help="port the webhook listens on")
    run.add_argument("--host", default="0.0.0.0", help="address the webhook listens on")
    run.add_argument("--engine", choices=ENGINES, help="ptb (default) or aiogram: ESTATE_ENGINE")
    run.set_defaults(action=_run)

    demo = commands.add_parser("demo", help="a guided tour against the built-in sandbox Telegram")
    demo.add_argument("--engine", choices=ENGINES, default="ptb", help="ptb (default) or aiogram")
    demo.set_defaults(action=_demo)

    db = commands.add_parser("db", help="database commands").add_subparsers(metavar="ACTION")
    upgrade = db.add_parser("upgrade", help="apply schema migrations (Alembic)")
    upgrade.set_defaults(action=_db_upgrade)

    residents = commands.add_parser("residents", help="resident roster").add_subparsers(
        metavar="ACTION"
    )
    importer = residents.add_parser("import", help="import or update residents from CSV/XLSX")
    importer.add_argument("file", type=Path)
    importer.set_defaults(action=_residents_import)

    arrears = commands.add_parser("arrears", help="fees owed, from finance").add_subparsers(
        metavar="ACTION"
    )
    arrears_import = arrears.add_parser(
        "import", help="replace the open balances with finance's arrears list (CSV/XLSX)"
    )
    arrears_import.add_argument("file", type=Path)
    arrears_import.set_defaults(action=_arrears_import)

    config = commands.add_parser("config", help="estate config").add_subparsers(metavar="ACTION")
    example = config.add_parser("example", help="print a complete, commented estate config")
    example.set_defaults(action=lambda _args: print(example_config_text(), end="") or 0)
    check = config.add_parser("check", help="validate the estate config and say what is wrong")
    check.set_defaults(action=_config_check)

    report = commands.add_parser(
        "report", help="print a weekly or monthly report; write its chart (PNG) and tickets (XLSX)"
    )
    report.add_argument("kind", choices=("week", "month"))
    report.add_argument(
        "month", nargs="?", default="", help="YYYY-MM; the last whole one if omitted"
    )
    report.add_argument("--out", type=Path, default=Path("reports"), help="folder for the files")
    report.add_argument(
        "--lang", choices=("en", "zh_Hans"), help="the estate's language if omitted"
    )
    report.set_defaults(action=_report)

    lifecycle = commands.add_parser(
        "lifecycle", help="print a ticket lifecycle as a Mermaid state diagram"
    )
    lifecycle.add_argument("name", nargs="?", help="repair, complaint, ... (all when omitted)")
    lifecycle.set_defaults(action=_lifecycle)
    return parser


def _lifecycle(args: argparse.Namespace) -> int:
    """The lifecycles are the features' own tables, the same in every estate."""
    from bot.features import build_features
    from handlers.config import load_estate_config_text

    lifecycles = build_features(load_estate_config_text(example_config_text())).lifecycles
    names = [args.name] if args.name else sorted(lifecycles)
    unknown = [name for name in names if name not in lifecycles]
    if unknown:
        print(
            f"estate-bot: no lifecycle {unknown[0]!r}; there are: {', '.join(sorted(lifecycles))}",
            file=sys.stderr,
        )
        return 2
    print("\n\n".join(lifecycles[name].mermaid() for name in names))
    return 0


def _setup(require_config: bool = True) -> tuple[Settings, EstateConfig | None]:
    settings = load_settings()
    logging.basicConfig(
        level=settings.log_level_number,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    logging.getLogger("httpx").setLevel(logging.WARNING)
    logging.getLogger("apscheduler").setLevel(logging.WARNING)  # a line per tick otherwise
    if settings.config is None:
        if require_config:
            raise SystemExit(
                "ESTATE_CONFIG is not set: write one with `estate-bot config example > estate.toml`"
            )
        return settings, None
    return settings, load_estate_config(settings.config)


def _run(args: argparse.Namespace) -> int:
    from bot.runtime import Runtime

    settings, config = _setup()
    assert config is not None
    if args.engine:
        settings = settings.model_copy(update={"engine": args.engine})

    async def _main() -> None:
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, stop.set)
        runtime = await Runtime.create(settings, config)
        if args.webhook:
            await runtime.run_webhook(args.webhook, args.host, args.port, stop)
        else:
            await runtime.run_polling(stop)

    asyncio.run(_main())
    return 0


def _demo(args: argparse.Namespace) -> int:
    from bot.demo import run_demo

    return asyncio.run(run_demo(engine=args.engine))


def _db_upgrade(_args: argparse.Namespace) -> int:
    from storage.migrate import upgrade_blocking

    settings, _ = _setup(require_config=False)
    upgrade_blocking(settings.resolved_database_url)
    print("database is up to date")
    return 0


def _residents_import(args: argparse.Namespace) -> int:
    from handlers.roster_files import format_report, read_roster
    from handlers.roster_import import import_roster

    return _import_file(args.file, read_roster, import_roster, format_report)


def _arrears_import(args: argparse.Namespace) -> int:
    from handlers.fees.arrears import import_arrears
    from handlers.fees.files import format_report, read_arrears

    return _import_file(args.file, read_arrears, import_arrears, format_report)


def _import_file(
    path: Path,
    read: Callable[[Path], Any],
    apply: Callable[[UnitOfWork, Any], Awaitable[Any]],
    report: Callable[[str, Any, Any], MessageBody],
) -> int:
    """Read a file of rows, apply the good ones in one transaction, and print what happened to
    each (a roster, an arrears list) in the estate's language; a file that cannot be read at
    all changes nothing."""
    from bot.render import Renderer
    from bot.runtime import ESTATE_SLUG, system_clock
    from handlers.roster_files import RosterFileError
    from storage.database import Database
    from storage.migrate import upgrade

    settings, config = _setup()
    assert config is not None
    renderer = Renderer(config.estate.zone)
    try:
        read_back = read(path)
    except RosterFileError as exc:
        said = renderer.terminal(config.estate.default_language, {"lines": [exc.reason]})
        print(f"estate-bot: {said}", file=sys.stderr)
        return 2

    async def _main() -> MessageBody:
        db = Database(settings.resolved_database_url, system_clock)
        try:
            await upgrade(db.engine)
            estate_id = await db.ensure_estate(ESTATE_SLUG, config.estate.name)
            async with db.uow(estate_id) as uow:
                done = await apply(uow, read_back.rows)
                await uow.commit()
            return report(path.name, done, read_back.rejected)
        finally:
            await db.close()

    said = asyncio.run(_main())
    print(renderer.terminal(config.estate.default_language, dict(said)))
    return 0


def _report(args: argparse.Namespace) -> int:
    """The report as the groups get it, on the terminal; its chart and spreadsheet in a folder."""
    from bot.features import build_features
    from bot.render import Renderer
    from bot.report_files import ReportFiles, make_report
    from bot.runtime import ESTATE_SLUG, system_clock
    from storage.database import Database
    from storage.migrate import upgrade

    settings, config = _setup()
    assert config is not None
    features = build_features(config)
    renderer = Renderer(config.estate.zone)
    language = args.lang or config.estate.default_language

    async def _main() -> ReportFiles | None:
        db = Database(settings.resolved_database_url, system_clock)
        try:
            await upgrade(db.engine)
            estate_id = await db.ensure_estate(ESTATE_SLUG, config.estate.name)
            async with db.uow(estate_id) as uow:
                try:
                    return await make_report(
                        uow, features, renderer, language, args.kind, args.month
                    )
                except ValueError:
                    return None
        finally:
            await db.close()

    made = asyncio.run(_main())
    if made is None:
        print(f"estate-bot: not a month: {args.month!r} (write 2026-11)", file=sys.stderr)
        return 2
    chart, sheet = made.save(args.out)
    print(f"{made.text}\n\n{chart}\n{sheet}")
    return 0


def _config_check(_args: argparse.Namespace) -> int:
    settings, config = _setup()
    assert config is not None
    print(f"{settings.config}: valid ({config.estate.name}, {len(config.staff)} staff)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
