"""Values that follow from the machine type and the firmware, re-derived when those change.

A guest's machine type decides which buses and controllers exist: q35 has no IDE (disks go on
SATA), its PCI Express root takes other controllers than pc's PCI root, and the PCI addresses
libvirt gave devices on one do not fit the other. Secure boot needs q35 and SMM; a TPM on the CRB
interface needs q35. When a person changes the machine type or the firmware, `rederive` changes
what must follow and says what it changed and why; `problems` reports the same conflicts in a
domain nobody is editing (an import, say), without changing it.
"""

from __future__ import annotations

from dataclasses import dataclass

from lxml import etree

from .elements import Boot, Disk, Features, Tpm
from .fields import PARAMETER

# The fields these changes and conflicts are shown at; a renamed field fails here, at import.
DISK_BUS, TPM_MODEL, SMM = Disk.fields["target_bus"].key, Tpm.fields["model"].key, Features.fields["smm"].key
MACHINE, SECURE_BOOT = Boot.fields["machine"].key, Boot.fields["loader_secure"].key


@dataclass(frozen=True)
class Rederived:
    path: str  # the element changed, e.g. /domain/devices/disk[1]/target
    field: str  # "Disk.target_bus" when a declared field shows it, else ""
    message: str


@dataclass(frozen=True)
class State:
    machine: str
    firmware: str  # "efi", "bios" or ""
    secure_boot: bool


def is_q35(machine: str) -> bool:
    return machine == "q35" or machine.startswith("pc-q35")


def is_pc(machine: str) -> bool:
    return machine == "pc" or machine.startswith("pc-i440fx")


def state(root: etree._Element) -> State:
    os_el = root.find("os")
    machine = firmware = ""
    secure = False
    if os_el is not None:
        type_el = os_el.find("type")
        machine = (type_el.get("machine") or "") if type_el is not None else ""
        firmware = os_el.get("firmware") or ""
        loader = os_el.find("loader")
        secure = loader is not None and loader.get("secure") == "yes"
        for feature in os_el.findall("firmware/feature"):
            if feature.get("name") == "secure-boot" and feature.get("enabled") == "yes":
                secure = True
    return State(machine, firmware, secure)


def _path(el: etree._Element) -> str:
    return el.getroottree().getpath(el)


def _devices(root: etree._Element, tag: str) -> list[etree._Element]:
    container = root.find("devices")
    return container.findall(tag) if container is not None else []


def _free_sd_name(root: etree._Element) -> str:
    taken = {t.get("dev") for t in root.iterfind("devices/disk/target")}
    for i in range(26):
        name = f"sd{chr(ord('a') + i)}"
        if name not in taken:
            return name
    return "sdz"


def _ide_disks_to_sata(root: etree._Element, out: list[Rederived]) -> None:
    for disk in _devices(root, "disk"):
        target = disk.find("target")
        if target is None or target.get("bus") != "ide":
            continue
        old = target.get("dev") or "?"
        new = _free_sd_name(root)
        target.set("bus", "sata")
        target.set("dev", new)
        address = disk.find("address")
        if address is not None and address.get("type") == "drive":
            disk.remove(address)  # it named a place on the IDE controller
        label = "CD-ROM" if disk.get("device") == "cdrom" else "disk"
        out.append(
            Rederived(
                _path(target),
                DISK_BUS,
                f"IDE is not available on q35: the {label} {old} is now on SATA, as {new}.",
            )
        )
    for controller in _devices(root, "controller"):
        if controller.get("type") == "ide":
            controller.getparent().remove(controller)
            out.append(Rederived("/domain/devices", "", "Removed the IDE controller: q35 has none."))


def _pci_addresses_removed(root: etree._Element, out: list[Rederived]) -> None:
    dropped = 0
    for address in root.iterfind("devices/*/address"):
        if address.get("type") == "pci":
            address.getparent().remove(address)
            dropped += 1
    if dropped:
        what = f"{dropped} PCI address{'es' if dropped > 1 else ''}"
        why = "they were laid out for the old machine type; libvirt lays them out again for the new one"
        out.append(Rederived("/domain/devices", "", f"Removed {what}: {why}."))


def _pci_root_for(root: etree._Element, machine: str, out: list[Rederived]) -> None:
    for controller in _devices(root, "controller"):
        if controller.get("type") != "pci":
            continue
        model = controller.get("model")
        if is_q35(machine) and model == "pci-root":
            controller.set("model", "pcie-root")
            out.append(
                Rederived(
                    _path(controller), "", "The PCI root controller is now pcie-root: q35 is a PCI Express machine."
                )
            )
        elif is_pc(machine) and model == "pcie-root":
            controller.set("model", "pci-root")
            out.append(
                Rederived(_path(controller), "", "The PCI root controller is now pci-root: pc is a PCI machine.")
            )
        elif is_pc(machine) and model == "pcie-root-port":
            controller.getparent().remove(controller)
            out.append(
                Rederived(
                    "/domain/devices", "", "Removed a pcie-root-port controller: pc machines have no PCI Express."
                )
            )


def _tpm_for(root: etree._Element, machine: str, out: list[Rederived]) -> None:
    for tpm in _devices(root, "tpm"):
        if tpm.get("model") == "tpm-crb" and is_pc(machine):
            tpm.set("model", "tpm-tis")
            out.append(
                Rederived(
                    _path(tpm),
                    TPM_MODEL,
                    "A TPM on the CRB interface needs q35: it is now on TIS, which pc machines have.",
                )
            )


def _set_machine(root: etree._Element, machine: str) -> None:
    type_el = root.find("os/type")
    if type_el is not None:
        type_el.set("machine", machine)


def _smm_on(root: etree._Element, out: list[Rederived]) -> None:
    features = root.find("features")
    if features is None:
        features = etree.SubElement(root, "features")
        os_el = root.find("os")
        if os_el is not None:  # right after <os>, where libvirt writes it
            os_el.addnext(features)
    smm = features.find("smm")
    if smm is None:
        smm = etree.SubElement(features, "smm")
    if smm.get("state") == "off" or smm.get("state") is None:
        smm.set("state", "on")
        out.append(
            Rederived(
                _path(smm),
                SMM,
                "Turned SMM on: secure boot needs it, so the firmware's variables stay out of the guest's reach.",
            )
        )


def _secure_boot_off(root: etree._Element, out: list[Rederived]) -> None:
    loader = root.find("os/loader")
    if loader is not None and loader.get("secure") == "yes":
        loader.set("secure", "no")
    for feature in root.findall("os/firmware/feature"):
        if feature.get("name") == "secure-boot" and feature.get("enabled") == "yes":
            feature.set("enabled", "no")
    out.append(Rederived("/domain/os", SECURE_BOOT, "Turned secure boot off: it needs a q35 machine."))


def rederive(before: State, root: etree._Element) -> list[Rederived]:
    """Change what must follow a changed machine type or firmware; what was changed, and why."""
    after = state(root)
    if PARAMETER.search(after.machine) or before == after:
        return []
    out: list[Rederived] = []
    secure_turned_on = after.secure_boot and not before.secure_boot
    machine_changed = after.machine != before.machine
    if after.secure_boot and not is_q35(after.machine):
        if secure_turned_on or not machine_changed:
            old = after.machine or "the default"
            _set_machine(root, "q35")
            out.append(
                Rederived("/domain/os/type", MACHINE, f"The machine type is now q35 (was {old}): secure boot needs it.")
            )
        else:  # the person moved away from q35: their choice wins over secure boot
            _secure_boot_off(root, out)
    after = state(root)
    if after.secure_boot:
        _smm_on(root, out)
    if after.machine != before.machine:
        if is_q35(after.machine):
            _ide_disks_to_sata(root, out)
        if (is_q35(after.machine) and not is_q35(before.machine)) or (
            is_pc(after.machine) and not is_pc(before.machine)
        ):
            _pci_addresses_removed(root, out)
        _pci_root_for(root, after.machine, out)
        _tpm_for(root, after.machine, out)
    return out


def problems(root: etree._Element) -> list[tuple[etree._Element, str, str]]:
    """(element, field, message) for each conflict in a domain as it stands (nothing changed)."""
    now = state(root)
    found = []
    if is_q35(now.machine):
        for disk in _devices(root, "disk"):
            target = disk.find("target")
            if target is not None and target.get("bus") == "ide":
                found.append((target, DISK_BUS, "IDE is not available on q35 machines: use SATA."))
    if now.secure_boot and now.machine and not PARAMETER.search(now.machine) and not is_q35(now.machine):
        found.append((root.find("os/type"), MACHINE, "Secure boot needs a q35 machine."))
    if now.secure_boot:
        smm = root.find("features/smm")
        if smm is None or smm.get("state") == "off":
            found.append((root.find("os"), SMM, "Secure boot needs SMM turned on (features, smm)."))
    if is_pc(now.machine):
        for tpm in _devices(root, "tpm"):
            if tpm.get("model") == "tpm-crb":
                found.append((tpm, TPM_MODEL, "A TPM on the CRB interface needs a q35 machine: use TIS on pc."))
    return found
