#!/usr/bin/env bash
# bench pcd and ais-speed: the tree before issue 32 (/work/before, 25b8627) and
# after (/work/main), alternated in one run on the same machine
set -e
for i in 1 2; do
  for tree in before main; do
    (cd /work/$tree && python -m skrapid bench pcd --data synthetic --n-samples 10000 --repeats 3 --json /tmp/ba/pcd_${tree}_$i.json --quiet)
  done
done
for i in 1 2; do
  for tree in before main; do
    (cd /work/$tree && python -m skrapid bench ais-speed --data synthetic --n-betas 2000 --repeats 3 --json /tmp/ba/ais_${tree}_$i.json --quiet)
  done
done
