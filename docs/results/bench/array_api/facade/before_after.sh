#!/usr/bin/env bash
# bench pcd and ais-speed: the tree before this change (/work/before, a49e6a0: the PyTorch-only façade) and
# after (/work/main), alternated in one run on the same machine
set -e
for i in 1 2; do
  for tree in before main; do
    (cd /work/$tree && python -m skrapid bench pcd --data synthetic --n-samples 10000 --repeats 3 --json /work/main/docs/results/bench/array_api/facade/pcd_${tree}_$i.json --quiet)
  done
done
for i in 1 2; do
  for tree in before main; do
    (cd /work/$tree && python -m skrapid bench ais-speed --data synthetic --n-betas 2000 --repeats 3 --json /work/main/docs/results/bench/array_api/facade/ais_${tree}_$i.json --quiet)
  done
done
