"""pytest configuration shared by the unit tests and nbval.

nbval starts each notebook's kernel with this process's environment, so what
is set here reaches the notebooks too.
"""

import os

# Interactive explorers draw their static default figure, as in the committed
# outputs (see helpers/interactive.py), so nbval can compare them.
os.environ["BOOK_STATIC_WIDGETS"] = "1"
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
