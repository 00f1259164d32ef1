"""fit_errors.py: a check shared by the groklab.fit tests of e2e_python.sh (on PYTHONPATH there)."""
import os

import groklab


def expect_fit_error(needle, out, *args, **keys):
    """groklab.fit(*args, out=out, **keys) raises groklab.Error naming `needle`, and writes nothing at out."""
    try:
        groklab.fit(*args, out=out, **keys)
    except groklab.Error as e:
        assert needle in str(e) and not os.path.exists(out), e
        return
    raise AssertionError("fit did not raise groklab.Error (%s)" % needle)
