#!/bin/sh
# Regenerate the rendered documents of the flagship policies (checked in; a test fails when
# they are stale). Run from anywhere: `sh docs/policies/regenerate.sh`, with Pygments installed
# (`pip install -e '.[test]'`): the HTML's rule texts carry its colours.
set -e
cd "$(dirname "$0")/../.."
for format in md html; do
  python -m wuxin_rules doc policies/drug_free --lang zh --format "$format" --output-dir docs/policies
done
