#!/bin/sh
# Entry point of the server image (under tini). Docker/Kubernetes secrets arrive as files: for
# every NAME_FILE variable, NAME is set to the file's content (trailing newline removed) and
# NAME_FILE is unset — e.g. DB_PASS_FILE=/run/secrets/db_password, API_KEY_SECRET_FILE=…,
# ADMIN_TOKEN_FILE=…. Then the fiberstack command runs as the same process (exec), so SIGTERM
# from tini reaches node directly.
set -eu

for name in $(env | sed -n 's/^\([A-Z][A-Z0-9_]*\)_FILE=.*$/\1/p'); do
  file=$(printenv "${name}_FILE")
  if [ ! -r "$file" ]; then
    echo "fiberstack: ${name}_FILE points to '$file', which is not a readable file" >&2
    exit 2
  fi
  if [ -n "$(printenv "$name" || true)" ]; then
    echo "fiberstack: both ${name} and ${name}_FILE are set; keep one" >&2
    exit 2
  fi
  value=$(cat "$file")
  export "$name=$value"
  unset "${name}_FILE"
done

exec node "${FIBERSTACK_CLI:-/opt/fiberstack/apps/cli/bin/fiberstack.js}" "$@"
