#!/usr/bin/env bash
# Train a model only when config, domain, training data or the trained vote step
# (bot/channels/nlu_vote.py, bot/channels/nlu_language.py) changed. The model is
# named after a fingerprint of its inputs, so an unchanged tree reuses it.
set -euo pipefail
cd "$(dirname "$0")/.."
fingerprint=$(cat config.yml domain.yml bot/channels/stored_pipeline.py bot/channels/nlu_vote.py bot/channels/nlu_language.py $(find data/nlu data/rules data/stories -name '*.yml' | sort) \
  | sha256sum | cut -c1-16)
model="models/model-$fingerprint.tar.gz"
if [ -f "$model" ]; then
  echo "model is up to date: $model"
else
  echo "training $model (config, domain or training data changed) ..."
  start=$(date +%s)
  .venv/bin/rasa train --fixed-model-name "model-$fingerprint" --out models --quiet --skip-validation
  echo "trained in $(( $(date +%s) - start )) s"
fi
echo "$model" > models/.current
