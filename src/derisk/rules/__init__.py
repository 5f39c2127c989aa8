"""Rules as data: rule packs and their evaluators."""
