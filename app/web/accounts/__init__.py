"""Accounts over HTTP: sign-up, sign-in, the account page and the auth API."""
