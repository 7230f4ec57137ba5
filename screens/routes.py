"""Which screen answers which route: route name → "module:Class".

The shell imports a screen's module the first time the route is shown (so the kiosk starts fast and a
screen that is never opened costs nothing) and keeps the screen afterwards. Route names are the ones
screens pass to `shell.go(...)`; see screens/base.py for the contract every screen follows.
"""

from __future__ import annotations

ROUTES: dict[str, str] = {
    "accueil": "screens.accueil:AccueilScreen",
    "member_home": "screens.member_home:MemberHomeScreen",
    "record": "screens.record:RecordScreen",
    "receipt": "screens.receipt:ReceiptScreen",
    "board": "screens.board:BoardScreen",
    "listing": "screens.listing:ListingScreen",
    "listing_new": "screens.listing_new:ListingNewScreen",
    "signup": "screens.signup:SignupScreen",
    "member_pass": "screens.member_pass:MemberPassScreen",
}

# Screens that start a fresh path: showing them forgets the "Retour" history.
ROOT_ROUTES = frozenset({"accueil", "member_home"})
