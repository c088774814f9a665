"""The library: reusable device profiles and VM templates assembled from them.

The XML is the source of truth; the other columns are derived from it on save, for listing
and filtering only.
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from lxml import etree

from builder.domainxml.assemble import device_class, is_device
from builder.domainxml.elements import General, Resources
from builder.domainxml.elements.resources import to_bytes
from builder.domainxml.parse import XMLInputError, parse_xml


class Team(models.Model):
    """People who share templates and profiles; each member has one role in it."""

    name = models.CharField(max_length=100, unique=True)
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Role(models.TextChoices):
    # In rising order: each role may do what the ones before it may.
    VIEWER = "viewer", "Viewer"
    EDITOR = "editor", "Editor"
    ADMIN = "admin", "Admin"


class Membership(models.Model):
    team = models.ForeignKey(Team, related_name="memberships", on_delete=models.CASCADE)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, related_name="memberships", on_delete=models.CASCADE)
    role = models.CharField(max_length=8, choices=Role.choices, default=Role.VIEWER)

    class Meta:
        ordering = ["team", "user__username"]
        constraints = [models.UniqueConstraint(fields=["team", "user"], name="one_membership_per_team")]

    def __str__(self) -> str:
        return f"{self.user} in {self.team} ({self.role})"


class Visibility(models.TextChoices):
    PRIVATE = "private", "Private: only the owner"
    TEAM = "team", "Team: members of its team"
    EVERYONE = "everyone", "Everyone with an account"


class Owned(models.Model):
    """Who an object belongs to and who may see it; the rules are in builder.library.access.

    An object without an owner (loaded by a command) belongs to the installation.
    """

    owner = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)
    team = models.ForeignKey(Team, null=True, blank=True, on_delete=models.PROTECT)
    visibility = models.CharField(max_length=8, choices=Visibility.choices, default=Visibility.PRIVATE)
    created = models.DateTimeField(auto_now_add=True)
    updated = models.DateTimeField(auto_now=True)

    class Meta:
        abstract = True
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(visibility="team") | models.Q(team__isnull=False),
                name="%(class)s_team_visibility_needs_a_team",
            )
        ]

    # Changed by their own operations (sharing, publishing). A plain save() writes them only if
    # this instance changed them: saving a template loaded before someone published it or shared
    # it must not undo that.
    GUARDED = ("owner", "team", "visibility")

    def _guarded(self) -> dict:
        return {f.attname: getattr(self, f.attname) for f in self._meta.concrete_fields if f.name in self.GUARDED}

    @classmethod
    def from_db(cls, db, field_names, values):
        obj = super().from_db(db, field_names, values)
        obj._as_loaded = obj._guarded()
        return obj

    def _prepare_save(self, kwargs: dict) -> dict:
        """The save()'s kwargs, so that it writes guarded fields only if this instance changed them."""
        if self._state.adding and self.owner_id is None:
            self.visibility = Visibility.EVERYONE  # the installation's: stored as what access allows
        loaded = getattr(self, "_as_loaded", None)
        if loaded is not None and kwargs.get("update_fields") is None and not kwargs.get("force_insert"):
            unchanged = {a for a, v in self._guarded().items() if loaded.get(a, v) == v}
            kwargs["update_fields"] = [
                f.name for f in self._meta.concrete_fields if not f.primary_key and f.attname not in unchanged
            ]
        return kwargs

    def _saved(self) -> None:
        self._as_loaded = self._guarded()


def _parse_device(xml: str) -> etree._Element:
    try:
        node = parse_xml(xml, settings.MAX_XML_BYTES)
    except XMLInputError as e:
        raise ValidationError(str(e)) from None
    if not is_device(node):
        raise ValidationError(f"<{node.tag}> is not a device")
    return node


class DeviceProfile(Owned):
    """A reusable device: one child of <devices>, such as a virtio disk or a bridged NIC."""

    kind = models.CharField(max_length=32, db_index=True, help_text="the device element, e.g. disk")
    name = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    xml = models.TextField(help_text="the device element's XML")
    summary = models.CharField(max_length=300, blank=True, editable=False)

    class Meta(Owned.Meta):
        ordering = ["kind", "name"]

    def __str__(self) -> str:
        return f"{self.name} ({self.kind})"

    def save(self, *args, **kwargs):
        node = parse_xml(self.xml, settings.MAX_XML_BYTES)
        self.kind = node.tag
        cls = device_class(node)
        self.summary = (cls(node).summary() if cls else node.tag)[:300]
        super().save(*args, **self._prepare_save(kwargs))
        self._saved()

    def clean(self):
        node = _parse_device(self.xml)
        if self.kind and node.tag != self.kind:
            raise ValidationError({"xml": f"a {self.kind} profile needs a <{self.kind}> element, not <{node.tag}>"})


def _fitting(value: int, largest: int) -> int | None:
    return value if 0 <= value <= largest else None


class DomainTemplate(Owned):
    """A whole guest: the domain XML without its devices, plus ordered device slots."""

    GUARDED = (*Owned.GUARDED, "published", "published_by", "published_at")

    name = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    xml = models.TextField(help_text="the domain XML with the devices taken out")
    # [{"name": "disk_path", "default": "/var/lib/libvirt/images/web.qcow2"}, ...]: ${name} in any value
    parameters = models.JSONField(default=list, blank=True)
    # The approved revision: rendering, download and the API use it; later edits are a draft.
    published = models.ForeignKey(
        "TemplateRevision", null=True, blank=True, related_name="+", on_delete=models.SET_NULL, editable=False
    )
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, related_name="+", on_delete=models.SET_NULL, editable=False
    )
    published_at = models.DateTimeField(null=True, blank=True, editable=False)
    domain_type = models.CharField(max_length=16, blank=True, editable=False)
    vcpus = models.PositiveIntegerField(null=True, editable=False)
    memory_kib = models.BigIntegerField(null=True, editable=False)

    class Meta(Owned.Meta):
        ordering = ["name", "id"]

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs):
        root = parse_xml(self.xml, settings.MAX_XML_BYTES, root_tag="domain")
        general, res = General(root), Resources(root)
        self.domain_type = general["domain_type"] or ""
        # Listing columns only: a count the XML does not give plainly, or no column could hold, is unknown.
        vcpu = res["vcpu"] or ""
        plain = vcpu.isascii() and vcpu.isdigit() and len(vcpu) <= 10
        self.vcpus = _fitting(int(vcpu), 2**31 - 1) if plain else None
        try:
            size = to_bytes(res["memory"], res["memory_unit"])
            self.memory_kib = _fitting(size // 1024, 2**63 - 1) if size is not None else None
        except (ValueError, IndexError):  # not a number (or over Python's 4,300 digits), or no such unit
            self.memory_kib = None
        super().save(*args, **self._prepare_save(kwargs))
        self._saved()

    def clean(self):
        try:
            parse_xml(self.xml, settings.MAX_XML_BYTES, root_tag="domain")
        except XMLInputError as e:
            raise ValidationError({"xml": str(e)}) from None


class DeviceSlot(models.Model):
    """A device of a template: linked to a profile (follows its changes) or holding its own XML."""

    template = models.ForeignKey(DomainTemplate, related_name="slots", on_delete=models.CASCADE)
    position = models.PositiveIntegerField()
    profile = models.ForeignKey(DeviceProfile, null=True, blank=True, related_name="slots", on_delete=models.PROTECT)
    xml = models.TextField(blank=True, help_text="the device XML when not linked to a profile")

    class Meta:
        ordering = ["template", "position"]
        constraints = [
            models.UniqueConstraint(fields=["template", "position"], name="one_slot_per_position"),
            models.CheckConstraint(
                condition=models.Q(profile__isnull=False) | ~models.Q(xml=""),
                name="slot_has_profile_or_xml",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.template} #{self.position}"

    @property
    def device_xml(self) -> str:
        return self.profile.xml if self.profile_id else self.xml

    def clean(self):
        if not self.profile_id:
            _parse_device(self.xml)

    def detach(self) -> None:
        """Keep the profile's current XML as this slot's own copy; later profile edits no longer apply."""
        if self.profile_id:
            self.xml = self.profile.xml
            self.profile = None
            self.save(update_fields=["xml", "profile"])


class TemplateRevision(models.Model):
    """One stored state of a template, made whenever a change stores it; never changed afterwards.

    `snapshot` is what restoring needs: {"xml": the template's own XML, "slots": [{"profile": id or
    null, "xml": own XML}], "parameters": [...]}; `rendered` is the whole domain as it was then.
    """

    template = models.ForeignKey(DomainTemplate, related_name="revisions", on_delete=models.CASCADE)
    number = models.PositiveIntegerField()
    author = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)
    created = models.DateTimeField(auto_now_add=True)
    message = models.CharField(max_length=500, blank=True)
    snapshot = models.JSONField()
    rendered = models.TextField()

    class Meta:
        ordering = ["template", "-number"]
        constraints = [models.UniqueConstraint(fields=["template", "number"], name="one_revision_per_number")]

    def __str__(self) -> str:
        return f"{self.template} r{self.number}"

    def save(self, *args, **kwargs):
        if self.pk is not None and not kwargs.get("force_insert"):
            raise ValueError("a revision is never changed once made")
        super().save(*args, **kwargs)


class ProfileRevision(models.Model):
    """One stored state of a device profile; never changed afterwards."""

    profile = models.ForeignKey(DeviceProfile, related_name="revisions", on_delete=models.CASCADE)
    number = models.PositiveIntegerField()
    author = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)
    created = models.DateTimeField(auto_now_add=True)
    message = models.CharField(max_length=500, blank=True)
    name = models.CharField(max_length=200)
    # None (not "") in revisions made before descriptions were kept: restoring one leaves the description as it is.
    description = models.TextField(null=True, blank=True)  # noqa: DJ001  (None: not known, "": none)
    xml = models.TextField()

    class Meta:
        ordering = ["profile", "-number"]
        constraints = [models.UniqueConstraint(fields=["profile", "number"], name="one_profile_revision_per_number")]

    def __str__(self) -> str:
        return f"{self.profile} r{self.number}"

    def save(self, *args, **kwargs):
        if self.pk is not None and not kwargs.get("force_insert"):
            raise ValueError("a revision is never changed once made")
        super().save(*args, **kwargs)
