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

from wuxin_rules.api import Policy, Result, load, loads
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
from wuxin_rules.trace import Evaluation, Explanation, Verdict

__all__ = [
    "Diagnostic",
    "Evaluation",
    "EvaluationError",
    "Explanation",
    "FactError",
    "InternalError",
    "ParamError",
    "Policy",
    "PolicyCheckError",
    "PolicyError",
    "PolicySyntaxError",
    "Result",
    "Severity",
    "UsageError",
    "Verdict",
    "WuxinError",
    "load",
    "loads",
]
