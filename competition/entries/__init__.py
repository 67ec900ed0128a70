"""Companies, entries, custom questions, attachments, submission rules and eligibility."""
