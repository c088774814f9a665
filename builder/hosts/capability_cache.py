"""What each host can run, asked once and kept until someone refreshes it."""

from __future__ import annotations

from lxml import etree

from builder.domainxml.validate import Problem

from .client import HostError, call
from .host_offer import Offer, offer
from .models import Host, HostCapabilities
from .offer_checks import host_problems


def refresh(host: Host) -> HostCapabilities:
    """Ask the host again; a failure is kept as the error, with the last good answer."""
    cache, _ = HostCapabilities.objects.get_or_create(host=host)
    try:
        answer = call(host, "capabilities")
        pools = call(host, "pools")
    except HostError as e:
        cache.error = str(e)
    else:
        cache.capabilities, cache.domain_capabilities, cache.error = answer["capabilities"], answer["domain"], ""
        cache.pools = pools
    cache.save()
    return cache


def refresh_pools(host: Host) -> dict[str, str]:
    """The host's pools asked now (a push judges paths by them), kept in the cache for the editor."""
    pools = call(host, "pools")
    cache, _ = HostCapabilities.objects.get_or_create(host=host)
    cache.pools = pools
    cache.save(update_fields=["pools", "fetched"])
    return pools


def offer_for(host: Host, fetch: bool = True) -> Offer | None:
    """The host's offer from the cache (asked first if never asked and `fetch`); None when unknown."""
    cache = HostCapabilities.objects.filter(host=host).first()
    if cache is None and fetch:
        cache = refresh(host)
    if cache is None or not cache.capabilities:
        return None
    return offer(cache.capabilities, cache.domain_capabilities)


def host_check(host: Host, root: etree._Element, fetch: bool = True) -> list[Problem] | None:
    """What in this domain the host cannot run; None when the host's capabilities are unknown
    (`fetch`: ask the host if it was never asked; the live preview does not, to stay fast)."""
    found = offer_for(host, fetch=fetch)
    return None if found is None else host_problems(root, found)
