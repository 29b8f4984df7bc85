"""The seccomp filter bubblewrap loads into the runner child (``bwrap --seccomp FD``).

Built with libseccomp through ``pyseccomp``: everything is allowed except
system calls no course submission needs and that reach past the sandbox:

* debugging and reading other processes: ``ptrace``, ``process_vm_readv``
  and ``process_vm_writev``;
* the network: ``socket`` for IPv4, IPv6, vsock and raw packets (Unix
  sockets, which PyTorch uses between processes, stay allowed);
* kernel keyrings, io_uring, eBPF, perf events, userfaultfd, modules,
  kexec, mounting, swapping, rebooting;
* new namespaces (``unshare``, ``setns``, and ``clone`` with a namespace
  flag; ``clone3`` answers ENOSYS so the C library falls back to ``clone``,
  whose flags a filter can read).

Denied calls fail with ``EPERM`` ("Operation not permitted"), so a student
sees an ordinary Python exception rather than a dead process. System calls
of another architecture (32-bit ``int 0x80`` on x86-64) kill the process.
"""
from __future__ import annotations

import errno
import os
import socket

DENIED = (
    "ptrace", "process_vm_readv", "process_vm_writev",
    "keyctl", "add_key", "request_key",
    "io_uring_setup", "io_uring_enter", "io_uring_register",
    "bpf", "perf_event_open", "userfaultfd",
    "init_module", "finit_module", "delete_module", "kexec_load", "kexec_file_load",
    "mount", "umount2", "pivot_root", "chroot", "swapon", "swapoff", "reboot", "acct", "quotactl",
    "open_by_handle_at", "name_to_handle_at", "fanotify_init", "syslog",
    "unshare", "setns",
)
DENIED_SOCKET_FAMILIES = {"AF_INET": socket.AF_INET, "AF_INET6": socket.AF_INET6, "AF_VSOCK": 40,
                          "AF_PACKET": 17}
_NAMESPACE_FLAGS = (0x10000000, 0x00020000, 0x40000000, 0x08000000, 0x04000000, 0x20000000, 0x02000000,
                    0x00000080)  # NEWUSER NEWNS NEWNET NEWIPC NEWUTS NEWPID NEWCGROUP NEWTIME


class SeccompUnavailable(Exception):
    """libseccomp or its Python binding is missing; the message says what to install."""


def build() -> bytes:
    """The filter as a BPF program, ready for ``bwrap --seccomp``.

    :raises SeccompUnavailable: pyseccomp or libseccomp is not installed.
    """
    try:
        import pyseccomp as seccomp
    except (ImportError, OSError) as exc:  # the binding, or libseccomp.so.2 behind it
        raise SeccompUnavailable(f"pyseccomp/libseccomp is not usable ({exc}); run setup.sh, which installs "
                                 "libseccomp2 and pyseccomp") from exc
    deny = seccomp.ERRNO(errno.EPERM)
    filt = seccomp.SyscallFilter(seccomp.ALLOW)
    for name in DENIED:
        try:
            filt.add_rule(deny, name)
        except (ValueError, RuntimeError, OSError):  # a call this kernel/architecture does not have
            continue
    for family in DENIED_SOCKET_FAMILIES.values():
        filt.add_rule(deny, "socket", seccomp.Arg(0, seccomp.EQ, family))
    for flag in _NAMESPACE_FLAGS:
        filt.add_rule(deny, "clone", seccomp.Arg(0, seccomp.MASKED_EQ, flag, flag))
    try:
        filt.add_rule(seccomp.ERRNO(errno.ENOSYS), "clone3")
    except (ValueError, RuntimeError, OSError):
        pass
    fd = os.memfd_create("grader-seccomp-export", 0)
    try:
        with os.fdopen(fd, "w+b", closefd=False) as handle:
            filt.export_bpf(handle)
            handle.seek(0)
            return handle.read()
    finally:
        os.close(fd)


def memfd(program: bytes) -> int:
    """An inheritable file descriptor holding ``program``, positioned at its start."""
    fd = os.memfd_create("grader-seccomp", 0)
    os.write(fd, program)
    os.lseek(fd, 0, os.SEEK_SET)
    os.set_inheritable(fd, True)
    return fd
