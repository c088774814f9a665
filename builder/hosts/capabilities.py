"""What a host can run, from its libvirt capabilities, and the parts of a domain it cannot.

The names the rest of the app imports, gathered here: parsing is in host_offer (`offer()`, the
Offer it returns, `parser()`), the checks in offer_checks (`host_problems()`), the editor's
values in host_choices (`choices()`).
"""

from __future__ import annotations

from .host_choices import choices
from .host_offer import DomainCaps, Guest, GuestDomain, Machine, Offer, offer, parser
from .offer_checks import host_problems

__all__ = ["DomainCaps", "Guest", "GuestDomain", "Machine", "Offer", "choices", "host_problems", "offer", "parser"]
