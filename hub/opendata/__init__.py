"""Open data of the hub (issue 9): CSV files after Etalab's conventions, a Frictionless Data Package and a
README, Licence Ouverte 2.0, with small cells suppressed so that nobody can be singled out."""
