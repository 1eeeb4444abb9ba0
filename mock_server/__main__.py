"""`python -m mock_server` serves the mock, as `hopdrive-mock` does."""

from mock_server.cli import main

raise SystemExit(main())
