"""Coding stages (entities, countries, sectors, sentiment, stance, topics) live here."""
