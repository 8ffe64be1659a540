"""A small, self-contained policy with examples and properties, for the verification tests.

It has one of each kind of type the strategies draw (bounded ints and decimals, an enum, an
optional, a date, a list of nested records) and a threshold to be biased toward.
"""

from __future__ import annotations

from pathlib import Path

SHOP = """\
enum Kind
  : retail,
    wholesale

record Line
  : sku : text
    qty : int 1 .. 99

record Order
  : id           : text
    kind         : Kind
    overdue_days : int >= 0
    amount       : decimal 0 .. 1000
    average      : decimal -100 .. 100
    coupon       : decimal?
    placed       : date
    lines        : list of Line

input order: Order

param margin: percent = 50%

rule limit "上限": order.average - margin * abs(order.average)

criterion released "放行":
  order.overdue_days == 0 and order.amount <= 500

rule total_qty: sum of l in order.lines : l.qty

fixture base: Order = {id: "o1", kind: retail, overdue_days: 0, amount: 100, average: 4,
                       coupon: none, placed: 2020-01-01, lines: [{sku: "a", qty: 2}]}

example "on time is released":
  given order = base
  expect released
  expect limit == 2

example "overdue is held":
  given order = {...base, overdue_days: 1}
  expect not released

property "limit below average":
  forall order: Order
  holds limit <= order.average

property "more overdue never released more":
  forall order: Order
  holds released or not released[order = {...order, overdue_days: order.overdue_days + 1}]
"""

NAIVE_LIMIT = 'rule limit "上限": margin * order.average'
"""The naive reading of "below the average by half": wrong for a negative average."""


def shop_text(*, naive: bool = False, extra: str = "") -> str:
    """The shop policy, with the naive limit when `naive`, and `extra` appended."""
    text = SHOP
    if naive:
        text = text.replace(
            'rule limit "上限": order.average - margin * abs(order.average)', NAIVE_LIMIT
        )
        assert NAIVE_LIMIT in text
    return text + extra


def write_shop(folder: Path, name: str = "order.policy", **options: object) -> Path:
    """Write the shop policy (see `shop_text`) to `folder/name` and return its path."""
    path = folder / name
    path.write_text(shop_text(**options), encoding="utf-8")  # type: ignore[arg-type]
    return path
