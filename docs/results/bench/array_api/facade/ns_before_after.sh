#!/usr/bin/env bash
# bench namespaces: the tree before the generic façade (/work/before, a49e6a0,
# PyTorch-only skrapid._torchnp) and after (/work/main, skrapid._xpnp through
# array_api_compat), alternated twice in one run on the same machine, idle
set -e
export SCIPY_ARRAY_API=1
for i in 1 2; do
  for tree in before main; do
    (cd /work/$tree && python -m skrapid bench namespaces --data-home /work/shared/data/mnist \
      --n-samples 10000 --n-components 500 --repeats 5 \
      --json /work/main/docs/results/bench/array_api/facade/ns_${tree}_$i.json --quiet)
  done
done
