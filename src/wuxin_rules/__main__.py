"""`python -m wuxin_rules` runs the `wuxin` command."""

from wuxin_rules.cli import main

raise SystemExit(main())
