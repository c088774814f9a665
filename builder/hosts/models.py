"""libvirt hosts that templates are pushed to, and the record of every push."""

from __future__ import annotations

from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models

from builder.library.models import DomainTemplate, Team, TemplateRevision

from .uris import BadUri, check_uri


def safe_uri(uri: str) -> str:
    """The URI without what may be a secret: a password in it, and the query (keyfile=, pkipath=,
    sshauth=, ... name credentials and where they are kept)."""
    try:
        parts = urlsplit(uri)
    except ValueError:
        return "(a URI that cannot be read)"
    netloc = parts.netloc
    if "@" in netloc:
        user, _, hostport = netloc.rpartition("@")
        netloc = f"{user.split(':', 1)[0]}@{hostport}"
    # Written out rather than urlunsplit(), which makes test:///default into test:/default.
    return f"{parts.scheme}://{netloc}{parts.path}"


def validate_uri(uri: str) -> None:
    try:
        check_uri(uri)
    except BadUri as e:
        raise ValidationError(str(e)) from None


class Host(models.Model):
    """A libvirt connection people may push to: superusers make one, its admins change it."""

    name = models.CharField(max_length=100, unique=True)
    uri = models.CharField(
        "URI",
        max_length=500,
        validators=[validate_uri],
        help_text="a libvirt URI, e.g. qemu:///system or qemu+ssh://root@kvm1/system; no passwords or key "
        "paths in it: libvirt's own authentication (SSH keys, TLS certificates, auth.conf) keeps those",
    )
    teams = models.ManyToManyField(Team, blank=True, related_name="hosts", help_text="teams whose editors may push")
    admins = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        blank=True,
        related_name="administered_hosts",
        help_text="people who may change this host, its teams and its policy (superusers always may)",
    )
    description = models.CharField(max_length=300, blank=True)
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    @property
    def is_simulation(self) -> bool:
        """libvirt's test driver: accepts definitions, runs nothing."""
        return self.uri.startswith("test:")

    @property
    def display_uri(self) -> str:
        return safe_uri(self.uri)


class Deployment(models.Model):
    """One push of a template to a host, whatever its outcome."""

    class Action(models.TextChoices):
        DEFINE = "define", "Define"
        START = "start", "Define and start"

    # Removing a host forgets its pushes (the page says how many first); libvirt keeps the domains.
    host = models.ForeignKey(Host, related_name="deployments", on_delete=models.CASCADE)
    template = models.ForeignKey(DomainTemplate, null=True, related_name="deployments", on_delete=models.SET_NULL)
    revision = models.ForeignKey(TemplateRevision, null=True, blank=True, related_name="+", on_delete=models.SET_NULL)
    # Kept apart from the links above, so the record still says what was pushed once they are gone.
    template_name = models.CharField(max_length=200)
    revision_label = models.CharField(max_length=40, help_text='"draft" or "revision N"')
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)
    created = models.DateTimeField(auto_now_add=True)
    action = models.CharField(max_length=8, choices=Action.choices)
    ok = models.BooleanField(default=False)
    error = models.TextField(blank=True, help_text="libvirt's own words when it failed")
    domain_name = models.CharField(max_length=200, blank=True)
    domain_uuid = models.CharField(max_length=36, blank=True, db_index=True)
    sent_xml = models.TextField()
    returned_xml = models.TextField(blank=True, help_text="the inactive XML libvirt gave back after the define")
    undefined = models.DateTimeField(null=True, blank=True, help_text="when the builder undefined it")

    class Meta:
        ordering = ["-created", "-id"]

    def __str__(self) -> str:
        return f"{self.template_name} to {self.host} ({'ok' if self.ok else 'failed'})"


class HostCapabilities(models.Model):
    """What a host said it can run, cached: getCapabilities() and getDomainCapabilities()."""

    host = models.OneToOneField(Host, related_name="capabilities", on_delete=models.CASCADE)
    fetched = models.DateTimeField(auto_now=True)
    capabilities = models.TextField(blank=True)
    # {"<virttype> <arch> <machine>": domain capabilities XML}; empty where the driver has none.
    domain_capabilities = models.JSONField(default=dict, blank=True)
    # {"pool name": "its target path"} (a pool without a path, such as a network pool: "")
    pools = models.JSONField(default=dict, blank=True)
    error = models.TextField(blank=True)

    def __str__(self) -> str:
        return f"capabilities of {self.host}"


class HostPolicy(models.Model):
    """What may be pushed to a host, set by its admins. The defaults suit a host shared by teams:
    nothing that reaches outside the guest (host files, devices, programs) unless allowed here."""

    host = models.OneToOneField(Host, related_name="policy", on_delete=models.CASCADE)
    trusted = models.BooleanField(
        "trusted, single team",
        default=False,
        help_text="trusted, single team: everything libvirt accepts may be pushed (the limits below still hold)",
    )
    allowed_paths = models.TextField(
        "allowed directories",
        blank=True,
        help_text="directories on the host, one per line, where disks, kernels, firmware and files may be, "
        "besides the host's storage pools",
    )
    allow_passthrough = models.BooleanField(
        "hypervisor passthrough and programs",
        default=False,
        help_text="hypervisor passthrough (qemu:commandline and the like), emulators, scripts and helpers "
        "the host does not list: these run programs on the host",
    )
    allow_block_devices = models.BooleanField(
        "block devices", default=False, help_text="disks and filesystems on host block devices"
    )
    allow_host_devices = models.BooleanField(
        "host devices",
        default=False,
        help_text="<hostdev> (PCI, USB, SCSI ...), host input devices, TPM and smartcard passthrough",
    )
    allow_filesystem_passthrough = models.BooleanField(
        "shared host directories",
        default=False,
        help_text="<filesystem> sharing a host directory with the guest (still only allowed paths)",
    )
    allow_direct_network = models.BooleanField(
        "direct network interfaces",
        default=False,
        help_text="interfaces of type direct, hostdev, vdpa, vhostuser or ethernet (host NICs, taps)",
    )
    allow_host_chardevs = models.BooleanField(
        "character devices on host files",
        default=False,
        help_text="serial, parallel, console and channel devices on host files, devices, pipes or sockets",
    )
    max_vcpus = models.PositiveIntegerField("vCPUs at most", null=True, blank=True, help_text="vCPUs a guest may have")
    max_memory_mib = models.PositiveIntegerField(
        "memory at most (MiB)", null=True, blank=True, help_text="memory a guest may have, in MiB"
    )
    max_guests_per_team = models.PositiveIntegerField(
        "guests per team at most",
        null=True,
        blank=True,
        help_text="guests a team (or a person, for their own templates) may have here",
    )

    class Meta:
        verbose_name_plural = "host policies"

    def __str__(self) -> str:
        return f"policy of {self.host}"

    @property
    def paths(self) -> list[str]:
        return [line.strip() for line in self.allowed_paths.splitlines() if line.strip()]

    def clean(self) -> None:
        bad = [p for p in self.paths if not p.startswith("/")]
        if bad:
            raise ValidationError({"allowed_paths": f"not an absolute path: {', '.join(bad)}"})


def policy_of(host: Host) -> HostPolicy:
    """The host's policy; the safe defaults (unsaved) when its admins never set one."""
    try:
        return host.policy
    except HostPolicy.DoesNotExist:
        return HostPolicy(host=host)
