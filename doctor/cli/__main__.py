"""``python -m doctor.cli``: the same as the ``sse-doctor`` command."""

import sys

from doctor.cli import main

sys.exit(main())
