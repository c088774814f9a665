"""<filesystem>: a host directory shared with the guest (virtiofs, or 9p's path and handle drivers)."""

from ..element import Device
from ..fields import Attr, Choice, Flag, Path, Str


class Filesystem(Device):
    tag = "filesystem"
    label = "Shared directory"
    section = "elementsDevices"  # the 2008 page knew it not; its devices section
    doc_sections = ("filesystems",)
    # virtiofs also needs shared memory (<memoryBacking><source type='memfd'/><access mode='shared'/>)
    starter = {"type": "mount", "driver_type": "virtiofs", "source_dir": "/srv/share", "target_dir": "share"}

    type = Attr(
        "@type",
        Choice("mount"),
        label="Source type",
        default="mount",
        help="mount: a directory of the host, shown to the guest as a filesystem it can mount.",
    )
    accessmode = Attr(
        "@accessmode",
        Choice("passthrough", "mapped", "squash"),
        label="Access mode",
        default="passthrough",
        help="For 9p: passthrough uses the guest's file owners on the host; mapped stores them in "
        "extended attributes and writes as the QEMU user; squash is passthrough that ignores failed chown.",
        when={"driver_type": ("path", "handle")},
    )
    driver_type = Attr(
        "driver/@type",
        Choice("virtiofs", "path", "handle"),
        label="Driver",
        default="path",
        help="virtiofs: fast sharing through the virtiofsd daemon (needs shared guest memory). path "
        "or handle: QEMU's older 9p file server.",
    )
    binary_path = Attr(
        "binary/@path",
        Path(),
        label="virtiofsd binary",
        help="Run this virtiofsd program instead of the one libvirt finds by itself.",
        when={"driver_type": ("virtiofs",)},
    )
    source_dir = Attr(
        "source/@dir",
        Path(),
        label="Host directory",
        required=True,
        help="The directory on the host to share.",
    )
    target_dir = Attr(
        "target/@dir",
        Str(pattern=r"[^\s,]{1,36}", hint="a tag of at most 36 characters, no spaces or commas"),
        label="Mount tag",
        required=True,
        doc=("filesystem", "target"),
        help="The tag the guest mounts it by (mount -t virtiofs TAG /mnt); not a path in the guest.",
    )
    readonly = Flag(
        "readonly",
        label="Read-only",
        help="Share the directory read-only: the guest can read but not change it.",
    )

    def summary(self) -> str:
        v = self.values()
        return f"{v['source_dir'] or '?'} as {v['target_dir'] or '?'} ({v['driver_type'] or 'path'})"

    @classmethod
    def fresh(cls, siblings):
        """virtiofs on a mount tag no other share uses (share, share1 ...)."""
        used = {t.get("dir") for n in siblings if n.tag == cls.tag for t in n.iterfind("target")}
        tag = next(f"share{n or ''}" for n in range(len(used) + 1) if f"share{n or ''}" not in used)
        return cls.new({**cls.starter, "source_dir": f"/srv/{tag}", "target_dir": tag})
