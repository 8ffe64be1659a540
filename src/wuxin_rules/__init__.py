"""wuxin_rules: a rules engine with a declarative, statically checked policy language."""
