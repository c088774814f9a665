"""libvirt hosts that templates are pushed to, and the record of every push."""

from __future__ import annotations

from urllib.parse import urlsplit

from django.conf import settings
from django.db import models

from builder.library.models import DomainTemplate, Team, TemplateRevision


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


class Host(models.Model):
    """A libvirt connection people may push to: only admins make or change one."""

    name = models.CharField(max_length=100, unique=True)
    uri = models.CharField(
        max_length=500, help_text="a libvirt URI, e.g. qemu:///system or qemu+ssh://root@kvm1/system"
    )
    teams = models.ManyToManyField(Team, blank=True, related_name="hosts", help_text="teams whose editors may push")
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

    host = models.ForeignKey(Host, related_name="deployments", on_delete=models.PROTECT)
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
    error = models.TextField(blank=True)

    def __str__(self) -> str:
        return f"capabilities of {self.host}"
