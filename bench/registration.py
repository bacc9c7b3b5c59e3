"""Registration under load: estate-bot beside a bare python-telegram-bot echo, in one run.

What is measured. The sandbox Telegram runs in this process; the real bot runs as its own process
(`python -m bot.cli run`, SQLite in a temporary folder), exactly as `tests/e2e` starts it. Half the
simulated residents are on the imported roster (/start, share phone: 2 updates); the other half
name their unit and submit it to the front desk (/start, share phone, building, entrance, room,
Submit: 6 updates). `--concurrency` residents register at a time. Every step is one update in and
one awaited reply out; its latency runs from the moment the update is enqueued in the sandbox to
the moment the bot's request carrying the awaited reply reaches the sandbox (the sandbox's own
`received_at`), so the driver's own waiting adds nothing.

Then the floor: `bench/echo_ptb.py`, a bare PTB echo bot with PTB's defaults, as a process of its
own against the same sandbox, driven by fresh users with the same number of updates per user and
the same concurrency.

What to compare. CPU time of the bot process per update is the steadiest figure on a shared
machine (see performance.md in the shared folder beside the repository); throughput moves ±35%
with other load, so read the ratio line, which is measured side by side in one run, rather than
absolute updates per second.
The ratio is the price of what estate-bot does that an echo does not: storing each update before
acknowledging it, handling it in a transaction, an outbox row per message and one sender that keeps
Telegram's limits (30 messages a second overall, 20 a minute per group). Latency percentiles show
whether updates queue up: compare estate-bot's p50 and p99 with the echo's at the same concurrency;
a p99 many times the p50 means replies wait behind something.

    python bench/registration.py [--residents 200] [--concurrency 20]
"""

from __future__ import annotations

import argparse
import asyncio
import importlib.metadata
import os
import re
import signal
import statistics
import sys
import tempfile
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bot.sandbox import SandboxGroup, SandboxServer, SandboxUser  # noqa: E402

STEP_TIMEOUT = 30.0  # seconds one reply may take before the step counts as failed
READY_TIMEOUT = 60.0  # seconds a bot may take to start and answer its first update
STOP_TIMEOUT = 10.0  # seconds a bot may take to stop on SIGTERM before it is killed
SHARE_PHONE = "Share my phone number"
ENGINE_NAMES = {"ptb": "PTB", "aiogram": "aiogram"}
DIGEST_LINE = re.compile(r"^\d+\. .*Registration request")

Action = Callable[[], Awaitable[Any]]


@dataclass(frozen=True)
class Step:
    """One update in (`act`) and the reply it waits for (a message containing `expect`)."""

    act: Action
    expect: str


@dataclass(frozen=True)
class Sample:
    """One step as timed: monotonic clock of this process, which the sandbox shares."""

    sent_at: float  # just before the update was enqueued
    seen_at: float  # when the driver saw the reply (fallback if the sandbox has no record)
    chat_id: int
    message_id: int
    step: str = ""  # the reply the step waited for, to break the latency down by step


@dataclass
class Phase:
    """One bot under load: its samples, failures and the CPU its process used."""

    title: str
    planned: int
    samples: list[Sample] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)
    started: float = 0.0
    finished: float = 0.0
    cpu_seconds: float | None = None
    api_calls: int = 0  # the bot's Bot API requests during the phase, getUpdates excepted
    notes: list[str] = field(default_factory=list)
    log_excerpt: str = ""  # the bot's warnings and errors, when there were any
    idle_cpu: float | None = None  # CPU seconds a second the bot used with nobody writing


@dataclass(frozen=True)
class Figures:
    """What gets printed for a phase."""

    updates: int
    planned: int
    wall: float
    per_second: float
    p50: float
    p90: float
    p99: float
    from_sandbox: int
    cpu_per_update_ms: float | None
    busy: float | None
    calls_per_update: float
    idle_cpu_ms: float | None = None
    """CPU per update that idling alone would have cost over the phase (timers, polls)."""
    by_step: dict[str, float] = field(default_factory=dict)
    """Median latency (ms) of each kind of step, by the reply it waits for."""


# -- the bot processes -------------------------------------------------------------------------


class BotProcess:
    """A bot as a separate OS process, its output in a log file, stopped with SIGTERM."""

    def __init__(self, name: str, argv: Sequence[str], env: dict[str, str], folder: Path) -> None:
        self.name = name
        self.argv = list(argv)
        self.env = env
        self.folder = folder
        self.log_path = folder / f"{name}.log"
        self.process: asyncio.subprocess.Process | None = None

    @property
    def pid(self) -> int:
        assert self.process is not None
        return self.process.pid

    async def start(self) -> None:
        with self.log_path.open("ab") as log:
            self.process = await asyncio.create_subprocess_exec(
                *self.argv, env=self.env, cwd=self.folder, stdout=log, stderr=log
            )

    def exited(self) -> bool:
        return self.process is not None and self.process.returncode is not None

    async def stop(self) -> int | None:
        """SIGTERM, then SIGKILL after `STOP_TIMEOUT`; returns the exit code."""
        if self.process is None:
            return None
        if self.process.returncode is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                await asyncio.wait_for(self.process.wait(), STOP_TIMEOUT)
            except TimeoutError:
                print(f"  ! {self.name} did not stop within {STOP_TIMEOUT:.0f}s: killed")
                self.process.kill()
                await self.process.wait()
        return self.process.returncode

    def log_tail(self, lines: int = 40) -> str:
        if not self.log_path.exists():
            return "(no log)"
        text = self.log_path.read_text(errors="replace").splitlines()
        return "\n".join(text[-lines:]) or "(empty log)"

    def log_problems(self, limit: int = 30) -> str:
        """The log's warnings, errors and tracebacks (the first `limit` lines of them)."""
        if not self.log_path.exists():
            return ""
        marks = (" WARNING ", " ERROR ", " CRITICAL ", "Traceback", "Error:", "Exception")
        lines = self.log_path.read_text(errors="replace").splitlines()
        problems = [line for line in lines if any(mark in line for mark in marks)]
        more = f"\n... {len(problems) - limit} more" if len(problems) > limit else ""
        return "\n".join(problems[:limit]) + more


def cpu_seconds(pid: int) -> float | None:
    """User + system CPU time of a process so far: /proc, else psutil, else None."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
        fields = stat.rsplit(")", 1)[1].split()  # the name in (...) may contain spaces
        utime, stime = int(fields[11]), int(fields[12])  # fields 14 and 15 of proc(5)
        return (utime + stime) / os.sysconf("SC_CLK_TCK")
    except (OSError, IndexError, ValueError):
        pass
    try:
        import psutil  # type: ignore[import-untyped]
    except ImportError:
        return None
    try:
        times = psutil.Process(pid).cpu_times()
    except psutil.Error:
        return None
    return float(times.user + times.system)


async def run_cli(env: dict[str, str], folder: Path, *args: str) -> str:
    """Run `python -m bot.cli ARGS` to completion; raise with its output if it fails."""
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot.cli", *args,
        env=env, cwd=folder, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT,
    )  # fmt: skip
    output, _ = await asyncio.wait_for(process.communicate(), READY_TIMEOUT)
    if process.returncode != 0:
        raise RuntimeError(f"bot.cli {' '.join(args)} failed:\n{output.decode()}")
    return output.decode()


async def wait_ready(bot: BotProcess, user: SandboxUser, step: Step) -> None:
    """Play one untimed step until the bot answers it; fail early if the process dies."""
    answered = asyncio.ensure_future(_play_untimed(user, step))
    while not answered.done():
        await asyncio.wait({answered}, timeout=0.2)
        if bot.exited() and not answered.done():
            answered.cancel()
            raise RuntimeError(f"{bot.name} exited during start-up:\n{bot.log_tail()}")
    try:
        answered.result()
    except Exception as exc:
        detail = f"{bot.name} did not answer at start-up: {exc}\n{bot.log_tail()}"
        raise RuntimeError(detail) from exc


async def _play_untimed(user: SandboxUser, step: Step) -> None:
    await step.act()
    await user.wait_for_message(containing=step.expect, timeout=READY_TIMEOUT)


# -- the estate ----------------------------------------------------------------------------------


def estate_config(front_desk: SandboxGroup, clerk: SandboxUser, role: str = "front_desk") -> str:
    """An estate whose front desk is the sandbox group, with one clerk (or one of `role`)."""
    return "\n".join([
        "[estate]",
        'name = "Bench Gardens"',
        'timezone = "Asia/Shanghai"',
        'default_language = "en"',
        "",
        "[[departments]]",
        'key = "front_desk"',
        'name = "Front desk"',
        f"chat_id = {front_desk.id}",
        "",
        "[[staff]]",
        f"telegram_id = {clerk.id}",
        'name = "Bench Clerk"',
        f'role = "{role}"',
        'department = "front_desk"',
        "",
    ])  # fmt: skip


def roster_phone(index: int) -> str:
    """The national form a roster file has: 138 0000 0001, 138 0000 0002, ..."""
    return f"138 {index // 10_000:04d} {index % 10_000:04d}"


def add_residents(sandbox: SandboxServer, count: int) -> tuple[list[SandboxUser], str]:
    """`count` residents, even ones on the roster; returns them and the roster CSV."""
    residents: list[SandboxUser] = []
    rows = ["building,entrance,room,name,phone"]
    for index in range(count):
        on_roster = index % 2 == 0
        digits = roster_phone(index).replace(" ", "")
        phone = "+86" + (digits if on_roster else "139" + digits[3:])
        user = sandbox.add_user(f"Resident{index}", last_name="Bench", phone=phone)
        residents.append(user)
        if on_roster:
            building, entrance, room = unit_of(index)
            rows.append(f"{building},{entrance},{room},Resident{index} Bench,{roster_phone(index)}")
    return residents, "\n".join(rows) + "\n"


def unit_of(index: int) -> tuple[str, str, str]:
    return str(1 + index % 20), str(1 + index % 4), str(101 + index)


def registration_steps(user: SandboxUser, index: int) -> list[Step]:
    """What resident `index` does: share the phone; if not on the roster, name the unit."""
    steps = [Step(lambda: user.send("/start"), "share your phone")]
    if index % 2 == 0:
        return [*steps, Step(lambda: user.tap(SHARE_PHONE), "registered as a resident")]
    building, entrance, room = unit_of(index)
    return [
        *steps,
        Step(lambda: user.tap(SHARE_PHONE), "Which building"),
        Step(lambda: user.send(building), "Which entrance"),
        Step(lambda: user.send(entrance), "Which room"),
        Step(lambda: user.send(room), "Is this right"),
        Step(lambda: user.click("Submit"), "sent to the front desk"),
    ]


def echo_steps(user: SandboxUser, count: int) -> list[Step]:
    """`count` texts, each waiting for its own echo."""
    texts = [f"ping {n} from {user.id}" for n in range(1, count + 1)]
    return [Step(lambda text=text: user.send(text), text) for text in texts]


# -- driving -------------------------------------------------------------------------------------


async def play(phase: Phase, user: SandboxUser, steps: Sequence[Step], pause: float = 0.0) -> None:
    """One user's steps in order, each timed from just before its update is enqueued; `pause`
    seconds between a reply and the next step (a person reads before answering)."""
    for index, step in enumerate(steps):
        if index and pause:
            await asyncio.sleep(pause)
        sent_at = time.monotonic()
        await step.act()
        reply = await user.wait_for_message(containing=step.expect, timeout=STEP_TIMEOUT)
        phase.samples.append(
            Sample(sent_at, time.monotonic(), reply.chat_id, reply.message_id, step.expect)
        )


async def drive(
    sandbox: SandboxServer, phase: Phase, scripts: Sequence[tuple[SandboxUser, list[Step]]],
    concurrency: int, budget: float, pid: int, pause: float = 0.0,
) -> None:  # fmt: skip
    """Play every script, `concurrency` users at a time, within `budget` seconds."""
    queue: asyncio.Queue[tuple[SandboxUser, list[Step]]] = asyncio.Queue()
    for script in scripts:
        queue.put_nowait(script)

    async def worker() -> None:
        while not queue.empty():
            user, steps = queue.get_nowait()
            try:
                await play(phase, user, steps, pause)
            except Exception as exc:
                phase.failures.append(f"{user.full_name}: {type(exc).__name__}: {exc}")

    cpu_before = cpu_seconds(pid)
    phase.started = time.monotonic()
    try:
        async with asyncio.timeout(budget):
            await asyncio.gather(*(worker() for _ in range(concurrency)))
    except TimeoutError:
        phase.failures.append(f"the phase did not finish within {budget:.0f}s: stopped")
    phase.finished = time.monotonic()
    cpu_after = cpu_seconds(pid)
    phase.api_calls = sum(
        1 for call in sandbox.calls
        if call.method != "getUpdates" and phase.started <= call.received_at <= phase.finished
    )  # fmt: skip
    if cpu_before is not None and cpu_after is not None:
        phase.cpu_seconds = cpu_after - cpu_before


# -- figures -------------------------------------------------------------------------------------


def reply_arrivals(sandbox: SandboxServer) -> dict[tuple[int, int], list[float]]:
    """When each bot message was sent or edited, by (chat id, message id), per the sandbox."""
    arrivals: dict[tuple[int, int], list[float]] = {}
    for call in sandbox.calls:
        results = call.result if isinstance(call.result, list) else [call.result]
        for result in results:
            if isinstance(result, dict) and "message_id" in result and "chat" in result:
                key = (result["chat"]["id"], result["message_id"])
                arrivals.setdefault(key, []).append(call.received_at)
    return arrivals


def figures(phase: Phase, arrivals: dict[tuple[int, int], list[float]]) -> Figures:
    latencies: list[float] = []
    steps: dict[str, list[float]] = {}
    last = phase.started
    from_sandbox = 0
    for sample in phase.samples:
        times = arrivals.get((sample.chat_id, sample.message_id), [])
        arrived = next((t for t in sorted(times) if t >= sample.sent_at), None)
        if arrived is None:
            arrived = sample.seen_at
        else:
            from_sandbox += 1
        latencies.append((arrived - sample.sent_at) * 1000)
        steps.setdefault(sample.step, []).append(latencies[-1])
        last = max(last, arrived)
    wall = max(last - phase.started, 1e-9)
    cuts = statistics.quantiles(latencies, n=100, method="inclusive") if len(latencies) > 1 else []
    pick = (lambda q: cuts[q - 1]) if cuts else (lambda _q: latencies[0] if latencies else 0.0)
    updates = len(phase.samples)
    cpu = phase.cpu_seconds
    return Figures(
        updates=updates,
        planned=phase.planned,
        wall=wall,
        per_second=updates / wall,
        p50=pick(50),
        p90=pick(90),
        p99=pick(99),
        from_sandbox=from_sandbox,
        cpu_per_update_ms=cpu * 1000 / updates if cpu is not None and updates else None,
        busy=cpu / (phase.finished - phase.started) if cpu is not None else None,
        calls_per_update=phase.api_calls / updates if updates else 0.0,
        by_step={step: statistics.median(times) for step, times in steps.items()},
        idle_cpu_ms=(
            phase.idle_cpu * (phase.finished - phase.started) * 1000 / updates
            if phase.idle_cpu is not None and updates
            else None
        ),
    )


def report(phase: Phase, result: Figures) -> None:
    cpu = (
        f"{result.cpu_per_update_ms:.2f} ms  (bot process busy {result.busy:.0%} of one core)"
        if result.cpu_per_update_ms is not None and result.busy is not None
        else "n/a (neither /proc nor psutil available)"
    )
    print(phase.title)
    for note in phase.notes:
        print(f"  ({note})")
    done = "" if result.updates == result.planned else f" of {result.planned}: INCOMPLETE"
    print(f"  total updates    {result.updates}{done}")
    print(f"  wall time        {result.wall:.2f} s")
    print(f"  updates/s        {result.per_second:.1f}")
    print(
        f"  latency ms       p50 {result.p50:.1f}   p90 {result.p90:.1f}   p99 {result.p99:.1f}"
        f"   ({result.from_sandbox}/{result.updates} timed by the sandbox)"
    )
    print(f"  CPU per update   {cpu}")
    if result.idle_cpu_ms is not None and result.cpu_per_update_ms is not None:
        print(
            f"  of which idling  {result.idle_cpu_ms:.2f} ms  (what the process uses with nobody"
            f" writing, over the phase's time: {result.cpu_per_update_ms - result.idle_cpu_ms:.2f}"
            " ms per update without it)"
        )
    print(f"  API calls/update {result.calls_per_update:.2f}  (sends, edits, callback answers)")
    if 1 < len(result.by_step) <= 12:  # a script's steps (the echo's texts are all different)
        steps = ", ".join(f"{step!r} {ms:.0f}" for step, ms in result.by_step.items())
        print(f"  p50 ms by reply  {steps}")
    for failure in phase.failures[:10]:
        print(f"  ! {failure.splitlines()[0]}")
    if len(phase.failures) > 10:
        print(f"  ! ... and {len(phase.failures) - 10} more failures")


def compare(title: str, estate: Figures, floor: Figures) -> None:
    throughput = estate.per_second / floor.per_second if floor.per_second else float("nan")
    line = f"{title}: throughput {throughput:.2f}x"
    if estate.cpu_per_update_ms and floor.cpu_per_update_ms:
        line += f", CPU per update {estate.cpu_per_update_ms / floor.cpu_per_update_ms:.2f}x"
    else:
        line += ", CPU per update n/a"
    print(line)


def versions() -> str:
    names = ("python-telegram-bot", "aiogram", "httpx", "httpcore", "aiohttp", "sniffio")
    found = []
    for name in names:
        try:
            found.append(f"{name} {importlib.metadata.version(name)}")
        except importlib.metadata.PackageNotFoundError:
            found.append(f"{name} MISSING")
    return f"Python {sys.version.split()[0]}, " + ", ".join(found)


# -- the two phases ------------------------------------------------------------------------------


def base_env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("ESTATE_")}
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")]))
    return env


async def estate_phase(
    sandbox: SandboxServer, folder: Path, args: argparse.Namespace, engine: str, database: str
) -> Phase:
    """Registration against estate-bot on `engine` and `database` ("sqlite" or a PostgreSQL
    URL); returns the timed phase (the bot is stopped after)."""
    front_desk = sandbox.add_group("Front desk")
    clerk = sandbox.add_user("Bench", last_name="Clerk")
    warmup = sandbox.add_user("Warmup", last_name="Resident", phone="+8613700000000")
    residents, roster = add_residents(sandbox, args.residents)
    kind = "sqlite" if database == "sqlite" else "postgresql"
    data = folder / f"estate-{engine}-{kind}"
    data.mkdir()
    (data / "estate.toml").write_text(estate_config(front_desk, clerk), encoding="utf-8")
    (data / "roster.csv").write_text(roster, encoding="utf-8")
    env = base_env() | {
        "ESTATE_BOT_TOKEN": sandbox.token,
        "ESTATE_TELEGRAM_API": sandbox.base_url,
        "ESTATE_DATA_DIR": str(data / "data"),
        "ESTATE_CONFIG": str(data / "estate.toml"),
        "ESTATE_LOG_LEVEL": "INFO",
        "ESTATE_ENGINE": engine,
    }
    if database != "sqlite":
        env["ESTATE_DATABASE_URL"] = database
    await run_cli(env, data, "residents", "import", str(data / "roster.csv"))
    argv = [sys.executable, "-m", "bot.cli", "run"]
    if args.profile:
        profile = args.profile / f"estate-{engine}-{kind}.prof"
        argv[1:1] = ["-m", "cProfile", "-o", str(profile)]
    bot = BotProcess(f"estate-bot-{engine}-{kind}", argv, env, data)
    unmatched = sum(1 for i in range(args.residents) if i % 2)
    phase = Phase(
        f"estate-bot on {engine}, {kind} ({args.residents} residents: "
        f"{args.residents - unmatched} on the roster, {unmatched} via the front desk; "
        f"concurrency {args.concurrency})",
        planned=sum(steps_per_resident(args.residents)),
    )
    await bot.start()
    try:
        await wait_ready(bot, warmup, Step(lambda: warmup.send("/start"), "share your phone"))
        await measure_idle(bot, phase, args.idle)
        scripts = [(user, registration_steps(user, i)) for i, user in enumerate(residents)]
        await drive(sandbox, phase, scripts, args.concurrency, args.budget, bot.pid, args.pause)
        await asyncio.sleep(args.settle)  # what the group receives in the minute after a burst
        phase.notes.append(cards_note(front_desk, unmatched))
    finally:
        await finish(bot, phase)
    phase.notes.append(await group_figures(sandbox, front_desk, env, data))
    return phase


def cards_note(front_desk: SandboxGroup, requested: int) -> str:
    """Registration cards the front desk has by now: sent as cards, or listed in a digest."""
    digests = [m for m in front_desk.messages if "waiting for this group" in m.text]
    listed = sum(1 for m in digests for line in m.text.splitlines() if DIGEST_LINE.match(line))
    cards = sum("Registration request" in m.text for m in front_desk.messages if m not in digests)
    return (
        f"front-desk cards delivered by the end: {cards + listed} of {requested}"
        f" ({cards} as cards, {listed} listed in {len(digests)} digests)"
    )


async def group_figures(
    sandbox: SandboxServer, group: SandboxGroup, env: dict[str, str], folder: Path
) -> str:
    """API calls the front-desk group received against the states the bot decided for it
    (outbox rows staged for the group, a card or a change of one; digests are not states)."""
    received = sum(1 for call in sandbox.calls if call.params.get("chat_id") == group.id)
    script = (
        "import asyncio, json, sys\n"
        "from sqlalchemy import text\n"
        "from bot.settings import Settings\n"
        "from storage.db import create_engine\n"
        "async def main():\n"
        "    engine = create_engine(Settings().resolved_database_url)\n"
        "    async with engine.connect() as c:\n"
        "        r = await c.execute(text('select body from outbox where chat_id = :g'),"
        " {'g': int(sys.argv[1])})\n"
        "        bodies = [json.loads(b) if isinstance(b, str) else b for (b,) in r]\n"
        "        print(sum(1 for b in bodies if not b.get('digest')))\n"
        "    await engine.dispose()\n"
        "asyncio.run(main())\n"
    )
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-c", script, str(group.id),
        env=env, cwd=folder, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT,
    )  # fmt: skip
    output, _ = await process.communicate()
    states = output.decode().strip().splitlines()[-1] if output else "?"
    return f"front-desk group: {received} API calls received for {states} states decided"


async def echo_phase(
    sandbox: SandboxServer,
    folder: Path,
    args: argparse.Namespace,
    per_user: list[int],
    engine: str,
) -> Phase:
    """The bare echo of `engine` with fresh users sending the same number of updates each."""
    warmup = sandbox.add_user("Warmup", last_name="Echo")
    users = [sandbox.add_user(f"Echo{i}", last_name="Bench") for i in range(len(per_user))]
    data = folder / f"echo-{engine}"
    data.mkdir()
    argv = [
        sys.executable, str(ROOT / "bench" / f"echo_{engine}.py"),
        "--token", sandbox.token, "--api", sandbox.base_url,
    ]  # fmt: skip
    bot = BotProcess(f"echo-{engine}", argv, base_env(), data)
    phase = Phase(
        f"bare {ENGINE_NAMES[engine]} echo ({len(users)} users, {sum(per_user)} texts; "
        f"concurrency {args.concurrency})",
        planned=sum(per_user),
    )
    await bot.start()
    try:
        await wait_ready(bot, warmup, Step(lambda: warmup.send("warm up"), "warm up"))
        await measure_idle(bot, phase, args.idle)
        scripts = [(user, echo_steps(user, n)) for user, n in zip(users, per_user, strict=True)]
        await drive(sandbox, phase, scripts, args.concurrency, args.budget, bot.pid, args.pause)
    finally:
        await finish(bot, phase)
    return phase


async def measure_idle(bot: BotProcess, phase: Phase, seconds: float) -> None:
    """CPU the bot uses a second when nobody writes (its timers and polls): with residents
    pausing between steps it is a fair share of the phase's CPU per update."""
    if seconds <= 0:
        return
    before = cpu_seconds(bot.pid)
    await asyncio.sleep(seconds)
    after = cpu_seconds(bot.pid)
    if before is not None and after is not None:
        phase.idle_cpu = (after - before) / seconds


async def finish(bot: BotProcess, phase: Phase) -> None:
    """Stop the bot; keep its exit code and any warnings or errors it logged."""
    code = await bot.stop()
    if code != 0:
        phase.failures.append(f"{bot.name} exited with code {code}")
    problems = bot.log_problems()
    if problems or code != 0:
        phase.log_excerpt = problems or bot.log_tail()


def steps_per_resident(count: int) -> list[int]:
    """Updates each resident sends: 2 on the roster, 6 through the front desk."""
    return [2 if i % 2 == 0 else 6 for i in range(count)]


async def main_async(args: argparse.Namespace) -> int:
    """Every phase and the comparisons; 0 once figures are printed, 1 if a bot never answered."""
    print(f"{versions()}; bot processes use {sys.executable}")
    if args.profile:
        print(f"(profiling the bot processes into {args.profile}: CPU figures include cProfile)")
    engines = ["ptb", "aiogram"] if args.engine == "both" else [args.engine]
    per_user = steps_per_resident(args.residents)
    done: list[tuple[Phase, Figures]] = []
    comparisons: list[tuple[str, Figures, Figures]] = []
    with tempfile.TemporaryDirectory(prefix="estate-bench-") as name:
        folder = Path(name)
        try:
            async with SandboxServer() as sandbox:
                for engine in engines:
                    measured: list[tuple[str, Figures]] = []
                    for database in ["sqlite", *args.postgres]:
                        async with fresh_database(database) as url:
                            phase = await estate_phase(sandbox, folder, args, engine, url)
                        result = figures(phase, reply_arrivals(sandbox))
                        report(phase, result)
                        done.append((phase, result))
                        kind = "sqlite" if database == "sqlite" else "postgresql"
                        measured.append((kind, result))
                    echo = await echo_phase(sandbox, folder, args, per_user, engine)
                    echo_figures = figures(echo, reply_arrivals(sandbox))
                    report(echo, echo_figures)
                    done.append((echo, echo_figures))
                    for kind, result in measured:
                        title = f"estate-bot on {engine} ({kind}) vs bare {ENGINE_NAMES[engine]}"
                        comparisons.append((title, result, echo_figures))
        except RuntimeError as exc:  # a bot that does not start or answer has no figures
            print(f"benchmark aborted: {exc}")
            return 1
    for title, estate, floor in comparisons:
        compare(title, estate, floor)
    for phase, _ in done:
        if phase.log_excerpt:
            print(
                f"\n{phase.title.split(' (')[0]}: warnings and errors in its log\n"
                f"{phase.log_excerpt}"
            )
    if args.profile:
        print_profiles(args.profile, args.profile_top)
    return 0


@asynccontextmanager
async def fresh_database(database: str) -> AsyncIterator[str]:
    """SQLite as it is (the bot makes its file); for a PostgreSQL server URL, a database of
    its own on that server, dropped afterwards."""
    if database == "sqlite":
        yield database
        return
    from tests.scratch_db import postgres_database

    async with postgres_database(database, prefix="estate_bench") as url:
        yield url


def print_profiles(folder: Path, top: int) -> None:
    """The top entries of each bot process's profile, by own time and by cumulative time."""
    import pstats

    for path in sorted(folder.glob("*.prof")):
        for order in ("tottime", "cumulative"):
            print(f"\n== {path.name}: top {top} by {order}")
            pstats.Stats(str(path)).strip_dirs().sort_stats(order).print_stats(top)


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--residents", type=int, default=200, help="simulated residents")
    parser.add_argument("--concurrency", type=int, default=20, help="residents at a time")
    parser.add_argument(
        "--idle",
        type=float,
        default=0.0,
        help="seconds to measure each bot's CPU with nobody writing, before the phase (0: not)",
    )
    parser.add_argument(
        "--pause",
        type=float,
        default=0.0,
        help="seconds each resident waits after a reply before the next step (default 0: at once)",
    )
    parser.add_argument(
        "--budget", type=float, default=75.0, help="seconds each phase may take at most"
    )
    parser.add_argument(
        "--engine",
        choices=("ptb", "aiogram", "both"),
        default="both",
        help="which engine(s) to run, each beside its own bare echo (default: both)",
    )
    parser.add_argument(
        "--postgres",
        action="append",
        default=[],
        metavar="SERVER_URL",
        help="also run estate-bot on a fresh database on this PostgreSQL server",
    )
    parser.add_argument(
        "--settle",
        type=float,
        default=0.0,
        help="seconds the bot runs on after the last reply, so the group figures show a minute",
    )
    parser.add_argument(
        "--profile", metavar="DIR", type=Path, help="run estate-bot under cProfile into DIR"
    )
    parser.add_argument("--profile-top", type=int, default=25, help="profile entries printed")
    args = parser.parse_args(argv)
    if args.residents < 1 or args.concurrency < 1:
        parser.error("--residents and --concurrency must be at least 1")
    if args.profile:
        args.profile = args.profile.resolve()
        args.profile.mkdir(parents=True, exist_ok=True)
    return args


def main(argv: Sequence[str] | None = None) -> int:
    return asyncio.run(main_async(parse_args(argv)))


if __name__ == "__main__":
    sys.exit(main())
