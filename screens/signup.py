"""Sign-up for passers-by (route "signup"): welcome → pseudonym → quartier → languages → contact consent →
(contact) → summary → « Je m'inscris » → their member pass (route "member_pass").

The screen is a frame — « Retour » and « Annuler » always in the same places, the step's title and « Étape
n sur N » — around the current step's widget (screens/signup_steps/). The rules are in
`screens.signup_flow` (plain Python, unit-tested); this module only moves between steps and calls the
services. A person who walks away leaves nothing behind: `wipe` forgets every entry.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from kivy.lang import Builder
from kivy.properties import NumericProperty, ObjectProperty, StringProperty

from kiosk.errors import KioskError
from kiosk.quartiers import load_quartiers
from screens.base import KioskScreen
from screens.signup_flow import SignupFlow, Step, complete_signup, pseudonym_in_use
from screens.signup_steps.base import SignupStep
from screens.signup_steps.choices import LanguagesStep, QuartierStep
from screens.signup_steps.forms import ContactStep, PseudonymStep
from screens.signup_steps.pages import ConsentStep, SignupSummaryStep, WelcomeStep
from screens.widgets import buttons, text  # noqa: F401  (the kv rules use their classes)

STEP_WIDGETS: dict[Step, type[SignupStep]] = {
    Step.WELCOME: WelcomeStep,
    Step.PSEUDONYM: PseudonymStep,
    Step.QUARTIER: QuartierStep,
    Step.LANGUAGES: LanguagesStep,
    Step.CONSENT: ConsentStep,
    Step.CONTACT: ContactStep,
    Step.SUMMARY: SignupSummaryStep,
}

KV_FILE = str(Path(__file__).with_suffix(".kv"))
if KV_FILE not in Builder.files:
    Builder.load_file(KV_FILE)


class SignupScreen(KioskScreen):
    current_step = ObjectProperty(None, allownone=True, rebind=True)  # kv reads current_step.title
    step_number = NumericProperty(0)  # 0 on the welcome: no « Étape n sur N » there
    step_total = NumericProperty(0)
    problem_text = StringProperty("")  # what is wrong with the step's entry, translated

    def __init__(self, **kwargs: Any) -> None:
        self.flow = SignupFlow()
        self._steps: dict[Step, SignupStep] = {}
        super().__init__(**kwargs)

    # --- the shell's calls ----------------------------------------------------------------------------

    def prepare(self, **_params: Any) -> None:
        """Every visit starts afresh: the last person's entries are never shown to the next one."""
        self.wipe()

    def wipe(self) -> None:
        for step in self._steps.values():
            step.wipe()
        self.flow = SignupFlow()
        self._show()

    def refresh_language(self) -> None:
        for step in self._steps.values():
            step.refresh_language()
        self._show_problem()

    # --- moving ---------------------------------------------------------------------------------------

    def go_back(self) -> None:
        if self.current_step is not None:
            self.current_step.keep_draft(self.flow)
        if self.flow.back():
            self._show()
        else:
            self.shell.back()

    def cancel(self) -> None:
        self.wipe()
        self.shell.home()

    def start(self) -> None:
        self.flow.start()
        self._show()

    def submit_pseudonym(self, typed: str) -> None:
        self.flow.submit_pseudonym(typed, lambda name: pseudonym_in_use(self.ctx.services, name))
        self._show()

    def choose_quartier(self, selected: list[str]) -> None:
        self.flow.choose_quartier(selected[0] if selected else "")
        self._show_problem()

    def submit_quartier(self) -> None:
        self.flow.submit_quartier()
        self._show()

    def choose_languages(self, selected: list[str]) -> None:
        self.flow.choose_languages(list(selected))
        self._show_problem()

    def submit_languages(self) -> None:
        self.flow.submit_languages()
        self._show()

    def answer_consent(self, agreed: bool) -> None:
        self.flow.answer_consent(agreed, self.ctx.clock.now().isoformat())
        self._show()

    def submit_contact(self, typed: str) -> None:
        self.flow.submit_contact(typed)
        self._show()

    def register(self) -> None:
        try:
            member, pass_text = complete_signup(self.ctx.services, self.flow)
        except KioskError as error:
            if self.flow.step is Step.PSEUDONYM:  # taken meanwhile: the reason shows on that step
                self._show()
            else:
                self.shell.notify(error.text(), "error")
            return
        self.ctx.after_write()
        self.wipe()  # the next person starts from the welcome
        self.shell.go("member_pass", member_id=member.id, pass_text=pass_text)

    # --- showing --------------------------------------------------------------------------------------

    def _step_widget(self, step: Step) -> SignupStep:
        if step not in self._steps:
            widget = STEP_WIDGETS[step](screen=self)
            if isinstance(widget, QuartierStep):
                widget.quartiers = load_quartiers(self.ctx.config)
            self._steps[step] = widget
        return self._steps[step]

    def _show(self) -> None:
        step = self._step_widget(self.flow.step)
        body = self.ids.body
        if self.current_step is not step:
            body.clear_widgets()
            body.add_widget(step)
            self.current_step = step
        step.load(self.flow)
        self.step_number, self.step_total = self.flow.position
        self._show_problem()

    def _show_problem(self) -> None:
        self.problem_text = self.flow.problem.text() if self.flow.problem is not None else ""
