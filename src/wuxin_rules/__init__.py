"""wuxin_rules: a rules engine with a declarative, statically checked policy language.

Policies are `.policy` files: typed inputs, cited criteria, rules, stage schedules and bands.
Loading one parses and checks it (every problem reported at once, located); evaluating it on
facts gives exact, explainable verdicts.

```python
import wuxin_rules
policy = wuxin_rules.load("policies/loans/eligibility.policy")
result = policy.evaluate({"applicant": {...}})
result["eligible"], result.explain("eligible")
```
"""

from typing import TYPE_CHECKING, Any

from wuxin_rules.errors import (
    Diagnostic,
    EvaluationError,
    FactError,
    InternalError,
    ParamError,
    PolicyCheckError,
    PolicyError,
    PolicySyntaxError,
    Severity,
    UsageError,
    WuxinError,
)

if TYPE_CHECKING:
    from wuxin_rules.api import Policy, Result, load, loads
    from wuxin_rules.counterfactual import FactChange, ToPass
    from wuxin_rules.partial import MissingFact, Pending
    from wuxin_rules.trace import Evaluation, Explanation, Verdict

# The loader, checker, parser and evaluator (and lark, attrs, cattrs with them) are imported
# when first used, not by `import wuxin_rules`: a program that imports the package only to
# catch its errors, or a command that fails on its arguments, starts in milliseconds
# (docs/performance.md, "Start-up").
_LAZY = {
    "Policy": "wuxin_rules.api",
    "Result": "wuxin_rules.api",
    "load": "wuxin_rules.api",
    "loads": "wuxin_rules.api",
    "Evaluation": "wuxin_rules.trace",
    "Explanation": "wuxin_rules.trace",
    "Verdict": "wuxin_rules.trace",
    "Pending": "wuxin_rules.partial",
    "MissingFact": "wuxin_rules.partial",
    "FactChange": "wuxin_rules.counterfactual",
    "ToPass": "wuxin_rules.counterfactual",
}


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'wuxin_rules' has no attribute {name!r}")
    import importlib

    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))


__all__ = [
    "Diagnostic",
    "Evaluation",
    "EvaluationError",
    "Explanation",
    "FactChange",
    "FactError",
    "InternalError",
    "MissingFact",
    "ParamError",
    "Pending",
    "Policy",
    "PolicyCheckError",
    "PolicyError",
    "PolicySyntaxError",
    "Result",
    "Severity",
    "ToPass",
    "UsageError",
    "Verdict",
    "WuxinError",
    "load",
    "loads",
]
