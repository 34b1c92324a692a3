"""One person across every source: match keys (`normalise.py`), an index of people kept beside
the mirror's tables (`index.py`, its own migrations), the merged profile (`profile.py`) and
erasure requests across sources (`erasure.py`)."""
