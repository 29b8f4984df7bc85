"""How the runner child is isolated from the grader, the host and other submissions.

A sandbox turns the child's command line into the one to start
(:meth:`Sandbox.launch`), proves at start which protections are active
(:meth:`Sandbox.prepare`, see :mod:`grader.canaries`), and kills whatever
the child left behind (:meth:`Sandbox.sweep`). Two modes:

* ``bwrap`` (the default) -- bubblewrap: new PID, network, IPC, UTS and
  mount namespaces; a root made of read-only binds of the system (``/usr``),
  the Python installation and its site-packages, the runner, a copy of the
  submission and the staged inputs; the job's ``out`` folder as the only
  writable place, and small tmpfs for ``/tmp`` and ``/dev/shm``; an emptied
  environment; a seccomp filter (:mod:`grader.seccomp`); resource limits
  (:mod:`grader.limits`) applied by ``prlimit``; as root, an unprivileged
  uid per parallel slot (``setpriv`` inside the sandbox, after bubblewrap has
  built it). Not visible: home folders, the grader's source and references,
  other submissions, hidden labels, the output folder, the host's /proc.
* ``rlimits`` -- degraded, for hosts where bubblewrap cannot start: the
  same limits, a separate uid where the interpreter is readable by it, and
  no network (``unshare -n``) where the kernel allows it. The host's files
  stay readable. The terminal, the report and ``results.json`` say so.

There is no silent fallback: if bubblewrap cannot start, :meth:`prepare`
raises :class:`SandboxUnavailable` and grading stops, naming ``--sandbox
rlimits``. Student code never runs in the grader's own process.
"""
from __future__ import annotations

import fcntl
import os
import shutil
import signal
import site
import stat
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

from grader import limits as limits_mod, seccomp
from grader.errors import GraderError
from grader.runner import protocol

MODES = ("bwrap", "rlimits")
UID_BASE_ENV = "GRADER_SANDBOX_UID_BASE"
UID_BASE = 2_000_000_000  # far above login users and the usual subordinate-uid ranges
TMP_BYTES = 64 * 1024 * 1024  # each of /tmp and /dev/shm inside the sandbox
_SYSTEM_DIRS = ("/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32")
_ETC_FILES = ("/etc/ld.so.cache", "/etc/ld.so.conf", "/etc/localtime", "/etc/nsswitch.conf")


class SandboxUnavailable(GraderError):
    """The requested sandbox cannot run on this host; the message says what to do."""


@dataclass
class Launch:
    """A command ready to start: its argv and environment, the descriptors it inherits."""

    argv: list[str]
    env: dict[str, str]
    pass_fds: tuple[int, ...] = ()
    uid: int | None = None  # the unprivileged uid it runs as, swept at the end
    lock: int | None = None  # holds the uid for this run (see claim_uid)

    def close(self) -> None:
        """Close the descriptors passed to the child (once it has started)."""
        for fd in self.pass_fds:
            try:
                os.close(fd)
            except OSError:
                pass
        self.pass_fds = ()

    def release(self) -> None:
        """Give the uid back, once nothing of it is left running."""
        if self.lock is not None:
            os.close(self.lock)
            self.lock = None


def is_root() -> bool:
    return os.geteuid() == 0


def slot_uid(slot: int) -> int:
    """The unprivileged uid slot ``slot`` prefers; :func:`claim_uid` makes it exclusive."""
    base = int(os.environ.get(UID_BASE_ENV, UID_BASE))
    return base + int(slot)


# One place per host, whatever TMPDIR says: graders with different TMPDIRs must still see each other's claims.
_LOCKS = Path("/tmp/torch-grader-uids")
UID_POOL = 4096  # uids tried above the slot's own before giving up


def claim_uid(slot: int) -> tuple[int, int]:
    """An unprivileged uid no other running grader holds, and the lock that holds it.

    Every process of the uid is killed when a run ends, so two graders on one
    host (parallel slots, a test suite under xdist, two TAs) must never share
    one: each run takes an exclusive ``flock`` on the uid's lock file, starting
    from its slot's uid. The kernel drops the lock if the grader dies.
    """
    _LOCKS.mkdir(mode=0o700, exist_ok=True)
    info = os.lstat(_LOCKS)
    if info.st_uid != os.geteuid() or not stat.S_ISDIR(info.st_mode) or info.st_mode & 0o022:
        raise SandboxUnavailable(f"{_LOCKS} is not a private folder of this user; remove it and grade again")
    first = slot_uid(slot)
    for uid in range(first, first + UID_POOL):
        fd = os.open(_LOCKS / str(uid), os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            os.close(fd)
            continue
        return uid, fd
    raise SandboxUnavailable(f"all {UID_POOL} sandbox uids from {first} are in use by other graders")


def processes_of(uid: int) -> list[int]:
    """Pids of every process whose real or effective uid is ``uid``."""
    pids = []
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            with open(f"/proc/{entry.name}/status", "rb") as handle:
                for line in handle:
                    if line.startswith(b"Uid:"):
                        real, effective = line.split()[1:3]
                        if int(real) == uid or int(effective) == uid:
                            pids.append(int(entry.name))
                        break
        except (OSError, ValueError):
            continue
    return pids


def sweep(uid: int | None, rounds: int = 50) -> int:
    """SIGKILL every process of ``uid`` until none is left (forks racing the sweep included).

    :returns: how many processes were killed.
    """
    if uid is None or not is_root():
        return 0
    killed = 0
    for _ in range(rounds):
        pids = processes_of(uid)
        if not pids:
            break
        for pid in pids:
            try:
                os.kill(pid, signal.SIGKILL)
                killed += 1
            except (ProcessLookupError, PermissionError):
                pass
        time.sleep(0.01)
    return killed


def _open_up(job_dir: Path, uid: int | None) -> None:
    """Let ``uid`` read the job's inputs and write its ``out`` folder, and nothing else of the host."""
    job_dir.chmod(0o711)
    for name in (protocol.RUNNER_DIR, protocol.SUBMISSION_DIR, protocol.INPUTS_DIR, protocol.JOB_FILE):
        root = job_dir / name
        if not root.exists():
            continue
        paths = [root, *root.rglob("*")] if root.is_dir() else [root]
        for path in paths:
            if not path.is_symlink():
                path.chmod(0o755 if path.is_dir() else 0o644)
    out = job_dir / protocol.OUT_DIR
    if uid is not None and out.is_dir():
        os.chown(out, uid, uid)
        out.chmod(0o700)


def _env_args(env: dict[str, str]) -> list[str]:
    args = []
    for key, value in env.items():
        args += ["--setenv", key, value]
    return args


def cuda_device_args(dev_root: Path = Path("/dev")) -> list[str]:
    """``--dev-bind`` options for the device nodes the CUDA driver opens, where they exist.

    ``/dev/nvidia0..N``, ``nvidiactl``, ``nvidia-uvm``, ``nvidia-uvm-tools``,
    ``nvidia-modeset`` and the ``nvidia-caps`` folder (MIG). The nodes must
    already exist: the sandbox cannot run ``nvidia-modprobe`` (no new privileges).
    """
    names = sorted(p.name for p in dev_root.glob("nvidia*"))
    args = []
    for name in names:
        args += ["--dev-bind", str(dev_root / name), f"/dev/{name}"]
    return args


def python_paths() -> dict:
    """What the child's interpreter needs: its installation, site-packages, the venv's marker."""
    base = Path(sys.base_prefix)
    sites = [Path(p) for p in site.getsitepackages() if Path(p).exists()]
    venv = Path(sys.prefix) if sys.prefix != sys.base_prefix else None
    executable = Path(sys.executable)
    return {"base": base, "sites": sites, "venv": venv, "executable": executable,
            "real_executable": Path(os.path.realpath(sys.executable))}


def hidden_paths(extra=()) -> list[Path]:
    """Places the child must not see even where a bound folder contains them.

    With an ordinary (non-editable) install the grader package -- its
    assignments, references and plugins -- lives inside site-packages, which
    the child needs; these are covered with empty folders inside the sandbox.
    """
    import grader

    paths = [Path(grader.__file__).parent]
    for name in ("grader.assignments", "grader.reference", "grader.plugins", "grader.templates"):
        module = sys.modules.get(name)
        if module is not None and getattr(module, "__file__", None):
            paths.append(Path(module.__file__).parent)
    paths += [Path(p) for p in extra]
    return paths


class Sandbox:
    """What both modes share: limits, the slot's uid, canaries, sweeping."""

    name = "sandbox"
    degraded = False

    def __init__(self, device: str = "cpu"):
        self.device = device
        self.hidden: list[Path] = []
        self.canaries: dict | None = None
        self._lock = threading.Lock()

    @property
    def cuda(self) -> bool:
        return str(self.device).startswith("cuda")

    def claim(self, slot: int) -> tuple[int | None, int | None]:
        """The uid (and its lock) for one run; ``(None, None)`` when the child keeps the grader's uid."""
        return claim_uid(slot) if is_root() else (None, None)

    def hide(self, paths) -> None:
        """Also hide these host paths (an assignment's reference folder, say)."""
        for path in paths:
            if Path(path) not in self.hidden:
                self.hidden.append(Path(path))

    def prepare(self, limits=None) -> dict:
        """Run the canaries once; raise :class:`SandboxUnavailable` if the sandbox cannot start."""
        from grader import canaries

        with self._lock:
            if self.canaries is None:
                self.canaries = canaries.run(self, limits or limits_mod.Limits())
                if not self.canaries["started"]:
                    raise SandboxUnavailable(self.unavailable(self.canaries["stderr"]))
            return self.canaries

    def unavailable(self, stderr: str) -> str:
        last = (stderr.strip().splitlines() or ["no output"])[-1]
        return f"the {self.name} sandbox could not start here ({last})"

    def exit_signal(self, returncode: int | None) -> int | None:
        """The signal that ended the child, if one did."""
        if returncode is not None and returncode < 0:
            return -returncode
        return None

    @staticmethod
    def effective(limits, uid: int | None):
        """The limits to apply: RLIMIT_NPROC only with a uid of the run's own.

        Without one it would count every process of the grader's user across
        the host (and nothing at all for root); the canary then records the
        process limit as missing.
        """
        return limits if uid is not None else limits.override({"processes": None})

    def sweep(self, launch: Launch) -> int:
        """Kill what the run left behind, then free its uid."""
        try:
            return sweep(launch.uid)
        finally:
            launch.release()

    def describe(self) -> dict:
        canaries = self.canaries or {}
        return {"mode": self.name, "degraded": self.degraded or bool(canaries.get("missing")),
                "protections": list(canaries.get("active", [])), "missing": list(canaries.get("missing", [])),
                "canaries": canaries.get("answers", {})}


class BwrapSandbox(Sandbox):
    """bubblewrap, seccomp, rlimits and a per-slot uid (see the module's docstring)."""

    name = "bwrap"
    dev_root = Path("/dev")  # where the CUDA device nodes are looked for

    def __init__(self, device: str = "cpu"):
        super().__init__(device)
        self.bwrap = shutil.which("bwrap")
        self.setpriv = shutil.which("setpriv")
        self.prlimit = shutil.which("prlimit")
        self._program: bytes | None = None

    def _require(self) -> None:
        needs = {"bwrap": self.bwrap, "prlimit": self.prlimit}
        if is_root():
            needs["setpriv"] = self.setpriv
        absent = [name for name, path in needs.items() if not path]
        if absent:
            raise SandboxUnavailable(f"the bwrap sandbox needs {', '.join(absent)}, which this host lacks "
                                     "(run setup.sh as root: it installs bubblewrap and util-linux), or grade "
                                     "with --sandbox rlimits, a degraded mode")
        if self._program is None:
            try:
                self._program = seccomp.build()
            except seccomp.SeccompUnavailable as exc:
                raise SandboxUnavailable(f"the bwrap sandbox needs its seccomp filter: {exc}") from exc

    def unavailable(self, stderr: str) -> str:
        return (super().unavailable(stderr) + ". User namespaces may be disabled (some containers, AppArmor); "
                "run as root with bubblewrap installed, or grade with --sandbox rlimits, a degraded mode "
                "that does not hide the host's files")

    def exit_signal(self, returncode: int | None) -> int | None:
        # bubblewrap exits with 128 + N when its child was killed by signal N
        if returncode is not None and 128 < returncode < 128 + 65:
            return returncode - 128
        return super().exit_signal(returncode)

    def launch(self, argv: list[str], job_dir: Path, env: dict[str, str], limits, timeout: float,
               threads: int = 1, slot: int = 0) -> Launch:
        self._require()
        uid, lock = self.claim(slot)
        sweep(uid)  # what a grader that crashed may have left under this uid
        _open_up(job_dir, uid)
        fd = seccomp.memfd(self._program)
        args = [self.prlimit, *limits_mod.prlimit_args(self.effective(limits, uid), timeout, threads, self.cuda),
                "--",
                self.bwrap, *self.namespace_args(), *self.filesystem_args(job_dir),
                "--chdir", str(job_dir), "--seccomp", str(fd), "--clearenv",
                *_env_args(env), "--"]
        if uid is not None:
            args += [self.setpriv, f"--reuid={uid}", f"--regid={uid}", "--clear-groups", "--inh-caps=-all",
                     "--"]
        return Launch(args + list(argv), {}, (fd,), uid, lock)

    def namespace_args(self) -> list[str]:
        args = ["--unshare-pid", "--unshare-net", "--unshare-ipc", "--unshare-uts", "--unshare-cgroup-try",
                "--hostname", "sandbox", "--die-with-parent", "--new-session"]
        if is_root():
            # No user namespace: the child is switched to the slot's uid by setpriv, which needs
            # these two capabilities; every other one is dropped, and setpriv drops these.
            args += ["--cap-drop", "ALL", "--cap-add", "CAP_SETUID", "--cap-add", "CAP_SETGID"]
        else:
            args += ["--unshare-user"]
        return args

    def filesystem_args(self, job_dir: Path) -> list[str]:
        """The child's whole file system, in mount order."""
        args = ["--ro-bind", "/usr", "/usr"]
        for path in _SYSTEM_DIRS:
            if os.path.islink(path):
                args += ["--symlink", os.readlink(path), path]
            elif os.path.isdir(path):
                args += ["--ro-bind", path, path]
        for path in _ETC_FILES:
            args += ["--ro-bind-try", path, path]
        args += ["--proc", "/proc", "--dev", "/dev",
                 "--size", str(TMP_BYTES), "--perms", "1777", "--tmpfs", "/tmp",
                 "--size", str(TMP_BYTES), "--perms", "1777", "--tmpfs", "/dev/shm"]
        if self.cuda:
            args += cuda_device_args(self.dev_root)
            args += ["--ro-bind-try", "/sys", "/sys"]  # the driver reads PCI and module facts
        binds: list[tuple[str, Path, Path]] = []  # (option, source, destination)
        py = python_paths()
        covered = [Path("/usr")]
        for path in [py["base"], *py["sites"]]:
            if not any(_under(path, c) for c in covered):
                binds.append(("--ro-bind", path, path))
                covered.append(path)
        links: list[tuple[str, Path]] = []
        if py["venv"] is not None and not any(_under(py["venv"], c) for c in covered):
            binds.append(("--ro-bind", py["venv"] / "pyvenv.cfg", py["venv"] / "pyvenv.cfg"))
        if not any(_under(py["executable"], c) for c in covered):
            if py["executable"].is_symlink() and any(_under(py["real_executable"], c) for c in covered):
                links.append((str(py["real_executable"]), py["executable"]))
            else:
                binds.append(("--ro-bind", py["real_executable"], py["executable"]))
        for name in (protocol.RUNNER_DIR, protocol.SUBMISSION_DIR, protocol.INPUTS_DIR, protocol.JOB_FILE):
            if (job_dir / name).exists():
                binds.append(("--ro-bind", job_dir / name, job_dir / name))
        binds.append(("--bind", job_dir / protocol.OUT_DIR, job_dir / protocol.OUT_DIR))
        # bubblewrap makes missing parent folders owner-only; make them passable (not listable)
        destinations = [d for _, _, d in binds] + [d for _, d in links]
        parents = sorted({p for d in destinations for p in d.parents
                          if str(p) not in ("/", "/tmp") and not any(_under(p, c) or p == c for c in covered)
                          and not any(p == d2 or _under(p, d2) for d2 in destinations)},
                         key=lambda p: len(p.parts))
        for parent in parents:
            args += ["--perms", "0711", "--dir", str(parent)]
        for option, source, dest in binds:
            args += [option, str(source), str(dest)]
        for target, dest in links:
            args += ["--symlink", target, str(dest)]
        for path in hidden_paths(self.hidden):
            if any(_under(path, c) or path == c for c in covered):
                if path.is_dir():
                    args += ["--perms", "0000", "--tmpfs", str(path)]
                elif path.exists():
                    args += ["--ro-bind", "/dev/null", str(path)]
        return args


def _under(path: Path, folder: Path) -> bool:
    try:
        Path(path).relative_to(folder)
    except ValueError:
        return False
    return Path(path) != Path(folder)


class RlimitsSandbox(Sandbox):
    """Degraded: limits, a separate uid and no network where possible; the host stays visible."""

    name = "rlimits"
    degraded = True

    def __init__(self, device: str = "cpu"):
        super().__init__(device)
        self.prlimit = shutil.which("prlimit")
        self.setpriv = shutil.which("setpriv")
        self.unshare = shutil.which("unshare")
        self._uid_works: bool | None = None
        self._netns_works: bool | None = None

    def _probe_network(self) -> None:
        if self._netns_works is None:
            self._netns_works = bool(is_root() and self.unshare and _runs([self.unshare, "-n", "--", "true"]))

    def claim(self, slot: int) -> tuple[int | None, int | None]:
        """A uid of our own, once a child running as it has shown it can use the interpreter.

        The check runs as the claimed uid: another grader on the host kills
        every process of the uids it holds, so an unclaimed one is not safe
        to run anything as.
        """
        self._probe_network()
        if self._uid_works is False or not (is_root() and self.setpriv):
            return None, None
        uid, lock = claim_uid(slot)
        if self._uid_works is None:
            self._uid_works = _runs([self.setpriv, f"--reuid={uid}", f"--regid={uid}", "--clear-groups", "--",
                                     sys.executable, "-I", "-c", "import numpy, torch"])  # stdlib, site-packages
            sweep(uid)
            if not self._uid_works:
                os.close(lock)
                return None, None
        return uid, lock

    def launch(self, argv: list[str], job_dir: Path, env: dict[str, str], limits, timeout: float,
               threads: int = 1, slot: int = 0) -> Launch:
        if not self.prlimit:
            raise SandboxUnavailable("the rlimits sandbox needs prlimit (util-linux); run setup.sh")
        uid, lock = self.claim(slot)
        sweep(uid)  # what a grader that crashed may have left under this uid
        _open_up(job_dir, uid)
        args = [self.prlimit, *limits_mod.prlimit_args(self.effective(limits, uid), timeout, threads, self.cuda),
                "--"]
        if self._netns_works:
            args += [self.unshare, "-n", "--"]
        if uid is not None:
            args += [self.setpriv, f"--reuid={uid}", f"--regid={uid}", "--clear-groups", "--inh-caps=-all", "--"]
        return Launch(args + list(argv), env, (), uid, lock)

    def describe(self) -> dict:
        info = super().describe()
        info["degraded"] = True
        info["missing"] = sorted(set(info["missing"]) | {"filesystem isolation", "seccomp filter"})
        return info


def _runs(argv: list[str]) -> bool:
    try:
        return subprocess.run(argv, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                              stderr=subprocess.DEVNULL, timeout=60).returncode == 0
    except (OSError, subprocess.SubprocessError):
        return False


def create(mode: str = "bwrap", device: str = "cpu") -> Sandbox:
    """The sandbox for ``--sandbox MODE``."""
    if mode == "bwrap":
        return BwrapSandbox(device)
    if mode == "rlimits":
        return RlimitsSandbox(device)
    raise GraderError(f"unknown sandbox mode {mode!r} (choose {' or '.join(MODES)})")


def default(device: str = "cpu") -> Sandbox:
    return create("bwrap", device)
