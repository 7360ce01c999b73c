#!/usr/bin/env bash
# The two steps of a training run on a rented GPU machine (see training/README.md):
#   remote.sh stage  — keep feature part 0 on the machine and smoke-test one CUDA step
#   remote.sh train  — train on parts 0 and 1 within a time budget, export, leave results in $OUT
set -u
export PYTHONUNBUFFERED=1
FEATS=/root/feats
case "$1" in
  stage)
    mkdir -p $FEATS && rm -rf $FEATS/part0 && cp -r training/work/upload/part0 $FEATS/
    nvidia-smi --query-gpu=name,memory.total --format=csv,noheader
    python3 -c 'import torch, numpy; print("torch", torch.__version__, "cuda", torch.cuda.is_available(), "numpy", numpy.__version__)'
    python3 training/train/train.py --features $FEATS/part0 --out /tmp/smoke --batch-frames 100000 \
      --max-steps 30 --eval-every 30 --log-every 10 --dev-max-utts 50 2>&1 | tail -8
    ;;
  train)
    R=/tmp/run; E=/tmp/export
    F="--features $FEATS/part0"
    [ -d training/work/upload/part1 ] && F="$F --features training/work/upload/part1"
    python3 training/train/train.py $F --out $R --batch-frames 100000 --lr 1.5e-3 --warmup 400 \
      --eval-minutes 0.75 --patience 10 --max-epochs 1000 --max-minutes "${MINUTES:-7}" --log-every 100
    echo "train rc=$?"
    cp $R/train.log $OUT/
    python3 training/train/export.py --checkpoint $R/best.pt --out $E \
      && tar czf $OUT/export.tgz -C $E --exclude weights.bin . && split -b 12M -d $E/weights.bin $OUT/weights.bin.
    echo "export rc=$?"
    ;;
esac
