"""Kivy screens: one module and one .kv per screen. They call services, never hardware or the network."""
