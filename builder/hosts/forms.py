"""The host form (name, URI, teams, admins) and the policy form, for the app's host pages."""

from __future__ import annotations

from django import forms
from django.contrib.auth import get_user_model

from builder.library.models import Team

from .models import Host, HostPolicy


class HostForm(forms.ModelForm):
    class Meta:
        model = Host
        fields = ["name", "uri", "description", "teams", "admins"]
        widgets = {"teams": forms.CheckboxSelectMultiple, "admins": forms.SelectMultiple(attrs={"size": 6})}

    def __init__(self, *args, by_superuser: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["teams"].queryset = Team.objects.order_by("name")
        self.fields["admins"].queryset = get_user_model().objects.filter(is_active=True).order_by("username")
        if not by_superuser:  # a host's admins may not appoint others: superusers do
            del self.fields["admins"]


class PolicyForm(forms.ModelForm):
    class Meta:
        model = HostPolicy
        fields = [
            "trusted",
            "allowed_paths",
            "allow_passthrough",
            "allow_block_devices",
            "allow_host_devices",
            "allow_filesystem_passthrough",
            "allow_direct_network",
            "allow_host_chardevs",
            "max_vcpus",
            "max_memory_mib",
            "max_guests_per_team",
        ]
        widgets = {"allowed_paths": forms.Textarea(attrs={"rows": 3, "placeholder": "/srv/images\n/var/lib/isos"})}
