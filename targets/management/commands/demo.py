"""Load the sample reports into a live board: organisations, departments, accounts, progress history.

Idempotent: everything is looked up before it is made, and a report already
imported keeps its targets and history, so a second run changes nothing and
prints the same accounts. The history is deterministic (seeded per
commitment) and laid out relative to today, so the board always shows every
health colour: most past-year targets are signed off or overdue, and a subset
has an extension approved to dates in the coming days, weeks or months.
"""

from __future__ import annotations

import hashlib
import json
import math
import random
import re
import sys
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import check_password, make_password
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from notifications.workdays import add_working_days
from reports import services as report_services
from reports.models import Commitment, Report
from reports.reconciliation.services import reconciliation_run
from targets import services
from targets.health import planned_percent
from targets.models import Department, Membership, Organisation, Target, TargetEvent

DEFAULT_PASSWORD = "duban-demo"  # noqa: S105 - printed demo accounts, documented  # nosec B105
SAMPLES = Path(settings.BASE_DIR) / "samples"

# (sample file, town, its district, username prefix, accept its commitments?, demo title with {0}: the year shift)
# The samples are 2021–2023 documents; the demo moves every year in them by the same shift, so that the 2023
# plans (002–004) are this year's and 长征镇's 2022 plan (001) is last year's. 000 is 长征镇's December 2021
# report with the same commitments as the plan 001: it stays in review (proposed) so the review page has work
# to show. demo/changzheng_review_2022.txt is a review written for the demo in the samples' style (marked as
# demo data in its first line): imported, so 年终核对 of last year has real proposals to confirm.
SAMPLE_TOWNS = [
    ("000_*", "长征镇", "普陀区", "changzheng", False, "长征镇{0}年12月政府工作报告（演示数据）", 2021),
    ("001_*", "长征镇", "普陀区", "changzheng", True, "长征镇{0}年经济与社会发展计划（演示数据）", 2022),
    ("002_*", "高行镇", "浦东新区", "gaohang", True, "高行镇{0}年12月政府工作报告（演示数据）", 2022),
    ("003_*", "庙行镇", "宝山区", "miaohang", True, "庙行镇{0}年1月政府工作报告（演示数据）", 2023),
    ("004_*", "新泾镇", "长宁区", "xinjing", True, "新泾镇{0}年12月政府工作报告（演示数据）", 2022),
    (
        "demo/changzheng_review_*",
        "长征镇",
        "普陀区",
        "changzheng",
        False,
        "长征镇{0}年1月政府工作报告（演示数据）",
        2023,
    ),
]
# The year the samples' plans (002–004) are for: the demo makes it the current year.
SAMPLES_PLAN_YEAR = 2023
# The reviewed year whose 年终核对 the demo prepares (shifted like everything else): 长征镇's 2022 plan.
RECONCILED = ("长征镇", 2022)
DEMO_MARK = "【演示数据】本报告由示例报告按当前日期平移年份生成，仅供演示，不是真实文件。\n\n"
# A four-digit year as the documents write it: 2022 年, 〔2022〕, 2022-2026, 2022—2026 (not 2000 人).
YEAR = re.compile(r"(?<![\d.])((?:19[5-9]|20[0-9])\d)(?=\s*(?:年|〕|］|\]|-|—|－|至))")

DEPARTMENT_SLUGS = {
    "党政办": "dangzheng",
    "经济发展办": "jingji",
    "房管办": "fangguan",
    "就业服务中心": "jiuye",
    "安全办": "anquan",
    "社会事务办": "shiwu",
    "城运中心": "chengyun",
    "党建办": "dangjian",
    "卫生健康办": "weijian",
    "文体中心": "wenti",
    "社区教育中心": "jiaoyu",
    "生态环境办": "shengtai",
    "城建中心": "chengjian",
    "综治办": "zongzhi",
    "自治办": "zizhi",
}

# One scenario per target whose due date has passed, cycled in document order: most are signed off, a few
# were extended (to dates ahead, or just passed: overdue by days or weeks), a few wait for sign-off.
DUE_SCENARIOS = [
    "signed_off",
    "extended_on_track",
    "signed_off",
    "awaiting_signoff",
    "extended_late",
    "signed_off",
    "extended_due_soon",
    "signed_off",
    "extended_behind",
    "signed_off",
    "extended_stale",
    "extended_late",
]
# Targets still running this year: most on plan; some behind (at risk); a few stalled at their last
# checkpoint (overdue by weeks); a few that a milestone ends within days (due soon).
RUNNING_SCENARIOS = [
    "on_plan",
    "on_plan",
    "behind",
    "on_plan",
    "due_soon",
    "on_plan",
    "stalled",
    "on_plan",
    "on_plan",
    "behind",
    "on_plan",
    "on_plan",
]

SHANGHAI = ZoneInfo("Asia/Shanghai")


@dataclass
class Account:
    username: str
    password: str
    role: str
    organisation: str
    department: str

    def as_dict(self) -> dict:
        return {
            "username": self.username,
            "password": self.password,
            "role": self.role,
            "organisation": self.organisation,
            "department": self.department,
        }


class Command(BaseCommand):
    help = "载入示例报告，生成部门、演示账号和进展记录（可重复运行）"

    def add_arguments(self, parser) -> None:
        parser.add_argument("--password", default=DEFAULT_PASSWORD, help=f"演示账号的密码（默认 {DEFAULT_PASSWORD}）")
        parser.add_argument("--json", action="store_true", help="以 JSON 数组输出账号")

    def handle(self, *args, **options) -> None:
        password = options["password"]
        if not password:
            raise CommandError("密码不能为空。")
        self.interactive = self.stdout.isatty() and not options["json"]
        today = timezone.localdate()
        with transaction.atomic():
            accounts = build_demo(password=password, today=today, progress=self._progress)
        if options["json"]:
            self.stdout.write(json.dumps([a.as_dict() for a in accounts], ensure_ascii=False, indent=2))
        else:
            self._print_table(accounts)

    def _progress(self, items, description: str):
        if not self.interactive:
            return items
        from tqdm import tqdm

        return tqdm(items, desc=description, file=sys.stdout, leave=False)

    def _print_table(self, accounts: list[Account]) -> None:
        headers = ("用户名", "密码", "角色", "组织", "部门")
        rows = [
            (a.username, a.password, ROLE_LABELS.get(a.role, a.role), a.organisation, a.department) for a in accounts
        ]
        widths = [max(_width(str(r[i])) for r in [headers, *rows]) for i in range(len(headers))]
        for row in [headers, *rows]:
            self.stdout.write("  ".join(_pad(str(cell), widths[i]) for i, cell in enumerate(row)).rstrip())
        self.stdout.write(f"\n共 {len(accounts)} 个演示账号。打开 {settings.SITE_URL} 用上面的账号登录。")


ROLE_LABELS = {"superuser": "超级管理员", "admin": "管理员", "supervisor": "督查人员", "staff": "科室工作人员"}


def _width(text: str) -> int:
    return sum(2 if ord(ch) > 0x2E80 else 1 for ch in text)


def _pad(text: str, width: int) -> str:
    return text + " " * (width - _width(text))


# --- building ----------------------------------------------------------------------


def build_demo(*, password: str, today: date, progress=lambda items, _description: items) -> list[Account]:
    passwords = _Passwords(password)
    admin_user = passwords.user("admin", superuser=True)
    accounts = [Account("admin", password, "superuser", "全部", "")]
    towns: dict[str, dict] = {}
    shift = today.year - SAMPLES_PLAN_YEAR
    for pattern, town, district, slug, accept, title, year in SAMPLE_TOWNS:
        if town not in towns:
            parent, _ = Organisation.objects.get_or_create(
                name=district, defaults={"level": Organisation.Level.DISTRICT}
            )
            organisation, _ = Organisation.objects.get_or_create(
                name=town, defaults={"level": Organisation.Level.TOWN, "parent": parent}
            )
            towns[town] = {"organisation": organisation, "slug": slug, "reports": []}
            towns[town]["admin"] = _member(towns[town], "admin", passwords, Membership.Role.ADMIN, accounts)
            towns[town]["supervisor"] = _member(towns[town], "duban", passwords, Membership.Role.SUPERVISOR, accounts)
        info = towns[town]
        report, created = _import(
            info["organisation"], pattern, info["admin"], title=title.format(year + shift), shift=shift
        )
        info["reports"].append((report, accept, created))

    for town, info in towns.items():
        organisation = info["organisation"]
        fresh_targets: list[Target] = []
        for report, accept, created in info["reports"]:
            if accept and created:
                fresh_targets += report_services.commitments_accept_all(report=report, acting_user=info["admin"])
        Department.objects.get_or_create(organisation=organisation, name="党政办")
        staff = {}
        for index, department in enumerate(organisation.departments.order_by("name"), start=1):
            suffix = DEPARTMENT_SLUGS.get(department.name, f"d{index}")
            staff[department.pk] = _member(info, suffix, passwords, Membership.Role.STAFF, accounts, department)
        fresh_targets.sort(key=lambda t: (t.commitment.start if t.commitment_id else 0, t.pk))
        _backdate_acceptance(fresh_targets, today=today)
        actors = {"admin": info["admin"], "supervisor": info["supervisor"], "staff": staff}
        counters = {"due": 0, "running": 0}
        for target in progress(fresh_targets, f"{town} 进展记录"):
            _history(target, counters=counters, actors=actors, today=today)
        if town == RECONCILED[0] and fresh_targets:
            # Last year's year-end check, proposed from the imported review and waiting for the supervisor.
            reconciliation_run(organisation=organisation, year=RECONCILED[1] + shift, at=_at(today - timedelta(days=1)))
    assert admin_user.is_superuser
    town_order = {town: i for i, (_, town, *_rest) in enumerate(SAMPLE_TOWNS)}
    role_order = {"superuser": 0, "admin": 1, "supervisor": 2, "staff": 3}
    accounts.sort(key=lambda a: (town_order.get(a.organisation, -1), role_order[a.role], a.username))
    return accounts


class _Passwords:
    """Hash the demo password once: PBKDF2 is deliberately slow, and every demo account shares it."""

    def __init__(self, password: str) -> None:
        self.password = password
        self._known_good: set[str] = set()
        self._hash: str | None = None

    def user(self, username: str, *, superuser: bool = False):
        User = get_user_model()
        family, given = demo_name(username) if not superuser else ("", "系统管理员")
        user, _ = User.objects.get_or_create(
            username=username,
            defaults={
                "email": f"{username}@example.org",
                "is_staff": superuser,
                "is_superuser": superuser,
                "last_name": family,
                "first_name": given,
            },
        )
        if not (user.last_name or user.first_name):  # accounts made by an earlier demo without names
            user.last_name, user.first_name = family, given
            user.save(update_fields=["last_name", "first_name"])
        if user.password in self._known_good:
            return user
        # An empty hash (a new user) is checked without Django's dummy hashing: that alone costs a PBKDF2 run.
        if user.password and user.has_usable_password() and check_password(self.password, user.password):
            self._known_good.add(user.password)
            return user
        if self._hash is None:
            self._hash = make_password(self.password)
            self._known_good.add(self._hash)
        user.password = self._hash
        user.save(update_fields=["password"])
        return user


FAMILY_NAMES = (  # common surnames
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹"
    "彭曾肖田董袁潘蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金"
)
GIVEN_NAMES = [
    "芳", "伟", "敏", "静", "丽", "强", "磊", "军", "洋", "勇", "艳", "杰", "娟", "涛", "明", "超", "秀英", "霞",
    "平", "刚", "桂英", "建华", "文", "华", "红梅", "志强", "晓东", "海燕", "建国", "丽娟", "慧", "晨", "悦", "宇",
    "婷", "浩", "佳怡", "思远", "雪梅", "国庆", "卫东", "春燕", "振华", "玉兰", "永刚", "晓燕",
]  # fmt: skip


def demo_name(username: str) -> tuple[str, str]:
    """A made-up but ordinary Chinese name for a demo account, the same on every run: (姓, 名)."""
    digest = hashlib.sha256(username.encode()).digest()
    return FAMILY_NAMES[digest[0] % len(FAMILY_NAMES)], GIVEN_NAMES[digest[1] % len(GIVEN_NAMES)]


def _backdate_acceptance(targets: list[Target], *, today: date) -> None:
    """Accepting happened when the plan was issued (mid-January), not today: move those rows back."""
    for plan_year in {t.plan_year for t in targets}:
        when = _at(min(date(plan_year, 1, 20), today), 9)
        ids = [t.pk for t in targets if t.plan_year == plan_year]
        Target.objects.filter(pk__in=ids).update(created_at=when, updated_at=when)
        TargetEvent.objects.filter(target_id__in=ids, kind=TargetEvent.Kind.CREATED).update(created_at=when)
        Commitment.objects.filter(target__in=ids).update(reviewed_at=when)
        for target in targets:
            if target.plan_year == plan_year:
                target.created_at = target.updated_at = when


def _import(organisation: Organisation, pattern: str, admin, *, title: str, shift: int) -> tuple[Report, bool]:
    """Import a sample with its years moved by `shift` and a first line saying it is demo data."""
    matches = sorted(SAMPLES.glob(pattern))
    if not matches:
        raise CommandError(f"找不到示例文件 samples/{pattern}。")
    path = matches[0]
    data = shifted_text(path.read_text(encoding="utf-8"), shift).encode("utf-8")
    existing = Report.objects.filter(organisation=organisation, sha256=hashlib.sha256(data).hexdigest()).first()
    if existing is not None:
        return existing, False
    try:
        report = report_services.report_import(
            organisation=organisation, filename=f"{title}.txt", data=data, acting_user=admin
        )
    except report_services.ReportImportError as error:
        raise CommandError(f"导入 {path.name} 失败：{error.message}") from error
    # The page shows the demo title; the file name says which sample it was made from.
    Report.objects.filter(pk=report.pk).update(original_name=path.name)
    return report, True


def shifted_text(text: str, shift: int) -> str:
    """The sample with every year moved by `shift` (2023 年 -> 2026 年), marked as demo data."""
    text = text.lstrip("\ufeff")
    if not text.startswith("【演示数据】"):
        text = DEMO_MARK + text
    return YEAR.sub(lambda m: str(int(m.group(1)) + shift), text) if shift else text


def _member(info: dict, suffix: str, passwords: _Passwords, role: str, accounts: list, department=None):
    organisation = info["organisation"]
    username = f"{info['slug']}-{suffix}"
    user = passwords.user(username)
    Membership.objects.get_or_create(
        user=user, organisation=organisation, defaults={"role": role, "department": department}
    )
    accounts.append(
        Account(username, passwords.password, role, organisation.name, department.name if department else "")
    )
    return user


# --- history -----------------------------------------------------------------------


def _at(day: date, hour: int = 10) -> datetime:
    return datetime.combine(day, time(hour, 0), tzinfo=SHANGHAI)


def _history(target: Target, *, counters: dict, actors: dict, today: date) -> None:
    """Lay down a plausible, deterministic history for one target (see DUE_SCENARIOS, RUNNING_SCENARIOS)."""
    seed = f"{target.commitment.report.sha256[:12]}:{target.commitment.start}" if target.commitment_id else target.title
    rng = random.Random(seed)  # noqa: S311 - reproducible demo data, not security  # nosec B311
    staff = actors["staff"].get(target.lead_department_id) or actors["admin"]
    supervisor = actors["supervisor"]
    year_start = date(target.plan_year, 1, 1)
    if year_start > today:
        return  # not begun yet: nothing to report
    if target.due_date >= today:
        scenario = RUNNING_SCENARIOS[counters["running"] % len(RUNNING_SCENARIOS)]
        counters["running"] += 1
        _running(target, scenario, staff=staff, supervisor=supervisor, today=today, rng=rng)
        return
    scenario = DUE_SCENARIOS[counters["due"] % len(DUE_SCENARIOS)]
    counters["due"] += 1

    milestones = list(target.milestones.order_by("due_date", "id"))
    finish = {"signed_off": 1.0, "awaiting_signoff": 1.0, "overdue": rng.uniform(0.45, 0.7)}.get(
        scenario, rng.uniform(0.55, 0.7)
    )
    last = _quarterly_reports(target, milestones, staff=staff, finish=finish, today=today, rng=rng)
    year_end = target.due_date
    if scenario in {"signed_off", "awaiting_signoff"}:
        when = min(year_end - timedelta(days=rng.randint(3, 12)), today - timedelta(days=2))
        services.target_request_signoff(
            target=target,
            acting_user=staff,
            expected_version=target.version,
            note=rng.choice(["已完成全年目标，申请销号", "项目已竣工验收，申请销号", "已按计划完成，附验收材料"]),
            at=_at(when, 16),
        )
        if scenario == "signed_off":
            check = min(year_end + timedelta(days=rng.randint(5, 25)), today - timedelta(days=1))
            services.target_sign_off(
                target=target,
                acting_user=supervisor,
                expected_version=target.version,
                note="经核实，同意销号",
                at=_at(max(check, when), 17 if check <= when else 11),
            )
        return
    # Extensions: asked for soon after the due date, approved within days, to a date ahead (or, for
    # extended_late, one that has just passed: overdue by days or weeks, the usual sight on a real board).
    asked = min(today - timedelta(days=40), year_end + timedelta(days=rng.randint(3, 20)))
    asked = max(asked, year_end + timedelta(days=1))
    new_due = {
        "extended_due_soon": add_working_days(today, rng.randint(1, 4)),
        "extended_on_track": today + timedelta(days=rng.randint(45, 150)),
        "extended_behind": today + timedelta(days=rng.randint(30, 90)),
        "extended_stale": today + timedelta(days=rng.randint(60, 120)),
        # Just passed, but always after the old time limit (early in January there is little room).
        "extended_late": max(today - timedelta(days=rng.choice([3, 6, 9, 16, 23])), year_end + timedelta(days=1)),
    }[scenario]
    services.target_request_extension(
        target=target,
        acting_user=staff,
        expected_version=target.version,
        note=rng.choice(["受征收进度影响，申请延期", "项目审批时间较长，申请延期", "资金拨付滞后，申请延期"]),
        new_due_date=new_due,
        at=_at(min(asked, today - timedelta(days=1)), 9),
    )
    approved = today - timedelta(days=rng.randint(35, 38) if scenario == "extended_stale" else rng.randint(10, 20))
    approved = max(approved, min(asked, today - timedelta(days=1)))
    services.target_decide_extension(
        target=target,
        acting_user=supervisor,
        approve=True,
        expected_version=target.version,
        note="同意延期",
        at=_at(approved, 14),
    )
    if scenario == "extended_stale":
        return  # nothing reported since the extension: amber for staleness
    target.refresh_from_db()
    recent = today - timedelta(days=rng.randint(2, 8))
    plan = planned_percent(target, milestones=list(target.milestones.all()), on=today) / 100
    if scenario == "extended_behind":
        level = max(plan - rng.uniform(0.2, 0.3), last + 0.03)  # cumulative: never below the last report
    elif scenario == "extended_late":
        level = max(last, min(plan, 0.9) - rng.uniform(0.05, 0.15))
    else:
        level = max(min(plan + rng.uniform(0.0, 0.04), 0.98), last)
    _report(target, staff, level, recent, rng, note="延期后加快推进")
    if scenario == "extended_late":
        _overdue_follow_up(target, staff=staff, supervisor=supervisor, today=today, rng=rng)


def _quarterly_reports(target, milestones, *, staff, finish: float, today: date, rng, until=None) -> float:
    """Quarterly reports a few days before each checkpoint, up to `finish` of the whole; the last share."""
    shares = [m.expected_percent / 100 if m.expected_percent else 1.0 for m in milestones] or [1.0]
    year_start = date(target.plan_year, 1, 1)
    last = 0.0
    for milestone, share in zip(milestones, shares, strict=False):
        reached = share * rng.uniform(1.0, 1.06) if share <= finish else finish
        when = milestone.due_date - timedelta(days=rng.randint(2, 9))
        if when >= today or when < year_start or (until is not None and milestone.due_date >= until):
            break
        _report(target, staff, reached, when, rng)
        last = reached
        if target.kind == Target.Kind.DELIVERABLE and reached >= share - 0.01:
            services.milestone_mark_done(milestone=milestone, acting_user=staff, done_on=when, at=_at(when, 15))
        if reached < share:
            break  # stalled
    return last


def _running(target: Target, scenario: str, *, staff, supervisor, today: date, rng: random.Random) -> None:
    """A target due later this year: reports at each past checkpoint and a recent one, as the scenario says."""
    milestones = list(target.milestones.order_by("due_date", "id"))
    passed = [m for m in milestones if m.due_date < today]
    if scenario == "stalled" and passed:
        # The last checkpoint passed short of its plan: overdue since that day (weeks, not years).
        last_passed = passed[-1]
        before = (passed[-2].expected_percent or 0) / 100 if len(passed) > 1 else 0.0
        share = (last_passed.expected_percent or 100) / 100
        finish = max(0.05, before + (share - before) * rng.uniform(0.4, 0.8))
        _quarterly_reports(target, milestones, staff=staff, finish=finish, today=today, rng=rng)
        _overdue_follow_up(target, staff=staff, supervisor=supervisor, today=today, rng=rng)
        return
    last = _quarterly_reports(target, milestones, staff=staff, finish=1.0, today=today, rng=rng)
    if scenario == "due_soon":
        # The next checkpoint is brought forward to a few working days from now (the department's own plan).
        upcoming = next((m for m in milestones if m.due_date >= today and not m.done_on), None)
        if upcoming is not None and target.kind != Target.Kind.CONDITION:
            soon = add_working_days(today, rng.randint(1, 3))
            if soon < upcoming.due_date:
                services.milestone_create(
                    target=target,
                    acting_user=actors_admin(target) or supervisor,
                    expected_version=target.version,
                    title="阶段性成果报送",
                    due_date=soon,
                    expected_percent=round(
                        planned_percent(target, milestones=list(target.milestones.all()), on=soon), 1
                    ),
                    expected_value=None,
                    at=_at(today - timedelta(days=20), 10),
                )
                target.refresh_from_db()
    recent = today - timedelta(days=rng.randint(3, 12))
    if recent > date(target.plan_year, 1, 1):
        plan = planned_percent(target, milestones=list(target.milestones.all()), on=recent) / 100
        # "behind": more than the at-risk margin behind the plan.
        level = plan - rng.uniform(0.13, 0.2) if scenario == "behind" else min(plan * rng.uniform(0.97, 1.04), 0.99)
        _report(target, staff, max(level, last), recent, rng)  # cumulative: never below the last report


def actors_admin(target: Target):
    membership = Membership.objects.filter(organisation_id=target.organisation_id, role=Membership.Role.ADMIN).first()
    return membership.user if membership else None


def _overdue_follow_up(target: Target, *, staff, supervisor, today: date, rng: random.Random) -> None:
    """An overdue target either gets the supervisor's escalation and a reply, or a pending extension request."""
    asked = today - timedelta(days=rng.randint(2, 6))
    if rng.random() < 0.5:
        services.target_comment(
            target=target, acting_user=supervisor, text="请说明滞后原因和下一步计划", at=_at(asked, 9)
        )
        services.target_comment(
            target=target,
            acting_user=staff,
            text=rng.choice(["前期手续尚未办结，正在协调", "施工受天气影响，已制定赶工计划"]),
            at=_at(asked, 15),
        )
        services.target_escalate(
            target=target,
            acting_user=supervisor,
            expected_version=target.version,
            note="逾期未完成，提请分管领导督办",
            at=_at(asked + timedelta(days=1), 10),
        )
    else:
        services.target_request_extension(
            target=target,
            acting_user=staff,
            expected_version=target.version,
            note=rng.choice(
                [
                    "受征收进度影响，节点未能按期完成，申请延期",
                    "施工受连续降雨影响，已制定赶工计划，申请延期",
                    "上级审批尚未完成，申请延期",
                ]
            ),
            new_due_date=max(target.due_date, today) + timedelta(days=rng.choice([31, 45, 60, 90])),
            at=_at(asked, 11),
        )


NOTES = [
    "按计划推进，已完成阶段性任务",
    "召开专题推进会，协调解决难点问题",
    "已完成现场踏勘和方案编制",
    "施工单位已进场，进度正常",
    "已纳入重点督办，每周跟踪",
    "完成季度节点任务",
]


def _report(target: Target, staff, share: float, when: date, rng: random.Random, note: str | None = None) -> None:
    """One cumulative update: a figure for levels, a percentage otherwise; a kept condition reports 100 %."""
    note = note or rng.choice(NOTES)
    value = percent = None
    if target.kind == Target.Kind.CONDITION:
        percent, note = 100.0, "本季度未发生相关事故，保持稳定"
    elif target.kind == Target.Kind.QUANTITATIVE and target.comparator == "<=":
        if target.target_value is not None:
            value = round(
                target.target_value * (share if target.relation == "absolute" else 1) * rng.uniform(0.8, 0.95), 2
            )
        else:
            percent = 100.0
    elif target.kind == Target.Kind.QUANTITATIVE and target.relation in {"absolute", ""} and target.target_value:
        value = target.target_value * share
        # Counted things (个, 项, 台 …) are reported whole; amounts keep two decimals.
        # (rounded up: 11.25 of 15 reported as 11 would fall short of the plan's 11.25 by rounding alone).
        value = float(math.ceil(value - 1e-9)) if target.unit not in {"元", "平方米", "%", ""} else round(value, 2)
    else:
        percent = round(share * 100, 1)
    services.progress_record(
        target=target,
        acting_user=staff,
        value=value,
        percent=percent,
        note=note,
        expected_version=target.version,
        at=_at(when, rng.randint(9, 17)),
    )
