"""virtinst building the bench's domain: run by the system python3 with Debian's virtinst package.

    /usr/bin/python3 tests/bench_virtinst.py 1 10 100

For each device count N it builds, on a virtinst.VirtinstConnection("test:///default"), a KVM
guest with ceil(N/2) file-backed virtio qcow2 disks and floor(N/2) virtio NICs on the network
"default" (the domain tests/bench.py assembles), calls get_xml(), and prints one JSON object:
{"N": {"median_ms": ..., "runs": ..., "xml_bytes": ...}, "virtinst": version}.
"""

import json
import statistics
import sys
import time

sys.path.insert(0, "/usr/share/virt-manager")  # where Debian's virtinst package puts the module

import virtinst
from virtinst import DeviceDisk, DeviceInterface, Guest

REPEAT = 7


def build(conn, devices: int) -> str:
    guest = Guest(conn)
    guest.type = "kvm"
    guest.name = f"bench{devices}"
    guest.memory = 2048 * 1024
    guest.vcpus = 2
    guest.os.os_type = "hvm"
    guest.os.arch = "x86_64"
    guest.os.machine = "q35"
    guest.emulator = "/usr/bin/qemu-system-x86_64"
    guest.features.acpi = True
    guest.features.apic = True
    disks, nics = (devices + 1) // 2, devices // 2
    for i in range(disks):
        disk = DeviceDisk(conn)
        disk.type = "file"
        disk.device = "disk"
        disk.driver_name = "qemu"
        disk.driver_type = "qcow2"
        disk.set_source_path(f"/var/lib/libvirt/images/d{i}.qcow2")
        disk.bus = "virtio"
        disk.target = f"vd{chr(97 + i // 26)}{chr(97 + i % 26)}"
        guest.add_device(disk)
    for i in range(nics):
        nic = DeviceInterface(conn)
        nic.type = "network"
        nic.source = "default"
        nic.macaddr = f"52:54:00:00:01:{i:02x}"
        nic.model = "virtio"
        guest.add_device(nic)
    return guest.get_xml()


def main(counts: list[int]) -> None:
    conn = virtinst.VirtinstConnection("test:///default")
    conn.open(None, None)
    out = {"virtinst": getattr(virtinst, "__version__", None) or _version()}
    for n in counts:
        build(conn, n)  # warm-up
        runs = []
        for _ in range(REPEAT):
            t = time.perf_counter()
            xml = build(conn, n)
            runs.append(time.perf_counter() - t)
        out[str(n)] = {"median_ms": statistics.median(runs) * 1000, "runs": REPEAT, "xml_bytes": len(xml)}
    print(json.dumps(out))


def _version() -> str:
    try:
        from virtinst import buildconfig

        return buildconfig.BuildConfig.version
    except Exception:
        return "unknown"


if __name__ == "__main__":
    main([int(a) for a in sys.argv[1:]] or [1, 10, 100])
