"""<tpm>: a Trusted Platform Module, emulated by swtpm or passed through from the host."""

from ..element import Device
from ..fields import Attr, Choice, Path, YesNo


class Tpm(Device):
    tag = "tpm"
    label = "TPM"
    section = "elementsDevices"  # the 2008 page knew it not; its devices section
    doc_sections = ("tpm-device",)
    starter = {"model": "tpm-crb", "backend_type": "emulator", "backend_version": "2.0"}

    model = Attr(
        "@model",
        Choice("tpm-crb", "tpm-tis", "spapr-tpm-proxy"),
        label="Model",
        doc=("", "model"),  # the page defines it as a term of its own
        default="tpm-tis",
        help="The TPM interface the guest sees: tpm-crb (TPM 2.0 only, what Windows 11 and UEFI "
        "guests expect), tpm-tis (works with 1.2 and 2.0), spapr-tpm-proxy (POWER guests).",
    )
    backend_type = Attr(
        "backend/@type",
        Choice("emulator", "passthrough"),
        label="Backend",
        doc=("tpm", "backend"),  # the element says what its type is
        required=True,
        help="emulator: libvirt runs a software TPM (swtpm) per guest. passthrough: the guest "
        "gets the host's own TPM chip, which no one else may use meanwhile.",
    )
    backend_version = Attr(
        "backend/@version",
        Choice("2.0", "1.2"),
        label="TPM version",
        doc=("", "version"),
        help="Version of the emulated TPM. 2.0 for current guests (and for tpm-crb); 1.2 only for old ones.",
        when={"backend_type": ("emulator",)},
    )
    persistent_state = Attr(
        "backend/@persistent_state",
        YesNo(),
        label="Keep state",
        doc=("", "persistent_state"),
        default="no",
        help="Keep the emulated TPM's contents when a transient guest is shut down, instead of throwing them away.",
        when={"backend_type": ("emulator",)},
    )
    device_path = Attr(
        "backend/device/@path",
        Path(),
        label="Host TPM device",
        help="The host's TPM device file, /dev/tpm0 or the resource manager /dev/tpmrm0.",
        when={"backend_type": ("passthrough",)},
        required_when={"backend_type": ("passthrough",)},
    )

    def summary(self) -> str:
        v = self.values()
        detail = v["backend_version"] or v["device_path"] or ""
        return f"TPM {v['model'] or 'tpm-tis'} ({v['backend_type']} {detail})".replace(" )", ")")

    @classmethod
    def fresh(cls, siblings):
        """An emulated TPM 2.0; if the guest has one, the host's TPM passed through instead."""
        if any(n.tag == cls.tag for n in siblings):
            return cls.new({"model": "tpm-tis", "backend_type": "passthrough", "device_path": "/dev/tpm0"})
        return cls.new(dict(cls.starter))
