"""What the user's copies of the Domain XML spec say about each element and attribute."""

from django.db import models

from builder.specpage import entries


class DocEntry(models.Model):
    """One entry of builder.specpage.entries, from one copy of the spec (see import_spec_docs)."""

    class Source(models.TextChoices):
        LIBVIRT = entries.MODERN, "libvirt's own copy of the spec"
        SPEC_2008 = entries.LEGACY, "the 2008 spec"

    source = models.CharField(max_length=16, choices=Source.choices)
    section = models.CharField(max_length=500, help_text="anchors of the enclosing sections, outermost first")
    parent = models.CharField(max_length=100, blank=True, help_text="the element that carries it, when known")
    name = models.CharField(max_length=100)
    kind = models.CharField(max_length=8, choices=[(k, k) for k in entries.KINDS])
    text = models.TextField()
    since = models.CharField(max_length=40, blank=True)
    anchor = models.CharField(max_length=200, help_text="id of the section on the page")
    position = models.PositiveIntegerField(help_text="order on the page")
    scope = models.CharField(
        max_length=200,
        blank=True,
        default="",
        help_text="the attribute values its subsection is about, e.g. type=mcast",
    )

    class Meta:
        ordering = ["source", "position"]
        indexes = [models.Index(fields=["source", "name", "parent"])]
        verbose_name_plural = "doc entries"

    def __str__(self):
        return f"{self.parent}/{self.name}" if self.parent else self.name
