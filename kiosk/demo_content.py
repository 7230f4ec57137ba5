# ruff: noqa: E501  (data tables: one row per line reads better than wrapped rows)
"""What the demo collective is made of: people, their knowledge, listings, workshops (French, fictional).

Pure data, read by `kiosk.demo`. Phone numbers use the 06 39 98 range that ARCEP reserves for fiction,
e-mail addresses the exemple.org domain.
"""

from __future__ import annotations

from typing import NamedTuple


class DemoCard(NamedTuple):
    uid: bytes
    pseudonym: str
    label: str


# Tapped by the simulated reader; 4-byte UIDs never start with 0x08 (that would be a phone's random UID).
DEMO_CARDS: tuple[DemoCard, ...] = (
    DemoCard(bytes.fromhex("04A15C3E9B2D80"), "Sandrine", "Sandrine — bibliothécaire (carte admin)"),
    DemoCard(bytes.fromhex("3A5F1C02"), "Élodie", "Élodie — animatrice numérique"),
    DemoCard(bytes.fromhex("04C7D2E91A3B80"), "Mamadou", "Mamadou — médiateur élu"),
    DemoCard(bytes.fromhex("5B21E7A4"), "Karim", "Karim — vélo, arabe"),
    DemoCard(bytes.fromhex("0459AA3C7E2D81"), "Yvette", "Yvette, 82 ans — tricot, pâtisserie"),
    DemoCard(bytes.fromhex("C4E90B17"), "Inès", "Inès — anglais, maths"),
    DemoCard(bytes.fromhex("04F0136B92C580"), "Nguyen", "Nguyen — cuisine, semences"),
    DemoCard(bytes.fromhex("9D7E4F21"), "Fatoumata", "Fatoumata — couture (animatrice)"),
)
DEMO_REVOKED_CARD = DemoCard(bytes.fromhex("04112233445566"), "Karim", "Ancienne carte de Karim (perdue)")
DEMO_UNKNOWN_UID = bytes.fromhex("047A11CE5EED01")  # never enrolled: shows the sign-up path
DEMO_PHONE_UID = bytes.fromhex("08A1B2C3")  # a phone's random UID: refused

QUARTIERS = ("Les Hauts", "Centre-Gare", "Bords de Marne")
H, C, B = QUARTIERS


class Profile(NamedTuple):
    pseudonym: str
    quartier: str
    roles: str  # space-separated Role values beyond "member"
    languages: str
    gives: str  # sub-theme ids this person transmits
    wants: str  # sub-theme ids this person looks for (entraide.* = receives services)


PROFILES: tuple[Profile, ...] = (
    # The founders come first: they register on the first day (Sandrine enrols everyone's cards).
    Profile("Sandrine", C, "librarian", "fr en", "demarches.en-ligne numerique.ordinateur", "jardinage.balcon"),
    Profile("Hugo", H, "librarian animator", "fr es", "arts.photo numerique.securite", "cuisine.monde"),
    Profile("Élodie", C, "animator", "fr en", "numerique.smartphone numerique.ordinateur", "couture.machine"),
    Profile("Mamadou", H, "mediator", "fr wo bm", "cuisine.monde sport.danse langues.autres", "numerique.ordinateur"),
    Profile("Karim", H, "", "fr ar kab", "reparation.velo langues.arabe entraide.demenagement", "numerique.smartphone jardinage.potager"),
    Profile("Yvette", B, "", "fr", "couture.tricot cuisine.patisserie", "numerique.smartphone entraide.courses entraide.visites"),
    Profile("Inès", C, "", "fr en es", "langues.anglais sciences.maths", "reparation.velo cuisine.monde"),
    Profile("Nguyen", B, "", "fr vi", "cuisine.monde jardinage.semences langues.autres", "langues.francais demarches.en-ligne"),
    Profile("Fatoumata", H, "animator", "fr bm", "couture.machine couture.retouches", "numerique.ordinateur langues.anglais"),
    Profile("Lucas", C, "", "fr en", "reparation.velo numerique.programmation", "cuisine.patisserie langues.espagnol"),
    Profile("Jean-Pierre", B, "animator", "fr", "reparation.bois reparation.electricite", "numerique.smartphone"),
    Profile("Camille", C, "animator", "fr en", "ecologie.zero-dechet jardinage.compost", "couture.machine"),
    # Everyone else joins over the months.
    Profile("Josiane", B, "", "fr", "jardinage.potager sciences.histoire", "numerique.smartphone entraide.visites"),
    Profile("Aïcha", H, "", "fr ar", "cuisine.monde langues.arabe", "demarches.courrier numerique.ordinateur"),
    Profile("Samia", C, "", "fr ar en", "demarches.en-ligne demarches.budget", "sport.danse"),
    Profile("Théo", C, "", "fr en", "numerique.programmation numerique.impression3d", "cuisine.quotidien"),
    Profile("Mireille", B, "", "fr", "arts.chant couture.tricot", "numerique.securite"),
    Profile("Rachid", H, "", "fr ar", "reparation.electromenager sport.echecs", "langues.anglais"),
    Profile("Chloé", C, "", "fr en", "sante.relaxation arts.dessin", "reparation.velo"),
    Profile("Bintou", H, "", "fr bm", "cuisine.monde entraide.garde", "langues.francais demarches.logement"),
    Profile("Marcel", B, "", "fr", "sciences.histoire sport.echecs", "entraide.courses numerique.smartphone"),
    Profile("Léa", B, "", "fr en", "sciences.nature jardinage.compost", "arts.musique"),
    Profile("Youssef", H, "", "fr ar", "arts.musique langues.arabe", "demarches.en-ligne"),
    Profile("Monique", C, "", "fr", "cuisine.patisserie couture.retouches", "entraide.demenagement numerique.ordinateur"),
    Profile("Kevin", H, "", "fr", "sport.marche reparation.velo entraide.courses", "numerique.programmation"),
    Profile("Awa", H, "", "fr wo", "sport.danse cuisine.monde", "demarches.en-ligne langues.francais"),
    Profile("Gérard", B, "", "fr", "jardinage.potager reparation.bois", "entraide.visites numerique.smartphone"),
    Profile("Sofiane", C, "", "fr ar en", "numerique.ordinateur entraide.demenagement", "langues.espagnol"),
    Profile("Hélène", B, "", "fr de", "sante.premiers-secours langues.autres", "arts.photo"),
    Profile("Moussa", H, "", "fr snk", "sport.marche entraide.courses", "langues.francais"),
    Profile("Zoé", C, "", "fr en", "arts.theatre langues.anglais", "jardinage.balcon"),
    Profile("Ngoc Lan", B, "", "fr vi zh", "cuisine.quotidien couture.machine", "demarches.courrier"),
    Profile("Djamila", H, "", "fr kab", "cuisine.conserves sante.alimentation", "numerique.smartphone"),
    Profile("Antoine", B, "", "fr", "sciences.astronomie sciences.participatives", "reparation.electricite"),
    Profile("Simone", B, "", "fr it", "couture.tricot cuisine.quotidien", "entraide.visites entraide.courses numerique.smartphone"),
    Profile("Ibrahima", H, "", "fr ff", "reparation.electromenager entraide.demenagement", "langues.anglais"),
    Profile("Manon", C, "", "fr en", "sciences.maths arts.dessin", "sante.relaxation"),
    Profile("Farid", H, "", "fr ar", "ecologie.mobilite reparation.velo", "demarches.logement"),
    Profile("Odile", B, "", "fr", "arts.chant sante.relaxation", "entraide.visites numerique.ordinateur"),
    Profile("Rui", B, "", "fr pt", "reparation.electricite jardinage.potager", "langues.francais"),
    Profile("Priya", C, "", "fr en ta", "cuisine.monde langues.anglais", "jardinage.potager"),
    Profile("Stéphane", C, "", "fr", "ecologie.energie demarches.budget", "arts.musique"),
    Profile("Maëlle", B, "", "fr br", "sport.gym-douce sante.relaxation", "cuisine.conserves"),
    Profile("Dragana", H, "", "fr sr", "couture.retouches arts.dessin", "numerique.ordinateur"),
    Profile("Lucie", C, "", "fr lsf", "langues.signes arts.theatre", "ecologie.zero-dechet"),
    Profile("Amadou", H, "", "fr wo", "arts.musique sport.danse", "numerique.ordinateur"),
    Profile("Françoise", B, "", "fr", "entraide.visites demarches.courrier", "numerique.smartphone entraide.courses"),
    Profile("Jamel", H, "", "fr ar", "sport.echecs entraide.courses", "demarches.en-ligne"),
    Profile("Océane", C, "", "fr en", "ecologie.zero-dechet numerique.smartphone", "couture.retouches"),
    Profile("Wei", C, "", "fr zh", "numerique.ordinateur sciences.maths", "langues.francais"),
)  # fmt: skip
FOUNDERS = 12

# Only these people left contact details, each with a recorded consent.
CONTACTS = {
    "Sandrine": "sandrine.mjc@exemple.org",
    "Élodie": "elodie@exemple.org",
    "Mamadou": "06 39 98 12 34",
    "Josiane": "06 39 98 56 78",
    "Karim": "06 39 98 90 12",
    "Camille": "camille@exemple.org",
}
CONSENT_TEXT_VERSION = "2026-1"


class Entry(NamedTuple):
    theme_id: str
    kind: str  # "offer" (je propose) or "request" (je cherche)
    title: str
    description: str = ""
    workshop: bool = False


OFF, REQ = "offer", "request"
LISTINGS: tuple[Entry, ...] = (
    Entry("cuisine.quotidien", OFF, "Cuisiner de bons plats avec un petit budget", "Des recettes de saison pour quatre à moins de 10 €."),
    Entry("cuisine.quotidien", REQ, "Apprendre à cuisiner sans gluten", "Mon fils est intolérant, je cherche des idées simples."),
    Entry("cuisine.monde", OFF, "Mafé et yassa comme au Sénégal", "On cuisine ensemble puis on partage le repas.", True),
    Entry("cuisine.monde", OFF, "Rouleaux de printemps et nems maison"),
    Entry("cuisine.monde", OFF, "Couscous du vendredi, semoule roulée à la main"),
    Entry("cuisine.monde", REQ, "Découvrir la cuisine libanaise (mezzés)"),
    Entry("cuisine.patisserie", OFF, "Pain au levain : démarrer et entretenir son levain", "", True),
    Entry("cuisine.patisserie", OFF, "Tarte aux pommes de grand-mère", "La recette de ma mère, pâte brisée faite main."),
    Entry("cuisine.patisserie", REQ, "Réussir les macarons"),
    Entry("cuisine.conserves", OFF, "Confitures et compotes avec les invendus du marché"),
    Entry("cuisine.conserves", REQ, "Faire ses bocaux de légumes sans risque"),
    Entry("jardinage.potager", OFF, "Démarrer un potager en carré sur 2 m²"),
    Entry("jardinage.potager", REQ, "Conseils pour mes tomates qui noircissent"),
    Entry("jardinage.balcon", OFF, "Entretenir ses plantes d’intérieur"),
    Entry("jardinage.balcon", REQ, "Que planter sur un balcon plein nord ?"),
    Entry("jardinage.compost", OFF, "Installer un lombricomposteur en appartement", "", True),
    Entry("jardinage.semences", OFF, "Troc de graines et boutures au marché"),
    Entry("jardinage.semences", REQ, "Faire ses propres semences de tomates"),
    Entry("numerique.smartphone", REQ, "Apprendre à envoyer des photos à mes petits-enfants", "Sur mon téléphone Android, avec WhatsApp si possible."),
    Entry("numerique.smartphone", OFF, "Prise en main du smartphone Android", "Appels, contacts, photos, messages : pas à pas.", True),
    Entry("numerique.smartphone", REQ, "Faire une visio avec ma famille au Mali"),
    Entry("numerique.smartphone", OFF, "Utiliser les applis de transport (RATP, SNCF Connect)"),
    Entry("numerique.ordinateur", OFF, "Créer une adresse e-mail et bien la gérer"),
    Entry("numerique.ordinateur", REQ, "Taper mon CV sur ordinateur"),
    Entry("numerique.ordinateur", OFF, "Ranger ses photos et faire des sauvegardes"),
    Entry("numerique.securite", OFF, "Reconnaître les arnaques par SMS et e-mail", "", True),
    Entry("numerique.securite", REQ, "Choisir et retenir ses mots de passe"),
    Entry("numerique.programmation", OFF, "Initiation à Python pour les ados"),
    Entry("numerique.programmation", REQ, "Créer un petit site pour mon association"),
    Entry("numerique.impression3d", OFF, "Découvrir l’imprimante 3D du fablab"),
    Entry("langues.francais", OFF, "Conversation en français autour d’un café", "Tous niveaux, on parle de tout.", True),
    Entry("langues.francais", REQ, "Préparer l’examen du DELF A2"),
    Entry("langues.francais", OFF, "Aide à la lecture et à l’écriture"),
    Entry("langues.anglais", OFF, "Anglais pour voyager"),
    Entry("langues.anglais", REQ, "Pratiquer l’anglais pour un entretien d’embauche"),
    Entry("langues.arabe", OFF, "Conversation en arabe", "Arabe dialectal ou littéraire, selon l’envie."),
    Entry("langues.arabe", REQ, "Apprendre à lire l’alphabet arabe"),
    Entry("langues.espagnol", REQ, "Réviser l’espagnol avant un voyage à Séville"),
    Entry("langues.signes", OFF, "Les bases de la langue des signes (LSF)", "", True),
    Entry("langues.autres", OFF, "Initiation au wolof"),
    Entry("langues.autres", OFF, "Quelques mots de vietnamien pour le marché"),
    Entry("reparation.velo", OFF, "Réglage des freins de vélo", "Patins, câbles, freins à disque : venez avec votre vélo."),
    Entry("reparation.velo", OFF, "Réparer une crevaison"),
    Entry("reparation.velo", REQ, "Remettre en état un vieux vélo de course"),
    Entry("reparation.electromenager", OFF, "Réparer son grille-pain ou sa bouilloire", "", True),
    Entry("reparation.electromenager", REQ, "Mon aspirateur ne s’allume plus"),
    Entry("reparation.bois", OFF, "Fabriquer une jardinière en bois de palette"),
    Entry("reparation.bois", REQ, "Poser des étagères bien droites"),
    Entry("reparation.electricite", OFF, "Changer un joint de robinet qui fuit"),
    Entry("reparation.electricite", REQ, "Remplacer une prise électrique en sécurité"),
    Entry("couture.retouches", OFF, "Faire un ourlet de pantalon"),
    Entry("couture.retouches", REQ, "Recoudre une fermeture éclair"),
    Entry("couture.machine", OFF, "Bien débuter avec sa machine à coudre", "", True),
    Entry("couture.tricot", OFF, "Tricot pour débutants : une écharpe au point mousse"),
    Entry("couture.tricot", REQ, "Apprendre le crochet"),
    Entry("sante.premiers-secours", OFF, "Les gestes qui sauvent", "", True),
    Entry("sante.relaxation", OFF, "Yoga doux sur chaise"),
    Entry("sante.relaxation", REQ, "Des techniques de respiration contre le stress"),
    Entry("sante.alimentation", OFF, "Lire les étiquettes au supermarché"),
    Entry("arts.musique", OFF, "Premiers accords de guitare"),
    Entry("arts.musique", REQ, "Apprendre le djembé"),
    Entry("arts.chant", OFF, "Chorale du quartier : chants du monde", "", True),
    Entry("arts.dessin", OFF, "Croquis urbain dans le quartier"),
    Entry("arts.dessin", REQ, "Aquarelle pour débutants"),
    Entry("arts.photo", OFF, "Faire de belles photos avec son téléphone"),
    Entry("arts.theatre", OFF, "Contes pour les enfants", "", True),
    Entry("demarches.en-ligne", OFF, "Faire sa déclaration d’impôts en ligne"),
    Entry("demarches.en-ligne", REQ, "Créer mes comptes Ameli et CAF"),
    Entry("demarches.en-ligne", OFF, "Prendre rendez-vous à la préfecture en ligne"),
    Entry("demarches.courrier", REQ, "Répondre à un courrier du bailleur"),
    Entry("demarches.courrier", OFF, "Écrire une lettre de réclamation"),
    Entry("demarches.budget", REQ, "Comprendre ma facture d’électricité"),
    Entry("demarches.logement", REQ, "Monter un dossier de logement social"),
    Entry("sport.marche", OFF, "Marche nordique le long de la Marne"),
    Entry("sport.danse", OFF, "Danse africaine, tous niveaux", "", True),
    Entry("sport.danse", REQ, "Apprendre la salsa"),
    Entry("sport.gym-douce", OFF, "Gym douce pour les seniors"),
    Entry("sport.echecs", OFF, "Échecs : apprendre les ouvertures"),
    Entry("sciences.maths", OFF, "Aide aux devoirs de maths (collège)"),
    Entry("sciences.maths", REQ, "Soutien en physique-chimie niveau lycée"),
    Entry("sciences.nature", OFF, "Reconnaître les oiseaux des bords de Marne"),
    Entry("sciences.astronomie", OFF, "Observer la Lune et les planètes au télescope"),
    Entry("sciences.histoire", OFF, "L’histoire de la cité des Hauts racontée"),
    Entry("sciences.histoire", REQ, "Retrouver des photos anciennes du quartier de la gare"),
    Entry("entraide.courses", REQ, "Quelqu’un pour m’accompagner au marché le samedi"),
    Entry("entraide.visites", REQ, "Une visite de temps en temps pour discuter"),
    Entry("entraide.demenagement", REQ, "Un coup de main pour monter des meubles"),
    Entry("ecologie.energie", OFF, "Réduire sa facture de chauffage"),
    Entry("ecologie.zero-dechet", OFF, "Fabriquer sa lessive et ses produits ménagers", "", True),
    Entry("ecologie.mobilite", REQ, "Apprendre à faire du vélo à 40 ans"),
)  # fmt: skip

# Services rendered (mostly to elderly people), by sub-theme.
SERVICES: dict[str, tuple[str, ...]] = {
    "entraide.courses": (
        "Courses au marché",
        "Accompagnement à la pharmacie",
        "Porter les courses à l’étage",
    ),
    "entraide.visites": (
        "Visite et lecture du journal",
        "Après-midi belote",
        "Promenade au bord de la Marne",
    ),
    "entraide.demenagement": (
        "Montage d’une armoire",
        "Changer une ampoule au plafond",
        "Descendre un vieux canapé",
    ),
    "entraide.garde": ("Garde des enfants le mercredi après-midi",),
}

PLACES = (
    "MJC des Hauts — salle 2",
    "Médiathèque Centre-Gare",
    "Maison de quartier des Bords de Marne",
    "Marché de la Gare — stand du collectif",
    "Jardin partagé des Bords de Marne",
)

# Passers-by at the market who joined a workshop without a card.
GUESTS = ("Sophie", "Ahmed", "Julie", "Bakary", "Nathalie", "Mehdi", "Chantal", "Samir")


class Upcoming(NamedTuple):
    theme_id: str
    title: str
    in_days: int
    hour: int
    duration_min: int
    capacity: int
    registrations: int  # more than capacity → a waiting list


UPCOMING: tuple[Upcoming, ...] = (
    Upcoming("numerique.smartphone", "Atelier smartphone : envoyer photos et messages", 3, 14, 120, 8, 11),
    Upcoming("reparation.electromenager", "Repair café : petit électroménager", 5, 10, 180, 12, 9),
    Upcoming("cuisine.monde", "Cuisine du monde : mafé et bissap", 9, 17, 150, 14, 10),
    Upcoming("langues.francais", "Conversation en français autour d’un café", 12, 10, 90, 15, 7),
    Upcoming("numerique.securite", "Déjouer les arnaques en ligne", 16, 14, 90, 12, 6),
    Upcoming("jardinage.semences", "Troc de graines et boutures", 23, 10, 120, 20, 12),
)
