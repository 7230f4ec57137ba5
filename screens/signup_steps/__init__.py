"""The sign-up wizard's steps: one widget per step, shown one at a time in the sign-up screen's body.

Each step widget only shows and collects; the rules live in `screens.signup_flow` and the moves in
`screens.signup.SignupScreen` (a step calls `screen.<action>()` from its kv bindings).
"""
