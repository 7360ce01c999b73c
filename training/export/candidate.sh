#!/usr/bin/env bash
# A trained checkpoint → a model folder the benches can load (training/work/models/NAME, outside git until
# it ships; to ship, copy it over models/default with its card):
# export.py (PyTorch → Keras layout, numpy check, golden logits), import-pytorch.ts (tfjs model + manifest),
# then the shipped model's decoder (LM, word list, α, β, beam, confidence) so the comparison is
# acoustic model against acoustic model.
#
#   training/export/candidate.sh CHECKPOINT FEATURES_DIR NAME [BASE_MODEL]
#   (a phone model from a character base gets the dictionary its labels came from as pronunciations.txt:
#   $PRONUNCIATIONS, by default pocketsphinx-en-us's, the default of train.py --pronunciations; and the
#   letter-to-sound model built from it, $LETTER_TO_SOUND: training/lts/README.md)
#   training/export/candidate.sh training/work/runs/ft-cmn/best.pt training/work/features-cmn cmn
#   npm run bench:wer -- --model training/work/models/cmn
set -euo pipefail
checkpoint=$1 features=$2 name=$3 base=${4:-default}
cd "$(dirname "$0")/../.."
export_dir=training/work/export-$name
/usr/bin/python3 training/train/export.py --checkpoint "$checkpoint" --out "$export_dir" --features "$features"
npx tsx training/export/import-pytorch.ts --export "$export_dir" --features "$features" --out "training/work/models/$name" \
  --name "$name" --description "candidate from $checkpoint"
node -e '
  const fs = require("node:fs");
  const [base, out] = process.argv.slice(1);
  const baseManifest = JSON.parse(fs.readFileSync(`${base}/manifest.json`, "utf8"));
  const manifest = JSON.parse(fs.readFileSync(`${out}/manifest.json`, "utf8"));
  manifest.decoder = { ...baseManifest.decoder };
  const files = ["lmFile", "lexiconFile", "pronunciationsFile", "letterToSoundFile"];
  for (const key of files) {
    const file = baseManifest.decoder[key];
    if (file) fs.copyFileSync(`${base}/${file}`, `${out}/${file}`);
  }
  if (manifest.alphabet.includes("AA") && !manifest.decoder.pronunciationsFile) {
    // A phone model (train.py --targets phones) from a character base: it spells through the dictionary
    // its labels came from, and pronounces other words with the letter-to-sound model built from it.
    delete manifest.decoder.lexiconFile;
    manifest.decoder.pronunciationsFile = "pronunciations.txt";
    manifest.decoder.letterToSoundFile = "letter-to-sound.txt";
    fs.copyFileSync(process.env.PRONUNCIATIONS || "/usr/share/pocketsphinx/model/en-us/cmudict-en-us.dict",
      `${out}/pronunciations.txt`);
    fs.copyFileSync(process.env.LETTER_TO_SOUND || "training/candidates/phones/letter-to-sound.txt",
      `${out}/letter-to-sound.txt`);
  }
  fs.writeFileSync(`${out}/manifest.json`, JSON.stringify(manifest, null, 2) + "\n");
' "models/$base" "training/work/models/$name"
echo "training/work/models/$name: $(node -e 'const m=require(process.argv[1]);console.log(m.normalization.meanFrom ?? "training", "mean,", m.decoder.type, "decoder")' "$PWD/training/work/models/$name/manifest.json")"
