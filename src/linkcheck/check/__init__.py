"""Checking: fetch each distinct URL once, politely, and judge what came back."""
