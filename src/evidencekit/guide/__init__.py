"""Guided use: the advice checklist, the helpline directory and the step-by-step wizard."""
