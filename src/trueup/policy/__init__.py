"""Policy: check packs as data (``packs.py``, ``rules.py``, ``select.py``) and inline suppressions."""
