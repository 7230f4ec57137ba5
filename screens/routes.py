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
    # librarian mode (issue 6): every admin screen refuses a session that has not passed the PIN
    "admin_pin": "screens.admin_pin:AdminPinScreen",
    "admin_home": "screens.admin_home:AdminHomeScreen",
    "admin_enrol": "screens.admin_enrol:AdminEnrolScreen",
    "admin_lost_card": "screens.admin_lost_card:AdminLostCardScreen",
    "admin_listings": "screens.admin_listings:AdminListingsScreen",
    "admin_exchanges": "screens.admin_exchanges:AdminExchangesScreen",
    "admin_erase": "screens.admin_erase:AdminEraseScreen",
    "admin_sync": "screens.admin_sync:AdminSyncScreen",
    "admin_pair": "screens.admin_pair:AdminPairScreen",
    "admin_export": "screens.admin_export:AdminExportScreen",
    "admin_settings": "screens.admin_settings:AdminSettingsScreen",
    "admin_maintenance": "screens.admin_maintenance:AdminMaintenanceScreen",
    # workshops: scheduling and check-in are staff acts (admin session); the list is for every member
    "workshop_new": "screens.workshop_new:WorkshopNewScreen",
    "workshops": "screens.workshops:WorkshopsScreen",
    "checkin": "screens.checkin:CheckinScreen",
    # representatives and mediators (issue 8): members volunteer and stand; staff announce, freeze, draw;
    # the booth is an admin session where a librarian stays as assessor
    "civic": "screens.civic:CivicScreen",
    "draw_volunteer": "screens.draw_volunteer:DrawVolunteerScreen",
    "draw_result": "screens.draw_result:DrawResultScreen",
    "admin_draws": "screens.admin_draws:AdminDrawsScreen",
    "admin_elections": "screens.admin_elections:AdminElectionsScreen",
    "ballot_booth": "screens.ballot_booth:BallotBoothScreen",
    "election_result": "screens.election_result:ElectionResultScreen",
    "election_candidacy": "screens.election_candidacy:ElectionCandidacyScreen",
}

# Screens that start a fresh path: showing them forgets the "Retour" history.
ROOT_ROUTES = frozenset({"accueil", "member_home"})
