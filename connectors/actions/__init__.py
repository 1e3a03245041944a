"""Carrying out actions on the platforms (``innboks.actions``): the executor and its loop."""
