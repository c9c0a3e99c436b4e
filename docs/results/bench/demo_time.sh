#!/usr/bin/env bash
# skrapid demo at one BLAS thread (the default) and at the BLAS default, three
# times each, interleaved in one run; output in demo_time.txt.
#   bash docs/results/bench/demo_time.sh > docs/results/bench/demo_time.txt
for r in 1 2 3; do
  for t in 1 0; do
    s=$(date +%s.%N)
    skrapid demo --quiet --blas-threads "$t" --out "/tmp/demo_time_${t}_${r}" > "/tmp/demo_time_${t}_${r}.log" 2>&1
    e=$(date +%s.%N)
    echo "repeat $r blas-threads $t: $(echo "$e - $s" | bc) s"
  done
done
