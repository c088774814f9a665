"""Host capabilities for the tests of what a host offers, and domains to check against them.

The QEMU and Xen documents are small ones written for these tests in the shape libvirt 9 writes;
the `qemu` and `test_offer` fixtures (tests/conftest.py) read them and the test driver's.
"""

from lxml import etree

QEMU_CAPS = """<capabilities>
  <host>
    <uuid>0b9c1f3e-5d2a-4c62-9a0e-3f1d2c4b5a69</uuid>
    <cpu><arch>x86_64</arch><model>Skylake-Client-IBRS</model><vendor>Intel</vendor></cpu>
    <migration_features><live/></migration_features>
  </host>
  <guest>
    <os_type>hvm</os_type>
    <arch name='x86_64'>
      <wordsize>64</wordsize>
      <emulator>/usr/bin/qemu-system-x86_64</emulator>
      <machine maxCpus='255'>pc-i440fx-7.2</machine>
      <machine canonical='pc-i440fx-7.2' maxCpus='255'>pc</machine>
      <machine maxCpus='255'>pc-i440fx-6.2</machine>
      <machine maxCpus='288'>pc-q35-7.2</machine>
      <machine canonical='pc-q35-7.2' maxCpus='288'>q35</machine>
      <machine maxCpus='1'>isapc</machine>
      <domain type='qemu'/>
      <domain type='kvm'/>
    </arch>
    <features><acpi default='on' toggle='yes'/><apic default='on' toggle='no'/></features>
  </guest>
  <guest>
    <os_type>hvm</os_type>
    <arch name='aarch64'>
      <wordsize>64</wordsize>
      <emulator>/usr/bin/qemu-system-aarch64</emulator>
      <machine maxCpus='512'>virt-7.2</machine>
      <machine canonical='virt-7.2' maxCpus='512'>virt</machine>
      <domain type='qemu'/>
    </arch>
  </guest>
</capabilities>"""

# Domain capabilities for the default machine (pc) and for q35, which has no IDE.
KVM_PC = """<domainCapabilities>
  <path>/usr/bin/qemu-system-x86_64</path>
  <domain>kvm</domain>
  <machine>pc-i440fx-7.2</machine>
  <arch>x86_64</arch>
  <vcpu max='255'/>
  <os supported='yes'>
    <enum name='firmware'><value>bios</value><value>efi</value></enum>
    <loader supported='yes'>
      <value>/usr/share/OVMF/OVMF_CODE_4M.fd</value>
      <enum name='type'><value>rom</value><value>pflash</value></enum>
      <enum name='secure'><value>no</value></enum>
    </loader>
  </os>
  <cpu>
    <mode name='host-passthrough' supported='yes'/>
    <mode name='maximum' supported='yes'/>
    <mode name='host-model' supported='yes'><model fallback='forbid'>Skylake-Client-IBRS</model></mode>
    <mode name='custom' supported='no'/>
  </cpu>
  <devices>
    <disk supported='yes'>
      <enum name='diskDevice'><value>disk</value><value>cdrom</value><value>floppy</value><value>lun</value></enum>
      <enum name='bus'><value>ide</value><value>fdc</value><value>scsi</value><value>virtio</value>
        <value>usb</value><value>sata</value></enum>
      <enum name='model'><value>virtio</value></enum>
    </disk>
    <graphics supported='yes'>
      <enum name='type'><value>sdl</value><value>vnc</value><value>spice</value><value>egl-headless</value></enum>
    </graphics>
    <video supported='yes'>
      <enum name='modelType'><value>vga</value><value>cirrus</value><value>virtio</value><value>none</value>
        <value>bochs</value><value>ramfb</value></enum>
    </video>
    <hostdev supported='yes'>
      <enum name='mode'><value>subsystem</value></enum>
      <enum name='subsysType'><value>usb</value><value>pci</value><value>scsi</value></enum>
    </hostdev>
    <tpm supported='yes'>
      <enum name='model'><value>tpm-tis</value><value>tpm-crb</value></enum>
      <enum name='backendModel'><value>passthrough</value><value>emulator</value></enum>
    </tpm>
  </devices>
  <features>
    <gic supported='no'/>
    <vmcoreinfo supported='yes'/>
    <genid supported='yes'/>
    <sev supported='no'/>
  </features>
</domainCapabilities>"""

KVM_Q35 = KVM_PC.replace("pc-i440fx-7.2", "pc-q35-7.2").replace("<value>ide</value>", "")

# TCG on aarch64: UEFI only, no IDE, no cirrus.
QEMU_AARCH64 = """<domainCapabilities>
  <path>/usr/bin/qemu-system-aarch64</path>
  <domain>qemu</domain>
  <machine>virt-7.2</machine>
  <arch>aarch64</arch>
  <os supported='yes'>
    <enum name='firmware'><value>efi</value></enum>
    <loader supported='yes'><enum name='type'><value>pflash</value></enum></loader>
  </os>
  <devices>
    <disk supported='yes'>
      <enum name='diskDevice'><value>disk</value><value>cdrom</value></enum>
      <enum name='bus'><value>scsi</value><value>virtio</value><value>usb</value></enum>
    </disk>
    <graphics supported='yes'><enum name='type'><value>vnc</value></enum></graphics>
    <video supported='yes'><enum name='modelType'><value>virtio</value><value>ramfb</value></enum></video>
  </devices>
</domainCapabilities>"""

# A BIOS-only host: no firmware to satisfy firmware='efi', pflash not loadable.
QEMU_X86_BIOS = """<domainCapabilities>
  <domain>qemu</domain><machine>pc-i440fx-7.2</machine><arch>x86_64</arch>
  <os supported='yes'>
    <enum name='firmware'><value>bios</value></enum>
    <loader supported='yes'><enum name='type'><value>rom</value></enum></loader>
  </os>
</domainCapabilities>"""

XEN_CAPS = """<capabilities>
  <host><cpu><arch>x86_64</arch></cpu></host>
  <guest>
    <os_type>xen</os_type>
    <arch name='x86_64'><wordsize>64</wordsize><emulator>/usr/lib/xen/bin/qemu-system-i386</emulator>
      <machine>xenpv</machine><domain type='xen'/></arch>
  </guest>
  <guest>
    <os_type>hvm</os_type>
    <arch name='x86_64'><wordsize>64</wordsize><emulator>/usr/lib/xen/bin/qemu-system-i386</emulator>
      <machine>xenfv</machine><domain type='xen'/></arch>
  </guest>
</capabilities>"""


def domain(devices="", dtype="kvm", arch="x86_64", machine="", os_type="hvm", os_extra="", os_attrs=""):
    attrs = (f" arch='{arch}'" if arch else "") + (f" machine='{machine}'" if machine else "")
    return etree.fromstring(
        f"<domain type='{dtype}'><name>g</name><memory unit='MiB'>256</memory>"
        f"<os{os_attrs}><type{attrs}>{os_type}</type>{os_extra}</os><devices>{devices}</devices></domain>"
    )


def disk(bus, device="disk", dev="vda"):
    return f"<disk type='file' device='{device}'><source file='/i.img'/><target dev='{dev}' bus='{bus}'/></disk>"


def fields(problems):
    return [p.field for p in problems]
