"""The record wizard's steps: one Kivy `Screen` per question, shown inside `screens.record.RecordScreen`.

Each step module has its .kv beside it. A step holds no state of its own: it reads the wizard's
`RecordFlow` in `refresh` and calls the wizard (`self.wizard`, the RecordScreen) when tapped.
"""
