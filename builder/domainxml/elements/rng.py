"""<rng>: a random number generator that feeds the guest entropy from the host."""

from .. import layout
from ..element import Device
from ..fields import Attr, Choice, Int, Path, Text, prune


class BackendFile(Text):
    """The text of <backend>: clearing it keeps the element (and its model), which libvirt requires."""

    def write(self, el, value):
        if value not in (None, ""):
            return super().write(el, value)
        node = self._node(el)
        if node is None:
            return None
        node.text = None
        if layout.is_empty(node):
            prune(el, node, self.steps)
        return None


class Rng(Device):
    tag = "rng"
    label = "Random number generator"
    section = "elementsDevices"  # the 2008 page knew it not; its devices section
    doc_sections = ("random-number-generator-device",)
    starter = {"model": "virtio", "backend_model": "random", "backend": "/dev/urandom"}

    model = Attr(
        "@model",
        Choice("virtio", "virtio-transitional", "virtio-non-transitional"),
        label="Model",
        required=True,
        doc=("", "model"),  # the page's term; ("backend", "model") is the source's
        help="The device the guest sees: virtio-rng, or a transitional variant for older guest drivers.",
    )
    rate_bytes = Attr(
        "rate/@bytes",
        Int(min=1),
        label="Rate limit (bytes)",
        help="At most this many bytes of entropy per period go to the guest. Empty: no limit.",
    )
    rate_period = Attr(
        "rate/@period",
        Int(min=1),
        label="Rate period (ms)",
        help="Length in milliseconds of the period the byte limit counts over (1000 when empty).",
    )
    backend_model = Attr(
        "backend/@model",
        Choice("random", "builtin"),
        label="Source",
        required=True,
        help="random reads a host device such as /dev/urandom; builtin uses QEMU's own generator.",
    )
    backend = BackendFile(
        "backend",
        Path(),
        label="Host device",
        help="Device on the host the entropy is read from: /dev/urandom is the usual choice; also "
        "/dev/random or /dev/hwrng. Empty: the hypervisor's default.",
        when={"backend_model": ("random",)},
    )

    def summary(self) -> str:
        source = self.values()["backend"] or self["backend_model"] or "?"
        return f"{self['model'] or '?'} from {source}"
