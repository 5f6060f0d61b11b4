"""Experiments that produce evidence runs (optional extra: `pip install 'kb[experiments]'`).

Modules under this package may import torch and numpy; nothing outside it does, so the core of
kb installs and runs without them.
"""

import os

# The experiments' linear algebra is on matrices of a few hundred rows, where OpenBLAS's worker
# threads cost more than they save; on a loaded two-core machine they made the scoring 25 times
# slower. One BLAS thread, unless the user chose otherwise. (Takes effect only if numpy is
# imported after this package, as it is by `kb experiment`.)
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
