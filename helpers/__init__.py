"""helpers: the from-scratch code and utilities of the book
"The Mathematical Building Blocks of Neural Networks".

One module per topic; each docstring names the chapter that introduces it.
Import the modules you need, e.g. ``from helpers.data import load_mnist``.
"""

from helpers.data import MNISTError, load_mnist
from helpers.notebook import ClaimError, check_claim, import_keras, seed_everything

__all__ = ["ClaimError", "MNISTError", "check_claim", "import_keras", "load_mnist",
           "seed_everything"]
__version__ = "0.1.0"
