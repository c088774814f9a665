"""A real libvirtd with the QEMU driver for the tests (the `qemu_uri` fixture in conftest.py).

Debian 12, as root, without systemd: when libvirtd or qemu-system-x86_64 is missing, Debian's
packages are installed; when no libvirtd answers, virtlogd and libvirtd are started here and
stopped again at the end of the session. Daemons that were already running are left alone.
"""

from __future__ import annotations

import contextlib
import ctypes
import os
import shutil
import signal
import socket
import subprocess
import time
import xml.etree.ElementTree as ET
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

URI = "qemu:///system"
# ovmf: UEFI firmware (the starter's Linux server boots with firmware='efi'); swtpm: the TPM
# emulator the Windows 11 starter template asks for; qemu-utils: qemu-img, for a guest's disk.
PACKAGES = ("libvirt-daemon-system", "qemu-system-x86", "ovmf", "swtpm", "swtpm-tools", "qemu-utils")
BINARIES = ("libvirtd", "virtlogd", "qemu-system-x86_64")
SBIN_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
LOG_DIR = Path("/var/log/libvirt")
TEST_PREFIX = "dbtest-"

INSTALL_TIMEOUT = 1800  # s, a slow mirror on a fresh machine
UPDATE_TIMEOUT = 600
READY_TIMEOUT = 60  # the first start probes QEMU for about 8 s
STOP_GRACE = 10


class Daemon:
    def __init__(self, name: str, sock: str, pidfile: str):
        self.name, self.sock, self.pidfile = name, Path(sock), Path(pidfile)
        self.log = LOG_DIR / f"{name}.log"

    def answering(self) -> bool:
        """Whether something accepts connections on the daemon's socket."""
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as s:
            s.settimeout(2)
            try:
                s.connect(str(self.sock))
            except OSError:
                return False
        return True

    def pid(self) -> int | None:
        """The pid in the daemon's pidfile when that process is alive and is this daemon."""
        try:
            pid = int(self.pidfile.read_text().strip())
            comm = Path(f"/proc/{pid}/comm").read_text().strip()
        except (OSError, ValueError):
            return None
        return pid if comm == self.name and _alive(pid) else None


VIRTLOGD = Daemon("virtlogd", "/run/libvirt/virtlogd-sock", "/run/virtlogd.pid")
LIBVIRTD = Daemon("libvirtd", "/run/libvirt/libvirt-sock", "/run/libvirtd.pid")


def _alive(pid: int) -> bool:
    """Alive and not a zombie; reaps the process when it is a child of ours."""
    with contextlib.suppress(ChildProcessError):
        if os.waitpid(pid, os.WNOHANG)[0] == pid:
            return False
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat.rsplit(")", 1)[1].split()[0] not in ("Z", "X")


def _subreaper(on: bool) -> None:
    """Make this process the parent of the daemons that `-d` orphans while `on`.

    Their parent would otherwise be PID 1, which in some containers (this one) never reaps: a
    stopped daemon would stay a zombie. With us as their parent, _alive() reaps them.
    """
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL(None, use_errno=True).prctl(36, int(on), 0, 0, 0)  # PR_SET_CHILD_SUBREAPER


def _which(name: str) -> str | None:
    return shutil.which(name, path=f"{os.environ.get('PATH', '')}:{SBIN_PATH}")


def _tail(text: str, lines: int = 25) -> str:
    return "\n".join(text.strip().splitlines()[-lines:])


def _installed(package: str) -> bool:
    out = subprocess.run(
        ["dpkg-query", "-W", "-f=${Status}", package], capture_output=True, text=True, timeout=60, check=False
    )
    return out.stdout.strip().endswith("ok installed")


def install_packages(say: Callable[[str], None]) -> None:
    """apt-get install the QEMU driver's packages, non-interactively, updating lists only when needed."""
    if os.geteuid() != 0:
        pytest.fail(
            f"libvirtd: {', '.join(b for b in BINARIES if not _which(b))} missing and not root: "
            f"install {' '.join(PACKAGES)} (apt-get install --no-install-recommends) or run the tests as root",
            pytrace=False,
        )
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive", "PATH": f"{os.environ.get('PATH', '')}:{SBIN_PATH}"}
    install = [
        "apt-get",
        "install",
        "-y",
        "-q",
        "--no-install-recommends",
        "-o",
        "DPkg::Lock::Timeout=300",
        "-o",
        "Dpkg::Options::=--force-confdef",
        "-o",
        "Dpkg::Options::=--force-confold",
        *PACKAGES,
    ]

    def run(cmd: list[str], timeout: int) -> subprocess.CompletedProcess:
        try:
            return subprocess.run(
                cmd, env=env, stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=timeout, check=False
            )
        except subprocess.TimeoutExpired:
            pytest.fail(f"libvirtd: `{' '.join(cmd)}` took more than {timeout} s", pytrace=False)

    say(f"libvirtd: installing {' '.join(PACKAGES)} (first run only)...")
    started = time.monotonic()
    done = run(install, INSTALL_TIMEOUT)
    output = done.stdout + done.stderr
    if done.returncode and any(
        s in output for s in ("Unable to locate package", "has no installation candidate", "404  Not Found")
    ):
        say("libvirtd: no usable package lists: apt-get update...")
        update = run(["apt-get", "update", "-q"], UPDATE_TIMEOUT)
        if update.returncode:
            pytest.fail(f"libvirtd: apt-get update failed:\n{_tail(update.stdout + update.stderr)}", pytrace=False)
        done = run(install, INSTALL_TIMEOUT)
        output = done.stdout + done.stderr
    # A postinst that fails only to start a service still leaves the package installed; what counts
    # is that the packages are configured and the binaries are there.
    missing = [p for p in PACKAGES if not _installed(p)] + [b for b in BINARIES if not _which(b)]
    if missing:
        pytest.fail(
            f"libvirtd: apt-get install exited {done.returncode}; still missing {', '.join(missing)}:\n{_tail(output)}",
            pytrace=False,
        )
    say(f"libvirtd: installed in {time.monotonic() - started:.0f} s (apt-get exited {done.returncode})")


def start(daemon: Daemon) -> int:
    """`<daemon> -d` (no --listen), logging warnings to /var/log/libvirt/<daemon>.log; returns its pid."""
    LOG_DIR.mkdir(parents=True, exist_ok=True)
    env = {**os.environ, "LIBVIRT_LOG_OUTPUTS": f"3:file:{daemon.log}"}
    binary = _which(daemon.name) or daemon.name
    _subreaper(True)
    try:
        done = subprocess.run(
            [binary, "-d"], env=env, stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=60, check=False
        )
    except subprocess.TimeoutExpired:
        pytest.fail(f"libvirtd: `{daemon.name} -d` did not return within 60 s", pytrace=False)
    finally:
        _subreaper(False)
    deadline = time.monotonic() + 15
    while (pid := daemon.pid()) is None:
        if time.monotonic() > deadline:
            pytest.fail(
                f"libvirtd: `{daemon.name} -d` exited {done.returncode} and left no live pid in {daemon.pidfile}:\n"
                f"{_tail(done.stdout + done.stderr)}\n{log_tail(daemon)}",
                pytrace=False,
            )
        time.sleep(0.1)
    return pid


def kvm_device_like_udev(say: Callable[[str], None]) -> None:
    """Give /dev/kvm the group kvm and mode 0660, as Debian's udev rules do where udev runs.

    Without udev it can stay root-only (0600): QEMU's probe (as root) then finds KVM, while
    libvirt's cache check (as libvirt-qemu) finds none, and every define re-probes QEMU for ~4 s.
    """
    import grp

    kvm = Path("/dev/kvm")
    try:
        gid = grp.getgrnam("kvm").gr_gid
        st = kvm.stat()
    except (KeyError, OSError):
        return  # no KVM here: the probe and the check agree
    if st.st_gid != gid or st.st_mode & 0o060 != 0o060:
        os.chown(kvm, -1, gid)
        kvm.chmod(0o660)
        say("libvirtd: /dev/kvm set to group kvm, mode 0660 (as udev would)")


def log_tail(daemon: Daemon, lines: int = 20) -> str:
    try:
        return f"last lines of {daemon.log}:\n{_tail(daemon.log.read_text(errors='replace'), lines)}"
    except OSError:
        return f"({daemon.log} not readable)"


def qemu_x86_64(caps_xml: str) -> bool:
    """Whether capabilities list an x86_64 guest with domain type qemu (TCG)."""
    for arch in ET.fromstring(caps_xml).iterfind("guest/arch"):
        if arch.get("name") == "x86_64" and any(d.get("type") == "qemu" for d in arch.iterfind("domain")):
            return True
    return False


def wait_ready(pid: int | None) -> None:
    """Until qemu:///system opens and offers x86_64 qemu guests; fails with libvirtd's log after 60 s."""
    import libvirt

    deadline = time.monotonic() + READY_TIMEOUT
    last = "no answer"
    while time.monotonic() < deadline:
        if pid is not None and not _alive(pid):
            pytest.fail(f"libvirtd: the daemon (pid {pid}) died while starting\n{log_tail(LIBVIRTD)}", pytrace=False)
        try:
            conn = libvirt.open(URI)
            try:
                if qemu_x86_64(conn.getCapabilities()):
                    return
                last = "capabilities list no x86_64 guest of type qemu"
            finally:
                conn.close()
        except libvirt.libvirtError as e:
            last = str(e)
        time.sleep(0.25)
    pytest.fail(f"libvirtd: {URI} not ready after {READY_TIMEOUT} s ({last})\n{log_tail(LIBVIRTD)}", pytrace=False)


def test_domains(conn) -> set[str]:
    return {d.name() for d in conn.listAllDomains() if d.name().startswith(TEST_PREFIX)}


test_domains.__test__ = False  # a helper, whatever its name


def remove_domains(names: set[str]) -> None:
    """Destroy and undefine the named domains (what the tests left behind)."""
    import libvirt

    if not names:
        return
    try:
        conn = libvirt.open(URI)
    except libvirt.libvirtError:
        return
    try:
        for name in names:
            with contextlib.suppress(libvirt.libvirtError):
                dom = conn.lookupByName(name)
                if dom.isActive():
                    dom.destroy()
                if dom.isPersistent():  # UEFI guests keep NVRAM, which a plain undefine refuses
                    dom.undefineFlags(libvirt.VIR_DOMAIN_UNDEFINE_NVRAM)
    finally:
        conn.close()


def stop(pid: int) -> None:
    """SIGTERM, then SIGKILL when still alive after 10 s."""
    with contextlib.suppress(ProcessLookupError):
        os.kill(pid, signal.SIGTERM)
    deadline = time.monotonic() + STOP_GRACE
    while _alive(pid):
        if time.monotonic() > deadline:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
            deadline = time.monotonic() + 5
            while _alive(pid) and time.monotonic() < deadline:
                time.sleep(0.05)
            return
        time.sleep(0.05)


def reporter(config: pytest.Config) -> Callable[[str], None]:
    """Write a line to the terminal, past pytest's capture."""
    terminal = config.pluginmanager.get_plugin("terminalreporter")
    capture = config.pluginmanager.get_plugin("capturemanager")

    def say(line: str) -> None:
        if terminal is None:
            return
        with capture.global_and_fixture_disabled() if capture else contextlib.nullcontext():
            terminal.write_line(line)

    return say


@contextlib.contextmanager
def running_libvirtd(config: pytest.Config) -> Iterator[str]:
    """Yields qemu:///system on a ready libvirtd; afterwards removes the tests' dbtest-* domains and
    stops the daemons started here (never ones that were running before)."""
    import libvirt

    libvirt.registerErrorHandler(lambda *a: None, None)
    say = reporter(config)
    ours: list[int] = []  # pids to stop, in order
    ready = False
    before: set[str] = set()
    try:
        running = {d.name: d.answering() for d in (VIRTLOGD, LIBVIRTD)}
        if not all(_which(b) for b in BINARIES) or not all(_installed(p) for p in PACKAGES):
            install_packages(say)
            # Without policy-rc.d forbidding it, the packages' init scripts may have started the
            # daemons: those are this session's doing, so they are stopped at the end too.
            for daemon in (LIBVIRTD, VIRTLOGD):
                if not running[daemon.name] and daemon.answering() and (pid := daemon.pid()):
                    say(f"libvirtd: {daemon.name} (pid {pid}) was started by the install; stopped at the end")
                    ours.append(pid)
                    running[daemon.name] = True
        libvirtd_pid = None
        if not running["libvirtd"]:
            started = time.monotonic()
            kvm_device_like_udev(say)
            if not VIRTLOGD.answering():
                ours.append(start(VIRTLOGD))
            libvirtd_pid = start(LIBVIRTD)
            ours.insert(0, libvirtd_pid)
            wait_ready(libvirtd_pid)
            say(f"libvirtd: started (pid {libvirtd_pid}), ready in {time.monotonic() - started:.1f} s")
        else:
            wait_ready(None)
        ready = True
        if not libvirtd_pid:
            # A daemon that was already running: only the domains this session makes are removed.
            conn = libvirt.open(URI)
            before = test_domains(conn)
            conn.close()
        yield URI
    finally:
        if ready:
            with contextlib.suppress(libvirt.libvirtError):
                conn = libvirt.open(URI)
                left = test_domains(conn) - before
                conn.close()
                remove_domains(left)
        for pid in ours:
            stop(pid)
