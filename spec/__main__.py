"""`python -m spec` runs the spec's command line."""

from spec.cli import main

raise SystemExit(main())
