"""Editions, their phases and dates, categories, judging rounds and criteria."""
