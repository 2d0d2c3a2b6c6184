"""`python -m dashboard`: the analysts' data workflow on the command line, without the web app.

    python -m dashboard export TABLE [-o FILE]           the published table as CSV (stdout) or XLSX
    python -m dashboard template TABLE [-o FILE]         an empty template (header row only)
    python -m dashboard validate FILE --table TABLE      exit 0 if accepted, 1 with every problem
    python -m dashboard publish FILE --table TABLE --note TEXT [--editor NAME]
    python -m dashboard history [TABLE]
    python -m dashboard rollback TABLE VERSION [--note TEXT] [--editor NAME]

Every command acts on the store in `DASHBOARD_STORE` (default: `store/` in the project). Exit
codes: 0 done, 1 refused (problems in the file, unknown version, store error), 2 usage error.
Whatever the bytes of FILE, the output is a report, never a Python traceback.

Authorisation: the write commands (publish, rollback) act directly on the local store folder, so
the filesystem permissions of that folder are the guard: whoever may write it may publish. The web
app's editor sign-in does not apply here.
"""

from __future__ import annotations

import argparse
import getpass
import json
import os
import sys
from collections.abc import Sequence
from pathlib import Path

from dashboard import diff as diffing
from dashboard import ingest
from dashboard.export import to_csv_bytes, to_xlsx_bytes
from dashboard.i18n import DEFAULT_LANG, LANGUAGES, t
from dashboard.paths import store_dir
from dashboard.problems import report_text, safe_text
from dashboard.schema import table_specs
from dashboard.store import LocalStore, StoreError, UnknownTable

EXIT_OK, EXIT_REFUSED, EXIT_USAGE = 0, 1, 2
LANG_ENV = "DASHBOARD_LANG"


class UsageError(Exception):
    """The command line cannot be carried out as written (exit code 2)."""


class _Parser(argparse.ArgumentParser):
    def error(self, message: str):  # argparse prints usage and exits 2; keep that, in one place
        self.print_usage(sys.stderr)
        self.exit(EXIT_USAGE, f"{self.prog}: error: {message}\n")


def _lang(argv: Sequence[str]) -> str:
    """The language, from --lang (looked at before parsing, for translated help) or the env."""
    for position, arg in enumerate(argv):
        if arg == "--lang" and position + 1 < len(argv) and argv[position + 1] in LANGUAGES:
            return argv[position + 1]
        if arg.startswith("--lang=") and arg.split("=", 1)[1] in LANGUAGES:
            return arg.split("=", 1)[1]
    env = os.environ.get(LANG_ENV)
    return env if env in LANGUAGES else DEFAULT_LANG


def build_parser(lang: str) -> argparse.ArgumentParser:
    def tr(key: str, **params: object) -> str:
        return t(key, lang, **params).replace("%", "%%")

    tables = list(table_specs())
    parser = _Parser(prog="python -m dashboard", description=tr("cli.description"),
                     epilog=tr("cli.epilog", store=str(store_dir())),
                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--lang", choices=LANGUAGES, default=lang, help=tr("cli.help_lang"))
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND", parser_class=_Parser)

    export = commands.add_parser("export", help=tr("cli.help_export"), description=tr("cli.help_export"))
    export.add_argument("table", choices=tables, metavar="TABLE", help=tr("cli.help_table", tables=", ".join(tables)))
    export.add_argument("-o", "--output", type=Path, help=tr("cli.help_output"))
    export.add_argument("--version", type=int, help=tr("cli.help_version"))
    export.add_argument("--headers", choices=ingest.HEADER_STYLES, default="ids", help=tr("cli.help_headers"))

    template = commands.add_parser("template", help=tr("cli.help_template"), description=tr("cli.help_template"))
    template.add_argument("table", choices=tables, metavar="TABLE", help=tr("cli.help_table", tables=", ".join(tables)))
    template.add_argument("-o", "--output", type=Path, help=tr("cli.help_output"))
    template.add_argument("--headers", choices=ingest.HEADER_STYLES, default="ids", help=tr("cli.help_headers"))

    for name in ("validate", "publish"):
        sub = commands.add_parser(name, help=tr(f"cli.help_{name}"), description=tr(f"cli.help_{name}"),
                                  epilog=tr("cli.epilog_write") if name == "publish" else None)
        sub.add_argument("file", type=Path, metavar="FILE", help=tr("cli.help_file"))
        sub.add_argument("--table", required=True, choices=tables, metavar="TABLE",
                         help=tr("cli.help_table", tables=", ".join(tables)))
        sub.add_argument("--sheet", help=tr("cli.help_sheet"))
        sub.add_argument("--json", action="store_true", help=tr("cli.help_json"))
        if name == "publish":
            sub.add_argument("--note", required=True, help=tr("cli.help_note"))
            sub.add_argument("--editor", help=tr("cli.help_editor"))

    history = commands.add_parser("history", help=tr("cli.help_history"), description=tr("cli.help_history"))
    history.add_argument("table", nargs="?", choices=tables, metavar="TABLE",
                         help=tr("cli.help_table", tables=", ".join(tables)))

    rollback = commands.add_parser("rollback", help=tr("cli.help_rollback"), description=tr("cli.help_rollback"),
                                   epilog=tr("cli.epilog_write"))
    rollback.add_argument("table", choices=tables, metavar="TABLE", help=tr("cli.help_table", tables=", ".join(tables)))
    rollback.add_argument("version", type=int, metavar="VERSION", help=tr("cli.help_version"))
    rollback.add_argument("--note", help=tr("cli.help_note"))
    rollback.add_argument("--editor", help=tr("cli.help_editor"))
    return parser


# --------------------------------------------------------------------------- helpers


def _out(text: str = "") -> None:
    sys.stdout.write(text + "\n")


def _err(text: str) -> None:
    sys.stderr.write(text + "\n")


def _write(data: bytes, output: Path | None) -> None:
    if output is None:
        sys.stdout.flush()
        sys.stdout.buffer.write(data)
        sys.stdout.buffer.flush()
        return
    try:
        output.write_bytes(data)
    except OSError as error:
        raise UsageError(f"{output}: {error.strerror or error}") from None


def _is_xlsx(output: Path | None) -> bool:
    return output is not None and output.suffix.lower() in (".xlsx", ".xlsm")


def _read_input(path: Path) -> bytes:
    """The file's bytes, refusing to slurp more than the upload limit (+1 byte so the reader says so)."""
    limit = ingest.max_upload_bytes()
    try:
        if path.is_dir():
            raise UsageError(f"{path}: is a directory")
        with path.open("rb") as handle:
            return handle.read(limit + 1)
    except OSError as error:
        raise UsageError(f"{path}: {error.strerror or error}") from None


def _default_editor() -> str:
    try:
        return getpass.getuser() or "cli"
    except Exception:  # noqa: BLE001 - no user name in some containers
        return "cli"


def _store() -> LocalStore:
    return LocalStore(store_dir())


def _problems_json(result: ingest.Ingested) -> str:
    return json.dumps({
        "table": result.table, "file": result.source_name, "sha256": result.sha256, "rows": result.rows,
        "accepted": result.ok,
        "problems": [{"row": p.row, "column": p.column, "value": p.value, "code": p.code,
                      "params": {k: v if isinstance(v, (int, float, str, bool)) or v is None else str(v)
                                 for k, v in dict(p.params).items()}} for p in result.problems],
    }, ensure_ascii=False, indent=1)


def _check(args, lang: str, tables) -> ingest.Ingested:
    data = _read_input(args.file)
    return ingest.ingest(args.table, data, args.file.name, tables, sheet=args.sheet)


def _report(result: ingest.Ingested, lang: str, as_json: bool) -> None:
    if as_json:
        _out(_problems_json(result))
        return
    spec = table_specs()[result.table]
    if result.ok:
        _out(t("cli.accepted", lang, file=safe_text(result.source_name), table=result.table, rows=f"{result.rows:,}",
               sha256=result.sha256))
    else:
        _out(t("cli.rejected", lang, file=safe_text(result.source_name), table=result.table,
               count=len(result.problems)))
        _out(report_text(result.problems, lang, spec))


# --------------------------------------------------------------------------- commands


def cmd_export(args, lang: str) -> int:
    spec = table_specs()[args.table]
    store = _store()
    try:
        frame = store.read(args.table, args.version) if args.version else store.read_with_fallback(args.table)[0]
    except UnknownTable:
        if args.version:
            raise
        frame = ingest.published_tables(store)[args.table]
    shown = ingest.labelled(frame, spec, args.headers)
    if _is_xlsx(args.output):
        data = to_xlsx_bytes(shown, sheet=args.table)
    else:
        data = to_csv_bytes(shown)
        if args.output is None:
            data = data.removeprefix(b"\xef\xbb\xbf")  # a BOM helps Excel, not a pipe
    _write(data, args.output)
    return EXIT_OK


def cmd_template(args, lang: str) -> int:
    spec = table_specs()[args.table]
    frame = ingest.template(spec, args.headers)
    data = to_xlsx_bytes(frame, sheet=args.table) if _is_xlsx(args.output) else to_csv_bytes(frame)
    if args.output is None:
        data = data.removeprefix(b"\xef\xbb\xbf")
    _write(data, args.output)
    return EXIT_OK


def cmd_validate(args, lang: str) -> int:
    result = _check(args, lang, ingest.published_tables(_store()))
    _report(result, lang, args.json)
    return EXIT_OK if result.ok else EXIT_REFUSED


def cmd_publish(args, lang: str) -> int:
    from dashboard.catalog import seed_store

    store = _store()
    result = _check(args, lang, ingest.published_tables(store))  # reads only: bad input writes nothing
    if not result.ok:
        _report(result, lang, args.json)
        return EXIT_REFUSED
    seed_store(store)  # the other tables exist as version 1 before this one gets a new version
    tables = ingest.published_tables(store)
    editor = args.editor if args.editor is not None else _default_editor()
    changes = diffing.diff_tables(table_specs()[args.table], tables[args.table], result.frame)
    base = store.latest_version(args.table)
    try:
        info = ingest.publish(store, result, note=args.note, editor=editor)
    except ingest.IngestRefused as refused:
        _out(t("cli.not_published", lang, table=args.table))
        _out(report_text(refused.problems, lang, table_specs()[args.table]))
        return EXIT_REFUSED
    if args.json:
        _out(json.dumps({"table": info.table, "version": info.version, "rows": info.rows,
                         "sha256": info.source_sha256, **changes.counts}, ensure_ascii=False))
    else:
        _out(t("cli.published", lang, table=info.table, version=info.version, rows=f"{info.rows:,}",
               sha256=info.source_sha256, **{k: f"{v:,}" for k, v in changes.counts.items()}))
        if not changes.has_changes:
            _out(t("cli.no_changes", lang, version=base))
    return EXIT_OK


def _history_lines(store: LocalStore, table: str, lang: str) -> list[str]:
    lines = [t("cli.history_table", lang, table=table)]
    header = (t("cli.col_version", lang), t("cli.col_created", lang), t("cli.col_editor", lang),
              t("cli.col_rows", lang), t("cli.col_note", lang))
    lines.append(f"  {header[0]:>7}  {header[1]:<26}  {header[2]:<16}  {header[3]:>9}  {header[4]}")
    for info in store.history(table):
        note = safe_text(info.note, 100)
        if info.rollback_of is not None:
            note += " " + t("cli.rollback_of", lang, version=info.rollback_of)
        if info.source_name:
            note += f" [{safe_text(info.source_name, 60)}, sha256 {(info.source_sha256 or '')[:12]}]"
        lines.append(f"  {info.version:>7}  {info.created_at[:26]:<26}  {safe_text(info.editor, 16):<16}  "
                     f"{info.rows:>9,}  {note}")
    return lines


def cmd_history(args, lang: str) -> int:
    store = _store()
    if args.table:
        try:
            lines = _history_lines(store, args.table, lang)
        except UnknownTable:
            _out(t("cli.never_published", lang, table=args.table))
            return EXIT_OK
        _out("\n".join(lines))
        return EXIT_OK
    names = store.tables()
    if not names:
        _out(t("cli.empty_store", lang, store=str(store.root)))
        return EXIT_OK
    _out(f"{t('cli.col_table', lang):<28}  {t('cli.col_version', lang):>7}  {t('cli.col_created', lang):<26}  "
         f"{t('cli.col_editor', lang)}")
    for name in names:
        latest = store.history(name)[0]
        _out(f"{name:<28}  {latest.version:>7}  {latest.created_at[:26]:<26}  {safe_text(latest.editor, 40)}")
    return EXIT_OK


def cmd_rollback(args, lang: str) -> int:
    store = _store()
    editor = args.editor if args.editor is not None else _default_editor()
    note = args.note or t("cli.rollback_note", lang, version=args.version)
    try:
        info = ingest.rollback(store, args.table, args.version, editor=editor, note=note)
    except ingest.IngestRefused as refused:
        _out(t("cli.not_published", lang, table=args.table))
        _out(report_text(refused.problems, lang, table_specs()[args.table]))
        return EXIT_REFUSED
    _out(t("cli.rolled_back", lang, table=info.table, version=info.version, old=args.version,
           rows=f"{info.rows:,}"))
    return EXIT_OK


COMMANDS = {"export": cmd_export, "template": cmd_template, "validate": cmd_validate, "publish": cmd_publish,
            "history": cmd_history, "rollback": cmd_rollback}


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.reconfigure(errors="backslashreplace")
        except (AttributeError, ValueError):
            pass
    lang = _lang(argv)
    try:
        args = build_parser(lang).parse_args(argv)
        return COMMANDS[args.command](args, args.lang)
    except UsageError as error:
        _err(f"python -m dashboard: error: {error}")
        return EXIT_USAGE
    except StoreError as error:
        _err(t("cli.store_error", lang, error=safe_text(error, 400)))
        return EXIT_REFUSED
    except KeyboardInterrupt:
        _err(t("cli.interrupted", lang))
        return 130
    except SystemExit as exit_:  # --help, or argparse's usage error (already printed)
        return exit_.code if isinstance(exit_.code, int) else EXIT_USAGE
    except BrokenPipeError:  # e.g. `export ... | head`: stop quietly
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return EXIT_OK
    except Exception as error:  # noqa: BLE001 - a report, never a traceback
        _err(t("cli.internal_error", lang, error=safe_text(f"{type(error).__name__}: {error}", 400)))
        return EXIT_REFUSED


if __name__ == "__main__":
    sys.exit(main())
