"""What the person looking at a page may do with its object, for the buttons the page shows.

The views check the same rules again on every request (builder.library.access); this only
decides which buttons appear.
"""

from dataclasses import dataclass

from builder.library.access import Action, can, teams_to_share_with
from builder.library.models import Visibility


@dataclass(frozen=True)
class Rights:
    edit: bool
    publish: bool
    delete: bool
    share: bool


def rights(user, obj) -> Rights:
    return Rights(*(can(user, a, obj) for a in (Action.EDIT, Action.PUBLISH, Action.DELETE, Action.SHARE)))


def ownership(user, obj) -> dict:
    """What the ownership panel (editor/_ownership.html) needs."""
    return {
        "rights": rights(user, obj),
        "share_teams": teams_to_share_with(user),
        "visibilities": Visibility.choices,
    }
