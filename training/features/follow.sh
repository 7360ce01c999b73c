#!/usr/bin/env bash
# Keeps the train features up to date while the corpus generator runs: dumps new utterances in
# PARTS parallel processes every minute until the generator has finished and everything is dumped,
# then merges the indexes.   usage: follow.sh [PARTS]
set -u
cd "$(dirname "$0")/../.."
parts=${1:-1}
while :; do
  generating=$(pgrep -f "training/corpus/generate.py" >/dev/null && echo 1 || echo 0)
  for ((k = 0; k < parts; k++)); do
    npx tsx training/features/dump-features.ts --manifest training/work/manifests/train.tsv --split train \
      --out training/work/features --part "$k" --parts "$parts" | tail -1 &
  done
  wait
  [ "$generating" = 0 ] && break
  sleep 30
done
npx tsx training/features/dump-features.ts --merge --out training/work/features
