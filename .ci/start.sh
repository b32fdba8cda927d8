#!/usr/bin/env bash
# npm start: set-up, build, then serve the console with the sample tenant on http://127.0.0.1:8080.
set -euo pipefail
cd "$(dirname "$0")/.."
bash .ci/setup.sh
bash .ci/build.sh
echo "start: serving the console on http://127.0.0.1:8080"
exec node web/serve.mjs --port 8080
