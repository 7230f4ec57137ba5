"""The scripted visit of the memory figure: what members and passers-by do at the kiosk, over and over.

Each interaction is one real input: a touch down and up at the actual widget's window position, through
Kivy's event loop as a touchscreen's (the whole widget tree, overlays included), a key of the on-screen
keyboard, or a demo card on the demo's simulated reader (the app's EventPump turns it into the shell call,
as in `kiosk run --demo`). The touch is bench/ui_touch.py's `finger`: what Kivy's `UnitTestTouch` does,
without importing pytest with it (~13 MB the kiosk never loads, which the memory figure must not count).
Three rounds repeat, each starting and ending on Accueil:

1. a member taps their card → the savoirs board → a theme → a listing (its QR) → back → back → « Terminer »;
2. a member records an exchange: « J'ai transmis » → one of their listings, or theme → sub-theme → title →
   the partner taps their card → 1 h → « Enregistrer » → the receipt → « Terminer »;
3. a passer-by wakes Accueil, switches to English, browses a listing, back in French, signs up (pseudonym
   typed key by key, quartier, language, no contact) → their pass → their home → « Terminer ».

Steps whose screen has no route yet (screens/routes.py) are skipped, not failed. A step whose widget is not
there, or that does not lead where it should, is a miss (the script no longer matches the screens), or a
breakage when the app raised meanwhile (a kiosk bug, recovered by its RecoveryHandler): the round stops,
the session is ended (as the inactivity timer would) and the next round starts. Misses, breakages and
skips are reported with the figures.
"""

from __future__ import annotations

import string
from collections import Counter
from collections.abc import Callable, Generator, Iterator, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from bench.ui_touch import finger

if TYPE_CHECKING:
    from bench.ui_driver import Kiosk

# A script yields how long to wait: seconds, or a condition polled once a frame (True once it holds, False
# after bench.ui_driver.WAIT_LIMIT seconds); the condition's outcome is sent back into the script.
Wait = float | Callable[[], bool]
Script = Generator[Wait, bool | None, None]
PAUSE = 0.05  # seconds after each interaction, then at least SETTLE_FRAMES frames: laid out and drawn
SETTLE_FRAMES = 2
CARD_HOLD = 0.15


@dataclass(frozen=True)
class Step:
    """One interaction: touch what `target()` finds (or tap demo card `card`), then `expect()` holds."""

    name: str
    target: Callable[[], Any] | None = None
    expect: Callable[[], bool] | None = None
    needs: tuple[str, ...] = ()  # routes the step goes to or through
    card: int | None = None


class VisitScript:
    def __init__(
        self, kiosk: Kiosk, count: int, checkpoints: Sequence[int], on_checkpoint: Callable[[int], None]
    ) -> None:
        self.kiosk = kiosk
        self.count = count
        self.checkpoints = set(checkpoints)
        self.on_checkpoint = on_checkpoint
        self.done = 0
        self.round = 0
        self.kinds: Counter[str] = Counter()
        self.skipped: Counter[str] = Counter()  # steps skipped, by the missing route
        self.misses: list[str] = []
        self.errors: list[str] = []  # raised by the app during a touch (the kiosk recovered from each)
        self.broken: list[str] = []  # steps that failed because the app raised

    @property
    def shell(self) -> Any:
        return self.kiosk.shell

    def summary(self) -> dict[str, Any]:
        return {
            "interactions": self.done,
            "rounds": self.round,
            "kinds": dict(self.kinds),
            "skipped": dict(self.skipped),
            "misses": self.misses,
            "errors": self.errors,
            "broken": self.broken,
            "routes": sorted(self.shell.routes),
        }

    # --- playing ------------------------------------------------------------------------------------

    def run(self) -> Script:
        rounds = (self.member_and_board, self.record_exchange, self.passer_by)
        while self.done < self.count:
            before = self.done
            for steps in rounds:
                yield from self.play(steps())
                if self.done >= self.count:
                    return
            self.round += 1
            if self.done == before:
                raise RuntimeError(f"a whole round without one interaction: {self.summary()}")

    def play(self, steps: Iterator[Step]) -> Script:
        for step in steps:
            if self.done >= self.count:
                return
            missing = [route for route in step.needs if route not in self.shell.routes]
            if missing:
                self.skipped[missing[0]] += 1  # by route: what the lead has not wired yet
                continue
            errors = len(self.errors)
            ok = yield from self.perform(step)
            if not ok:
                where = f"{step.name} (écran {self.shell.manager.current})"
                # the app failed (a kiosk bug), or the script no longer matches the screens (a bench bug)
                (self.broken if len(self.errors) > errors else self.misses).append(where)
                self.shell.end_session()
                yield PAUSE
                return
            self.done += 1
            if self.done in self.checkpoints:
                self.on_checkpoint(self.done)
        if self.shell.session.active:  # a round whose last steps were skipped
            self.shell.end_session()
            yield PAUSE

    def perform(self, step: Step) -> Generator[Wait, bool | None, bool]:
        if self.shell.overlays.message is not None:  # a calm message: a touch beside it closes it
            self.touch_at(4, 4)
            self.kinds["message fermé"] += 1
            yield PAUSE
        if step.card is not None:
            self.kiosk.tap_card(step.card)
            yield CARD_HOLD
            self.kiosk.lift_card()
            yield self.kiosk.card_handled
            self.kinds["carte"] += 1
        else:
            assert step.target is not None
            target = step.target
            found = yield lambda: _touchable(target())
            if not found:
                return False
            widget = target()
            self.touch_at(*widget.to_window(widget.center_x, widget.center_y))
            self.kinds["clavier" if type(widget).__name__ == "KeyboardKey" else "toucher"] += 1
        if step.expect is not None:
            reached = yield step.expect
            if not reached:
                return False
        yield PAUSE
        yield frames(SETTLE_FRAMES)  # however slow the machine: the next target is where it is drawn
        return True

    def touch_at(self, x: float, y: float) -> None:
        """A finger down and up. An error in the app goes to Kivy's ExceptionManager, as in the main loop:
        the kiosk's RecoveryHandler takes it back to Accueil, and the visit notes it and goes on."""
        from kivy.base import ExceptionManager

        touch = finger(x, y)
        try:
            touch.touch_down()
            touch.touch_up()
        except Exception as error:
            self.errors.append(f"{type(error).__name__}: {error}"[:400])
            if ExceptionManager.handle_exception(error) == ExceptionManager.RAISE:
                raise

    # --- finding widgets on the screen shown ----------------------------------------------------------

    def screen(self) -> Any:
        return self.shell.manager.current_screen

    def on(self, *names: str) -> Callable[[], bool]:
        return lambda: self.shell.manager.current in names

    def screen_id(self, name: str) -> Callable[[], Any]:
        return lambda: self.screen().ids.get(name)

    def wizard_step(self) -> Any:
        screen = self.screen()
        steps = screen.ids.get("steps") if screen.name == "record" else None
        return steps.current_screen if steps is not None else None

    def wizard_id(self, name: str) -> Callable[[], Any]:
        return lambda: _ids(self.wizard_step()).get(name)

    def on_wizard(self, *names: str) -> Callable[[], bool]:
        return lambda: (step := self.wizard_step()) is not None and step.name in names

    def signup_step(self) -> Any:
        return getattr(self.screen(), "current_step", None)

    def signup_id(self, name: str) -> Callable[[], Any]:
        return lambda: _ids(self.signup_step()).get(name)

    def on_signup(self, step: str) -> Callable[[], bool]:
        """The sign-up flow is at that step (a screens.signup_flow.Step value)."""

        def at_step() -> bool:
            flow = getattr(self.screen(), "flow", None)
            return flow is not None and str(flow.step) == step and self.signup_step() is not None

        return at_step

    def nth(self, class_name: str, n: int, under: Callable[[], Any] | None = None) -> Callable[[], Any]:
        """The n-th (modulo) widget of that class on show: rounds visit different listings and themes."""

        def find() -> Any:
            root = under() if under is not None else self.screen()
            if root is None:
                return None
            found = [w for w in root.walk(restrict=True) if _is(w, class_name) and _touchable(w)]
            return found[n % len(found)] if found else None

        return find

    def key(self, action: str, value: str = "") -> Callable[[], Any]:
        def find() -> Any:
            keyboard = _ids(self.signup_step()).get("keyboard")
            for key in keyboard.visible_keys() if keyboard is not None else ():
                if key.spec.action == action and (not value or key.spec.value == value):
                    return key
            return None

        return find

    # --- the three rounds -------------------------------------------------------------------------------

    def member_and_board(self) -> Iterator[Step]:
        n = self.round
        yield Step("carte d’un membre", card=n, expect=self.on("member_home"), needs=("member_home",))
        yield from self.browse(n, home="member_home")
        yield Step(
            "Terminer", self.screen_id("finish_button"), expect=self.on("accueil"), needs=("member_home",)
        )

    def browse(self, n: int, home: str) -> Iterator[Step]:
        yield Step(
            "le tableau des savoirs",
            self.screen_id("board_button"),
            expect=self.on("board"),
            needs=("board",),
        )
        yield Step("un thème", self.nth("BoardThemeButton", n), expect=self._cards_shown, needs=("board",))
        yield Step(
            "une annonce", self.nth("BoardListingCard", n), expect=self.on("listing"), needs=("listing",)
        )
        yield Step("Retour (annonce)", self.screen_id("back"), expect=self.on("board"), needs=("listing",))
        yield Step("Retour (tableau)", self.screen_id("back"), expect=self.on(home), needs=("board",))

    def _cards_shown(self) -> bool:
        return self.nth("BoardListingCard", 0)() is not None

    def record_exchange(self) -> Iterator[Step]:
        n, record = self.round, ("record",)
        yield Step("carte d’un membre", card=n + 1, expect=self.on("member_home"), needs=("member_home",))
        yield Step(
            "J’enregistre un échange", self.screen_id("record_button"), self.on("record"), needs=record
        )
        yield Step(
            "J’ai transmis", self.wizard_id("taught"), self.on_wizard("listing", "theme"), needs=record
        )
        mine = self.nth("BigButton", n, self.wizard_id("listings"))
        if self.on_wizard("listing")() and mine() is not None:
            yield Step("une de mes annonces", mine, self.on_wizard("partners"), needs=record)
        elif self.on_wizard("listing", "theme")():
            if self.on_wizard("listing")():
                yield Step(
                    "Autre chose", self.wizard_id("other_theme"), self.on_wizard("theme"), needs=record
                )
            theme, subtheme = self.wizard_id("themes"), self.wizard_id("subthemes")
            yield Step("un thème", self.nth("Chip", n, theme), self.on_wizard("subtheme"), needs=record)
            yield Step("un sous-thème", self.nth("Chip", 0, subtheme), self.on_wizard("title"), needs=record)
            yield Step(
                "Continuer (titre)", self.wizard_id("next_button"), self.on_wizard("partners"), needs=record
            )
        if self.on_wizard("partners")():
            yield Step("carte du partenaire", card=n + 2, expect=self.on_wizard("duration"), needs=record)
            yield Step("1 h", self.wizard_id("quick_2"), expect=self.on_wizard("summary"), needs=record)
            yield Step("Enregistrer", self.wizard_id("save_button"), self.on("receipt"), needs=("receipt",))
            yield Step(
                "Terminé (reçu)",
                self.screen_id("done_button"),
                self.on("member_home", "accueil"),
                needs=("receipt",),
            )
        if self.shell.manager.current == "member_home":
            yield Step("Terminer", self.screen_id("finish_button"), expect=self.on("accueil"))

    def passer_by(self) -> Iterator[Step]:
        n = self.round
        accueil = ("accueil",)
        yield Step("toucher l’accueil", self.screen_id("middle"), expect=self._awake, needs=accueil)
        yield Step("English", self.screen_id("language_button"), expect=self._language("en"), needs=accueil)
        yield from self.browse(n, home="accueil")
        yield Step("Français", self.screen_id("language_button"), expect=self._language("fr"), needs=accueil)
        if not self._awake():
            yield Step("toucher l’accueil", self.screen_id("middle"), expect=self._awake, needs=accueil)
        signup = ("signup",)
        yield Step("S’inscrire", self.screen_id("signup_button"), expect=self.on("signup"), needs=signup)
        yield Step("Commencer", self.signup_id("start_button"), self.on_signup("pseudonym"), needs=signup)
        for char in pseudonym(n):
            yield Step(f"touche {char}", self.key("char", char), needs=signup)
        yield Step("Suivant (pseudonyme)", self.key("enter"), self.on_signup("quartier"), needs=signup)
        yield Step("un quartier", self.nth("Chip", n, self.signup_id("chips")), needs=signup)
        yield Step(
            "Suivant (quartier)", self.signup_id("next_button"), self.on_signup("languages"), needs=signup
        )
        # not the first chip: French is chosen beforehand, and touching it would leave no language
        yield Step("une langue", self.nth("Chip", 1 + n % 3, self.signup_id("chips")), needs=signup)
        yield Step(
            "Suivant (langues)", self.signup_id("next_button"), self.on_signup("consent"), needs=signup
        )
        yield Step("Non, merci", self.signup_id("no_button"), self.on_signup("summary"), needs=signup)
        pass_shown = self.on("member_pass")
        yield Step(
            "Je m’inscris", self.signup_id("register_button"), pass_shown, needs=("signup", "member_pass")
        )
        home = self.on("member_home")
        yield Step(
            "Continuer (pass)", self.screen_id("continue_button"), home, needs=("member_pass", "member_home")
        )
        if self.shell.manager.current == "member_home":
            yield Step("Terminer", self.screen_id("finish_button"), expect=self.on("accueil"))

    def _awake(self) -> bool:
        screen = self.screen()
        return screen.name == "accueil" and not getattr(screen, "at_rest", True)

    @staticmethod
    def _language(language: str) -> Callable[[], bool]:
        from screens.tr import tr

        return lambda: tr.language == language


def frames(count: int) -> Callable[[], bool]:
    """A wait that holds once `count` frames have passed (the runner polls a condition once a frame)."""
    polls = 0

    def passed() -> bool:
        nonlocal polls
        polls += 1
        return polls > count

    return passed


def pseudonym(n: int) -> str:
    """A new pseudonym each round, typed in lower case (« zoaa », « zoab »…), none of the demo's."""
    letters = string.ascii_lowercase
    return "zo" + letters[n // 26 % 26] + letters[n % 26]


def _ids(widget: Any) -> dict[str, Any]:
    return getattr(widget, "ids", None) or {}


def _is(widget: Any, class_name: str) -> bool:
    return any(cls.__name__ == class_name for cls in type(widget).__mro__)


def _touchable(widget: Any) -> bool:
    """On show, enabled, and its centre inside the window and inside every scrolling list around it."""
    if widget is None or getattr(widget, "disabled", False) or widget.get_root_window() is None:
        return False
    x, y = widget.to_window(widget.center_x, widget.center_y)
    window = widget.get_root_window()
    if not (0 <= x < window.width and 0 <= y < window.height):
        return False
    node = widget
    while node.parent is not None and node.parent is not node:
        if getattr(node, "opacity", 1) == 0:
            return False
        parent = node.parent
        if _is(parent, "ScrollView"):
            left, bottom = parent.to_window(parent.x, parent.y)
            if not (left <= x <= left + parent.width and bottom <= y <= bottom + parent.height):
                return False
        node = parent
    return True
