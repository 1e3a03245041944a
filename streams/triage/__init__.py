"""Triage: what a message is (category, language), personal data, moderation and escalation."""
