"""The `fivestar` command: each subcommand a few lines over the core modules."""

from __future__ import annotations

import argparse
import atexit
import contextlib
import os
import sys
import threading
import traceback
from collections.abc import Callable, Sequence
from pathlib import Path

from generator import heap
from generator.cliparse import ChineseArgumentParser, count_argument, date_argument, port_argument, year_argument
from generator.quotes import quoted
from generator.records.load import LoadResult, load_dataset
from generator.records.membercache import MemberCache
from generator.records.problems import DataError, format_report, sort_problems

EXIT_OK, EXIT_DATA, EXIT_USAGE, EXIT_INTERNAL = 0, 1, 2, 3

Command = Callable[[argparse.Namespace], int]
COMMANDS: dict[str, tuple[str, Callable[[argparse.ArgumentParser], None], Command]] = {}


def subcommand(name: str, help_text: str,
               arguments: Callable[[argparse.ArgumentParser], None]) -> Callable[[Command], Command]:
    """Register a subcommand: its name, its one-line help, and a function adding its arguments."""
    def register(run: Command) -> Command:
        COMMANDS[name] = (help_text, arguments, run)
        return run
    return register


def add_data_argument(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--data", type=Path, default=Path("data"), metavar="文件夹",
                        help="数据文件夹（默认 data）")


def print_problems(result: LoadResult) -> None:
    """Errors and warnings to stderr, each with file:line:column and a hint."""
    if result.problems:
        sys.stderr.write(format_report(result.problems) + "\n")


def summary_line(result: LoadResult) -> str:
    """检查通过：N 个支部，N 份荣誉名单，N 项活动，N 个品牌 (with the region's total when it differs)."""
    dataset = result.dataset
    assert dataset is not None
    branches = f"{len(dataset.branches)} 个支部"
    if dataset.site.branch_count is not None and dataset.site.branch_count != len(dataset.branches):
        branches += f"（{dataset.site.region}共 {dataset.site.branch_count} 个）"
    return (f"检查通过：{branches}，{len(dataset.honours)} 份荣誉名单，"
            f"{len(dataset.events)} 项活动，{len(dataset.brands)} 个品牌"
            + (f"（另有 {len(result.warnings)} 条提醒）" if result.warnings else "") + "。")


def count_lines(result: LoadResult) -> list[str]:
    """One line per honour title with its count at each level: 文明校园：国家级 2 所、省级 4 所…"""
    dataset = result.dataset
    assert dataset is not None
    lines = [f"数据截至 {dataset.site.as_of.isoformat()}。"]
    for title in dataset.titles:
        parts = []
        for honour in title.lists:
            unit = "人" if honour.is_individual else "所"
            year = f"（{honour.year}年）" if honour.year else ""
            parts.append(f"{honour.level} {honour.count} {unit}{year}")
        lines.append(f"{title.title}：" + "、".join(parts))
    return lines


def member_cache_for(data_dir: Path, *, full: bool = False) -> MemberCache:
    """The member cache beside the data (`.cache/fivestar/members/`): check and build read and keep it alike;
    `build --full` reads none of it."""
    from generator.site.images import default_cache_dir

    return MemberCache(default_cache_dir(data_dir).parent, ignore=full)


def load_checked(data_dir: Path, *, publish: bool = False, config: Path | None = None,
                 full: bool = False) -> LoadResult:
    """Load the records and scan the hand-written pages beside them (`content/`) for personal data; add what must be
    settled before publishing: warnings, or with `publish` errors (and the site's address from `config`)."""
    from generator.checks.content import scan_content
    from generator.checks.publish import publish_problems, publish_warnings
    from generator.checks.wording import wording_for
    from generator.dataset import all_members

    result = load_dataset(data_dir, member_cache=member_cache_for(data_dir, full=full))
    site = result.dataset.site if result.dataset is not None else None
    pages = scan_content(data_dir.parent / "content", wording_for(site))
    own = (site.region, site.owner, site.title, site.description) if site is not None else (None,)
    if result.dataset is not None:  # a city's own places include its member regions'
        own += tuple(text for m in all_members(result.dataset.members) for text in (m.name, m.site.owner))
    if publish:
        pages += publish_problems(data_dir, config, *own)
    else:
        pages += publish_warnings(data_dir, *own)
    if not pages:
        return result
    problems = tuple(sort_problems([*result.problems, *pages]))
    failed = any(p.is_error for p in problems)
    return LoadResult(None if failed else result.dataset, problems)


def publish_config(config: Path | None, data_dir: Path) -> Path | None:
    """The mkdocs.yml whose site_url `check --publish` reads: the one given, else the project's (./mkdocs.yml, or the
    one beside the data folder); None when there is none (never the bundled demo's)."""
    if config is not None:
        return config if config.is_file() else None
    return next((path for path in (Path("mkdocs.yml"), data_dir.parent / "mkdocs.yml") if path.is_file()), None)


def load_and_report(data_dir: Path, *, publish: bool = False, config: Path | None = None) -> LoadResult:
    """Load, print every problem, and say in one line how it went."""
    from generator.checks.privacy import allowed_summary

    result = load_checked(data_dir, publish=publish, config=publish_config(config, data_dir) if publish else None)
    print_problems(result)
    if allowed := allowed_summary(result.problems):
        sys.stderr.write(allowed + "\n")
    if not result.ok:
        errors = len(result.errors)
        sys.stderr.write(f"数据检查未通过：共 {errors} 处错误"
                         + (f"、{len(result.warnings)} 条提醒" if result.warnings else "")
                         + "。请按上面的提示逐条修改后再运行。\n")
    return result


def add_check_arguments(parser: argparse.ArgumentParser) -> None:
    add_data_argument(parser)
    parser.add_argument("-v", "--verbose", action="store_true",
                        help="通过后再列出每种荣誉在各级别的数量，便于与原始文件核对")
    parser.add_argument("--publish", action="store_true",
                        help="发布前的检查：网站地址（mkdocs.yml 的 site_url）须是 https 正式地址，content/ 里不能有"
                             "提到别的地区的文章（发布流程会用它；导入留下的“待确认”“请核对”平时的检查就不放过）")
    parser.add_argument("--config", type=Path, default=None, metavar="FILE",
                        help="网站设置文件（默认 mkdocs.yml），--publish 从中读取 site_url")


@subcommand("check", "检查数据：格式、引用、个人信息等，全部问题一次列出", add_check_arguments)
def run_check(args: argparse.Namespace) -> int:
    result = load_and_report(args.data, publish=args.publish, config=args.config)
    if not result.ok:
        if args.publish:
            sys.stderr.write("以上问题改好之前，网站不能发布。\n")
        return EXIT_DATA
    print(summary_line(result) + ("可以发布。" if args.publish else ""))
    if args.verbose:
        print("\n".join(count_lines(result)))
    return EXIT_OK


def add_out_argument(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--out", type=Path, default=Path("schema"), metavar="文件夹",
                        help="输出文件夹（默认 schema）")


@subcommand("schema", "生成 VS Code 用的 JSON Schema（自动补全和悬停说明）", add_out_argument)
def run_schema(args: argparse.Namespace) -> int:
    from generator.staff.schema import write_schemas

    for path in write_schemas(args.out):
        print(f"已写入 {path.as_posix()}")
    return EXIT_OK


def add_press_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--title", metavar="名称", help="只输出这一种荣誉的句子（荣誉名称，如 平安校园）")
    parser.add_argument("--year", type=year_argument, metavar="年份", help="只输出这一年度的句子，如 2023")
    add_data_argument(parser)


def load_quietly(data_dir: Path) -> LoadResult:
    """Load for commands whose stdout is data: stay silent unless there are errors (warnings: `fivestar check`)."""
    result = load_dataset(data_dir)
    if not result.ok:
        print_problems(result)
        sys.stderr.write(f"数据检查未通过：共 {len(result.errors)} 处错误。请按上面的提示逐条修改后再运行。\n")
    return result


@subcommand("press", "输出可直接引用的新闻稿句，每行一句（可用管道转存）", add_press_arguments)
def run_press(args: argparse.Namespace) -> int:
    from generator.site.press import all_sentences

    result = load_quietly(args.data)
    if not result.ok:
        return EXIT_DATA
    dataset = result.dataset
    assert dataset is not None
    if args.title is not None and not any(args.title in (t.title, t.slug) for t in dataset.titles):
        known = "、".join(t.title for t in dataset.titles) or "（暂无）"
        sys.stderr.write(f"没有名为{quoted(args.title)}的荣誉。现有的荣誉：{known}。\n")
        return EXIT_DATA
    sentences = all_sentences(dataset, title=args.title, year=args.year)
    if not sentences:
        what = "".join(x for x in (args.year and f" {args.year} 年度", args.title and f"{quoted(args.title)}") if x)
        sys.stderr.write(f"没有{what}可以生成新闻稿句的名单。\n")
        return EXIT_DATA
    try:
        sys.stdout.write("".join(sentence + "\n" for sentence in sentences))
        sys.stdout.flush()
    except BrokenPipeError:  # `fivestar press | head -1`: the reader has what it wanted
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
    return EXIT_OK


def add_export_arguments(parser: argparse.ArgumentParser) -> None:
    add_data_argument(parser)
    parser.add_argument("--out", type=Path, default=Path("export"), metavar="文件夹",
                        help="输出文件夹（默认 export）；文件写在其中的 downloads/ 和 feed.xml")
    parser.add_argument("--site-url", metavar="网址", help="网站地址，用于订阅源中的链接（可不填）")


@subcommand("export", "导出下载文件：荣誉名单和支部名录（CSV、Excel、JSON）及订阅源", add_export_arguments)
def run_export(args: argparse.Namespace) -> int:
    from generator.engine.build import BuildFailed, folder_lock
    from generator.site.exports import write_exports

    result = load_quietly(args.data)
    if not result.ok:
        return EXIT_DATA
    assert result.dataset is not None
    try:
        with folder_lock(args.out.resolve()):  # --out site: not while a build of site/ is under way
            paths = write_exports(result.dataset, args.out, site_url=args.site_url)
    except BuildFailed as error:
        sys.stderr.write(f"{error}\n")
        return error.exit_code
    except OSError as error:
        sys.stderr.write(f"无法写入文件夹{quoted(args.out.as_posix())}：{error.strerror or error}。"
                         "请检查路径和权限后重试。\n")
        return EXIT_INTERNAL
    print(f"已写入 {len(paths)} 个文件到 {args.out.as_posix()}/，数据截至 {result.dataset.site.as_of.isoformat()}。")
    return EXIT_OK


def add_demo_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--branches", type=count_argument, default=1000, metavar="个数", help="支部个数（默认 1000）")
    parser.add_argument("--out", type=Path, required=True, metavar="文件夹",
                        help="写入的数据文件夹（须为空文件夹，或以前 demo 生成的文件夹）")
    parser.add_argument("--seed", type=int, default=None, metavar="数字", help="随机种子（默认固定值，结果每次相同）")
    parser.add_argument("--dense", action="store_true",
                        help="密集数据：每个支部都有星级记录、党建品牌（标识和 2 张照片）、至少 8 份荣誉名单、"
                             "活动，并在新闻稿中出现（新闻稿写入数据文件夹旁边的 content/news/）")
    parser.add_argument("--regions", type=count_argument, default=0, metavar="个数",
                        help="生成一个市（示例市）：由这么多个区县组成，--branches 个支部分给各区县；"
                             "各区县的数据在 regions/ 文件夹里")
    parser.add_argument("--cities", type=count_argument, default=0, metavar="个数",
                        help="和 --regions 一起用：生成一个省（示例省），由这么多个市组成，区县分给各市")


@subcommand("demo", "生成虚构的演示数据（示例区，N 个支部），用于演示和性能测试", add_demo_arguments)
def run_demo(args: argparse.Namespace) -> int:
    from generator.staff.demo import SEED, DemoOutputError, news_folder, write_demo

    if args.branches < 1:
        sys.stderr.write("fivestar demo：--branches 至少为 1。\n")
        return EXIT_USAGE
    if args.cities and not args.regions:
        sys.stderr.write("fivestar demo：--cities 要和 --regions 一起用，如 --regions 150 --cities 10。\n")
        return EXIT_USAGE
    if args.regions:
        return _demo_city(args)
    try:
        region = write_demo(args.out, args.branches, SEED if args.seed is None else args.seed, args.dense)
    except DemoOutputError as error:
        return _demo_refused(error, "demo-data")
    news = f"，{len(region.news)} 篇新闻稿（在 {news_folder(args.out).as_posix()}）" if region.news else ""
    print(f"已在 {args.out.as_posix()} 生成演示数据（全部虚构）：{len(region.branches)} 个支部，"
          f"{len(region.honours)} 份荣誉名单，{len(region.events)} 项活动{news}。"
          f"检查：fivestar check --data {args.out.as_posix()}")
    return EXIT_OK


def _demo_refused(error: Exception, example: str) -> int:
    sys.stderr.write(f"fivestar demo：{error}\n请换一个空文件夹，如 --out {example}。\n")
    return EXIT_USAGE


def _demo_city(args: argparse.Namespace) -> int:
    from generator.staff.demo import SEED, DemoOutputError, make_city, write_city

    if args.dense:
        sys.stderr.write("fivestar demo：--dense 只用于单个地区，不能和 --regions 一起用。\n")
        return EXIT_USAGE
    if args.branches < args.regions or (args.cities and args.cities > args.regions):
        sys.stderr.write("fivestar demo：每个区县至少要有 1 个支部（--branches 不少于 --regions），"
                         "每个市至少要有 1 个区县（--regions 不少于 --cities）。\n")
        return EXIT_USAGE
    city = make_city(args.regions, args.branches, SEED if args.seed is None else args.seed, args.cities)
    try:
        write_city(city, args.out)
    except DemoOutputError as error:
        return _demo_refused(error, "demo-city")
    what = f"{args.cities} 个市、" if args.cities else ""
    print(f"已在 {args.out.as_posix()} 生成演示数据（全部虚构）：{city.site['region']}，{what}{args.regions} 个区县，"
          f"{city.branch_total} 个支部；各地区的数据在 {args.out.as_posix()}/regions/ 里。"
          f"检查：fivestar check --data {args.out.as_posix()}")
    return EXIT_OK


def add_honour_status_arguments(parser: argparse.ArgumentParser) -> None:
    """--status, --batch, --official: how the bureau published the list (shared by `new honour` and `import`)."""
    from generator.records.model import STATUSES

    parser.add_argument("--status", choices=STATUSES, metavar="状态",
                        help="名单状态：" + "、".join(STATUSES) + "（默认 命名；公示即拟命名名单）")
    parser.add_argument("--batch", help="批次或届次，按文件原样写，如 第二批")
    parser.add_argument("--official", help="文件里印的完整荣誉名称，一字不改，如 示例市平安校园")


def add_new_arguments(parser: argparse.ArgumentParser) -> None:
    from generator.records.kinds import all_kinds

    parser.add_argument("kind", choices=[word for kind in all_kinds() for word in kind.words], metavar="类型",
                        help="、".join(f"{kind.name}（{kind.label}）" for kind in all_kinds()))
    parser.add_argument("id", nargs="?", metavar="编号",
                        help="小写英文字母、数字和连字符，如 qu-yishixiao；也是文件名。"
                             "不写时由名称生成（不超过 30 个字符）")
    parser.add_argument("--name", help="支部：新闻稿中使用的简称，如 区一实小")
    parser.add_argument("--title", help="荣誉名称（不含级别）或活动名称")
    parser.add_argument("--level", help="荣誉级别，如 市级")
    parser.add_argument("--year", type=year_argument, help="荣誉年度，如 2023（文件放进 honours/2023/）")
    parser.add_argument("--total", type=count_argument, help="荣誉：名单只列出部分时的总数（等N所的 N）")
    parser.add_argument("--date", type=date_argument,
                        help="活动日期 YYYY-MM-DD，只知道月份时写 YYYY-MM（编号以日期开头时可省略）")
    parser.add_argument("--recipients", "--branches", action="append", metavar="名称",
                        help="获奖（或参加）的学校，名称或编号，按顺序，用顿号或逗号隔开")
    parser.add_argument("--venue", help="活动举办地点：学校名称或编号")
    add_honour_status_arguments(parser)
    add_data_argument(parser)


@subcommand("new", "新建一条记录（支部、荣誉名单或活动），文件里每一项都有中文说明", add_new_arguments)
def run_new(args: argparse.Namespace) -> int:
    from generator.staff.scaffold import (
        ScaffoldError,
        new_branch,
        new_event,
        new_honour,
        new_record,
        record_kind,
        split_names,
    )

    kind = record_kind(args.kind).name
    try:
        if kind == "branch":
            created = new_branch(args.data, args.id, args.name)
        elif kind == "honour":
            created = new_honour(args.data, args.id, args.title, args.level, args.year,
                                 split_names(args.recipients), args.total, status=args.status, batch=args.batch,
                                 official=args.official)
        elif kind == "event":
            created = new_event(args.data, args.id, args.title, args.date, split_names(args.recipients), args.venue)
        else:
            created = new_record(args.data, kind, args.id, args.name)
    except ScaffoldError as error:
        sys.stderr.write(f"没有新建文件：{error}\n")
        return EXIT_USAGE
    from generator.staff.scaffold import shown_path

    print(f"已新建 {shown_path(created.path)}")
    print("\n".join([*created.notes, created.next_step]))
    return EXIT_OK


def add_import_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("file", type=Path, nargs="?", metavar="表格文件",
                        help="名单表格：.xlsx（Excel/WPS）或 .csv（UTF-8 或 GBK）；"
                             "加 --confirm 时是要确认的名单文件（data/honours/…），不写就处理所有名单")
    parser.add_argument("--confirm", action="store_true",
                        help="逐项确认导入时近似匹配的学校（“待确认”项）：在终端里一项一项回答")
    parser.add_argument("--title", help="荣誉名称，不含级别，如 平安校园（必填）")
    parser.add_argument("--level", help="级别，如 市级（必填）")
    parser.add_argument("--year", type=year_argument, help="年度，如 2023（文件放进 honours/2023/）")
    parser.add_argument("--column", help="学校名称所在的列：列名（如 学校名称）或列字母（如 B）；默认自动识别")
    parser.add_argument("--sheet", help="工作表名称或序号（默认第一个工作表）")
    parser.add_argument("--total", type=count_argument, help="名单只列出部分时的总数（等N所的 N）")
    parser.add_argument("--id", dest="record_id", metavar="编号", help="名单编号（文件名），默认由名称、级别、年度生成")
    parser.add_argument("--allow-unmatched", action="store_true", help="跳过未能匹配的名称（会列出），照样写入")
    parser.add_argument("--exact", action="store_true", help="只接受准确匹配，近似匹配也当作未匹配")
    parser.add_argument("--force", action="store_true", help="已有同编号的名单时用新名单替换")
    parser.add_argument("--issuer", help="发文单位")
    parser.add_argument("--document", help="文号，如 教安全〔2023〕200号")
    parser.add_argument("--date", type=date_argument,
                        help="发文或公布日期 YYYY-MM-DD，只写到月或年时写 YYYY-MM 或 YYYY")
    parser.add_argument("--source", help="公布来源：网址或文件名")
    add_honour_status_arguments(parser)
    parser.add_argument("--scope", metavar="范围",
                        help="名单比本地区大时写它的范围，如 全市：不属于本地区的学校只列出、不算错，"
                             "名单总数写进 scope_total")
    parser.add_argument("--grade-column", metavar="列名",
                        help="等次所在的列（列名或列字母）；默认自动识别 等次、等级、奖项 等列")
    add_data_argument(parser)


@subcommand("import", "从 Excel 或 CSV 名单导入一份荣誉名单，自动匹配学校", add_import_arguments)
def run_import(args: argparse.Namespace) -> int:
    from generator.staff.importer import ImportRequest, TableError, import_list

    if args.confirm:
        return run_confirm(args)
    missing = [flag for flag, value in (("表格文件", args.file), ("--title", args.title), ("--level", args.level))
               if value is None]
    if missing:
        sys.stderr.write(f"fivestar: 用法错误：缺少必需的参数：{'、'.join(missing)}\n"
                         "运行 `fivestar import --help` 查看用法。\n")
        return EXIT_USAGE
    request = ImportRequest(args.data, args.file, args.title, args.level, args.year, args.column, args.sheet,
                            args.total, args.record_id, args.allow_unmatched, args.exact, args.force,
                            args.issuer, args.document, args.date, args.source, status=args.status,
                            batch=args.batch, official=args.official, scope=args.scope,
                            grade_column=args.grade_column)
    try:
        result = import_list(request)
    except TableError as error:
        sys.stderr.write(f"没有导入：{error}\n")
        return EXIT_DATA
    print("\n".join(result.lines))
    return EXIT_OK if result.ok else EXIT_DATA


def run_confirm(args: argparse.Namespace) -> int:
    """`fivestar import --confirm [名单文件]`: the pending items, asked about one by one in a terminal."""
    from generator.staff.confirm import confirm_pending

    done = confirm_pending(args.data, args.file, input, print, interactive=sys.stdin.isatty())
    return EXIT_OK if done else EXIT_DATA


def add_diff_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("rev", nargs="?", metavar="版本", help="要比较的 git 版本（默认：main 分支的最新提交）")
    parser.add_argument("--format", choices=["text", "markdown"], default="text",
                        help="text（终端阅读，默认）或 markdown（粘贴到审核请求里）")
    add_data_argument(parser)


@subcommand("diff", "列出数据与上一版相比的变化，供审核（三审）", add_diff_arguments)
def run_diff(args: argparse.Namespace) -> int:
    from generator.staff.diff import DiffError, diff_data, render_markdown, render_text

    try:
        report = diff_data(args.data, args.rev)
    except DiffError as error:
        sys.stderr.write(f"无法比较：{error}\n")
        return EXIT_USAGE
    sys.stdout.write(render_markdown(report) if args.format == "markdown" else render_text(report) + "\n")
    return EXIT_OK


def add_hook_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--force", action="store_true", help="替换已有的其他 pre-commit 钩子（原文件会备份）")
    add_data_argument(parser)


@subcommand("install-hook", "安装提交前检查：每次 git commit 前自动运行 fivestar check", add_hook_arguments)
def run_install_hook(args: argparse.Namespace) -> int:
    from generator.staff.hooks import HookError, install_hook

    try:
        installed = install_hook(args.data, args.force)
    except HookError as error:
        sys.stderr.write(f"没有安装：{error}\n")
        return EXIT_USAGE
    print(installed.message)
    return EXIT_OK


def add_cms_arguments(parser: argparse.ArgumentParser) -> None:
    add_data_argument(parser)
    server = parser.add_mutually_exclusive_group()
    server.add_argument("--gitlab", metavar="网址", help="单位的 GitLab 地址，如 https://git.example.cn")
    server.add_argument("--gitea", metavar="网址", help="单位的 Gitea 或 Forgejo 地址，如 https://git.example.cn")
    server.add_argument("--local", action="store_true", help="不用 Git 服务器，只在本机编辑（去掉已写的服务器设置）")
    parser.add_argument("--repo", metavar="组/项目", help="数据仓库在服务器上的路径，如 jyj/fivestar-site")
    parser.add_argument("--app-id", metavar="编号", help="在服务器上登记的 OAuth 应用的 Application ID")
    parser.add_argument("--branch", metavar="分支", help="表单保存到的分支（默认：仓库的默认分支）")
    parser.add_argument("--check", action="store_true",
                        help="只检查 admin/config.yml 是否是最新的（持续集成里用），不写文件")


@subcommand("cms", "生成表单编辑器的设置 admin/config.yml（fivestar serve 时在 /admin/ 打开）", add_cms_arguments)
def run_cms(args: argparse.Namespace) -> int:
    from generator.staff.cms import CONFIG_PATH, Backend, read_backend
    from generator.staff.editor import current_config, project_of

    path = project_of(args.data) / CONFIG_PATH
    url = args.gitlab or args.gitea
    if url is not None or args.repo or args.app_id or args.branch:
        if url is None:
            sys.stderr.write("没有写：--repo、--app-id、--branch 要和 --gitlab 或 --gitea 一起写。\n")
            return EXIT_USAGE
        if not url.startswith(("https://", "http://")):
            sys.stderr.write(f"没有写：服务器地址{quoted(url)}要以 https:// 开头，"
                             "如 https://git.example.cn。\n")
            return EXIT_USAGE
        if not args.repo or "/" not in args.repo.strip("/"):
            sys.stderr.write("没有写：请用 --repo 写出数据仓库在服务器上的路径，"
                             "如 --repo jyj/fivestar-site。\n")
            return EXIT_USAGE
        backend = Backend("gitlab" if args.gitlab else "gitea", url.rstrip("/"), args.repo.strip("/"),
                          args.app_id, args.branch)
    else:
        backend = None if args.local else read_backend(path)
    if not (args.data / "site.yaml").is_file() and not (args.data / "site.yml").is_file():
        sys.stderr.write(f"没有写：找不到 {args.data.as_posix()}/site.yaml。"
                         "请在项目文件夹里运行，或用 --data 指定数据文件夹。\n")
        return EXIT_USAGE
    text = current_config(args.data, backend, keep_server=not args.local)
    if args.check:
        written = path.read_text(encoding="utf-8") if path.is_file() else None
        if written == text:
            print(f"{CONFIG_PATH} 是最新的。")
            return EXIT_OK
        sys.stderr.write(f"{CONFIG_PATH} 不是最新的（数据格式或 site.yaml 改过）。"
                         "请运行 fivestar cms 重新生成并提交。\n")
        return EXIT_DATA
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    where = f"，保存到 {backend.url} 上的 {backend.repo}" if backend else "，只在本机编辑"
    print(f"已写入 {CONFIG_PATH}{where}。"
          "运行 fivestar serve 后，在浏览器里打开 http://127.0.0.1:8000/admin/ 用表单编辑。")
    return EXIT_OK


def add_init_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("dir", type=Path, metavar="文件夹", help="新网站的项目文件夹（须不存在或是空的）")
    parser.add_argument("--region", help="网站覆盖的地区，如 示例区")
    parser.add_argument("--owner", help="发布单位的全称，如 示例市示例区教育局党组")
    parser.add_argument("--title", help="网站标题，如 示例区中小学校党建工作展示")
    parser.add_argument("--site-url", metavar="URL", help="网站的正式地址，如 https://jyj.example.gov.cn/dangjian/")


@subcommand("init", "为一个新地区建立网站项目：设置、空的记录文件夹（附例子）、发布流程；没写的信息会逐项询问",
            add_init_arguments)
def run_init(args: argparse.Namespace) -> int:
    from generator.records.load import china_today
    from generator.staff.init_project import InitError, ProjectValues, ask_values, next_steps, write_project

    given = {"region": args.region, "owner": args.owner, "title": args.title, "site_url": args.site_url}
    try:
        values = ask_values(given, interactive=sys.stdin.isatty() and sys.stdout.isatty())
        created = write_project(args.dir, ProjectValues(**values, as_of=china_today()))
    except InitError as error:
        sys.stderr.write(f"fivestar init：{error}\n")
        return EXIT_USAGE
    except EOFError:
        sys.stderr.write("\nfivestar init：输入已结束，没有写入任何文件。\n")
        return EXIT_USAGE
    except OSError as error:
        sys.stderr.write(f"fivestar init：无法写入{quoted(args.dir)}（{error.strerror or error}），没有写入任何文件。"
                         "请检查路径和权限后重试。\n")
        return EXIT_INTERNAL
    print("\n".join(next_steps(created)))
    return EXIT_OK


def add_site_arguments(parser: argparse.ArgumentParser) -> None:
    add_data_argument(parser)
    parser.add_argument("--config", type=Path, default=None, metavar="文件",
                        help="网站设置文件（默认 mkdocs.yml）")


def add_build_arguments(parser: argparse.ArgumentParser) -> None:
    add_site_arguments(parser)
    parser.add_argument("--site-dir", type=Path, default=None, metavar="文件夹",
                        help="网站输出文件夹（默认 site）")
    parser.add_argument("--strict", action="store_true", help="严格模式：出现任何警告都不更新网站")
    parser.add_argument("--full", action="store_true",
                        help="每个页面都重新生成，不沿用上次生成的页面（缓存在 .cache/fivestar/pages/，删掉也无妨）")
    parser.add_argument("--with-editor", action="store_true",
                        help="把表单编辑器放进网站的 /admin/（只用于放在单位登录后面、通过 Git 服务器编辑的网站）")


def load_for_site(data_dir: Path, *, full: bool = False) -> LoadResult | None:
    """Check the data and content/ first, as `fivestar check` does; on errors print its report and return None."""
    result = load_checked(data_dir, full=full)
    if not result.ok:
        load_and_report(data_dir)
        sys.stderr.write("网站没有生成；上一次生成的网站保持不变。\n")
        return None
    print(summary_line(result))
    return result


@subcommand("build", "检查数据并生成网站到 site/；生成失败时保留上一次的网站", add_build_arguments)
def run_build(args: argparse.Namespace) -> int:
    from generator.engine.build import BuildFailed, build_site

    result = load_for_site(args.data, full=args.full)
    if result is None:
        return EXIT_DATA
    try:
        outcome = build_site(args.data, args.config, args.site_dir, strict=args.strict, loaded=result,
                             with_editor=getattr(args, "with_editor", False), page_cache=True, full=args.full,
                             delete_later=True)
    except DataError as error:  # content/ beside another docs_dir than the one check reads
        sys.stderr.write(error.report() + "\n网站没有生成；上一次生成的网站保持不变。\n")
        return EXIT_DATA
    except BuildFailed as error:
        sys.stderr.write(f"{error}\n")
        return error.exit_code
    for message in outcome.warnings:
        sys.stderr.write(f"提醒：{message}\n")
    print(f"网站已生成：{outcome.site_dir}（{outcome.pages} 个页面，用时 {outcome.seconds:.1f} 秒）。"
          "用 fivestar publish 上传到网站服务器或对象存储即可发布（见 EDITING.md“发布到服务器”）。")
    if outcome.reused:
        print(f"其中 {outcome.reused} 个页面和上次生成时完全相同，直接沿用，没有重新生成"
              "（要全部重新生成，加 --full）。")
    return EXIT_OK


def add_serve_arguments(parser: argparse.ArgumentParser) -> None:
    add_site_arguments(parser)
    parser.add_argument("--port", type=port_argument, default=8000, metavar="端口", help="预览端口（默认 8000）")


@subcommand("serve", "在本机预览网站（http://127.0.0.1:8000/），保存数据后自动刷新", add_serve_arguments)
def run_serve(args: argparse.Namespace) -> int:
    from generator.engine.build import BuildFailed, serve_site

    heap.one_shot(False)  # a preview loads the data again at every save: the old data must still be collected
    result = load_for_site(args.data)
    if result is None:
        return EXIT_DATA
    print(f"正在生成预览，稍候打开 http://127.0.0.1:{args.port}/ 。"
          "修改并保存 data/ 里的文件后，页面会自动刷新；按 Ctrl+C 停止预览。", flush=True)
    try:
        serve_site(args.data, args.config, port=args.port, loaded=result)
    except BuildFailed as error:
        sys.stderr.write(f"{error}\n")
        return error.exit_code
    print("预览已停止。")
    return EXIT_OK


def add_publish_arguments(parser: argparse.ArgumentParser) -> None:
    from generator.engine.publish import CHANGED_URLS_NAME

    parser.add_argument("remote", metavar="目标",
                        help="rclone 的远程存储和路径，如 oss:存储桶名/路径、dav:、sftp:/var/www/site，或本机文件夹")
    add_site_arguments(parser)
    parser.add_argument("--site-dir", type=Path, default=Path("site"), metavar="文件夹",
                        help="fivestar build 生成的网站文件夹（默认 site）")
    parser.add_argument("--changed-urls", type=Path, default=None, metavar="文件",
                        help=f"变化的网址写到这个文件（默认网站文件夹旁边的 {CHANGED_URLS_NAME}），用于刷新 CDN")
    parser.add_argument("--dry-run", action="store_true", help="试运行：只列出要上传和删除的文件，不改动远程存储")
    parser.add_argument("--force", action="store_true",
                        help="第一次发布到已有其他文件的位置时，允许删除其中不属于本网站的文件")


@subcommand("publish", "把生成的网站（site/）上传到服务器或对象存储：只传有变化的文件，全部上传成功后才删除旧文件",
            add_publish_arguments)
def run_publish(args: argparse.Namespace) -> int:
    from generator.checks.publish import read_site_url
    from generator.engine.publish import (
        PublishFailed,
        check_site,
        default_paths,
        dry_run_lines,
        is_local,
        publish,
        refuse_local_folder,
        summary,
    )

    config = publish_config(args.config, args.data)
    checked = load_and_report(args.data, publish=True, config=args.config)
    if not checked.ok:
        sys.stderr.write("以上问题改好之前，网站不能发布（与 fivestar check --publish 相同的检查）。\n")
        return EXIT_DATA
    print(summary_line(checked))
    assert config is not None  # check --publish refuses a project without mkdocs.yml
    urls_path, log_path = default_paths(args.site_dir)
    try:
        site_url = read_site_url(config).value
        check_site(args.site_dir, site_url)
        if is_local(args.remote):
            refuse_local_folder(args.remote, args.site_dir, args.data)
        outcome = publish(args.site_dir, args.remote, site_url=site_url, urls_path=args.changed_urls or urls_path,
                          log_path=log_path, dry_run=args.dry_run, force=args.force)
    except PublishFailed as error:
        sys.stderr.write(f"没有发布完成：{error}\n")
        return error.exit_code
    if args.dry_run:
        print("\n".join(dry_run_lines(outcome.plan)))
        return EXIT_OK
    for warning in outcome.warnings:
        sys.stderr.write(f"提醒：{warning}\n")
    print(summary(outcome))
    return EXIT_OK


def build_parser() -> ChineseArgumentParser:
    parser = ChineseArgumentParser(prog="fivestar", description="“五星”支部创建展示网站生成器")
    sub = parser.add_subparsers(dest="command", metavar="命令", parser_class=ChineseArgumentParser)
    for name, (help_text, arguments, _run) in COMMANDS.items():
        arguments(sub.add_parser(name, help=help_text, description=help_text))
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point: never lets a traceback reach a staff member."""
    parser = build_parser()
    args = parser.parse_args(argv)
    if not args.command:
        parser.print_help()
        return EXIT_USAGE
    _help, _arguments, run = COMMANDS[args.command]
    try:
        return run(args)
    except KeyboardInterrupt:
        sys.stderr.write("\n已中断。\n")
        return 130
    except BrokenPipeError:  # `fivestar press | head`: the reader left; not a crash
        sys.stderr = open(os.devnull, "w")  # noqa: SIM115 - silence the flush at exit
        return EXIT_OK
    except Exception:  # the last line of defence: staff see Chinese, engineers get the trace on request
        if os.environ.get("FIVESTAR_DEBUG"):
            raise
        log = Path(".fivestar-error.log")
        try:
            log.write_text(traceback.format_exc(), encoding="utf-8")
            where = f"技术细节已保存到 {log.resolve()}，请把这个文件发给技术人员。"
        except OSError:
            where = "设置环境变量 FIVESTAR_DEBUG=1 后重试可看到技术细节。"
        sys.stderr.write(f"fivestar：程序遇到了意外问题，操作没有完成，已有的网站和数据都没有改动。\n{where}\n")
        return EXIT_INTERNAL


def run() -> None:
    """The `fivestar` command as a process (the console script, `python -m generator`): `main`, then the end."""
    heap.one_shot()  # what it loads lives until the end (`fivestar serve` says otherwise)
    code = main()
    if any(t.is_alive() and not t.daemon for t in threading.enumerate() if t is not threading.main_thread()):
        sys.exit(code)  # a thread still working: the interpreter waits for it, as it always does
    # Workaround: at its end the interpreter frees every object one at a time, and after a province's build that is
    # millions (its dataset, the engine's 30,000 pages): 5 s of nothing. Every file is written and closed by now;
    # the exit functions (logging's flush, multiprocessing's joins) run as they would, then the streams are
    # flushed and the process ends without the teardown.
    atexit._run_exitfuncs()
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(OSError, ValueError):
            stream.flush()
    os._exit(code)


if __name__ == "__main__":  # pragma: no cover
    run()
