"""Accounts: every page needs a logged-in user; the first visit to an empty installation makes the admin."""
