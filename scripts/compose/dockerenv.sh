#!/usr/bin/env bash
# Make sure the compose stack never runs on the example secrets (issue 10 §1).
#
#   scripts/compose/dockerenv.sh [EXAMPLE] [TARGET]      (defaults: .dockerenv.example .dockerenv)
#
# - TARGET missing: copy EXAMPLE, replacing every placeholder (`change-me…`) by a random value
#   (openssl rand -hex 32: 64 hex characters, safe inside URLs). One placeholder gets one value
#   wherever it stands, so MARIADB_PASSWORD and the password inside DATABASE_URL (and
#   RABBITMQ_DEFAULT_PASS / AMQP_URI) stay equal. The file is readable by its owner only.
# - TARGET present: left as it is, but refused (exit 1) while it still holds a placeholder.
set -euo pipefail
example=${1:-.dockerenv.example}
target=${2:-.dockerenv}
placeholder='change-me[A-Za-z0-9_!-]*'

if [ -e "$target" ]; then
  if grep -Eq "^[^#]*=.*$placeholder" "$target"; then
    echo "$target still holds placeholder secrets:" >&2
    grep -En "^[^#]*=.*$placeholder" "$target" | sed -E 's/=.*/=…/' >&2
    echo "set real values, or delete $target and run make up again to generate random ones" >&2
    exit 1
  fi
  exit 0
fi

command -v openssl >/dev/null || { echo "openssl is needed to generate the secrets of $target" >&2; exit 1; }
umask 077
tmp=$(mktemp "${target}.XXXXXX")
trap 'rm -f "$tmp"' EXIT
cp "$example" "$tmp"
# the placeholders of the values (not of the comments), longest first: none is a prefix of a longer one then
for token in $(grep -Ev '^[[:space:]]*#' "$example" | grep -Eo "$placeholder" | sort -u | awk '{ print length, $0 }' | sort -rn | cut -d' ' -f2); do
  value=$(openssl rand -hex 32)
  # the tokens hold only [A-Za-z0-9_!-]: no sed metacharacter to escape with '|' as the delimiter
  sed -i.bak "s|${token}|${value}|g" "$tmp" && rm -f "$tmp.bak"
done
if grep -Eq "^[^#]*=.*$placeholder" "$tmp"; then
  echo "could not replace every placeholder of $example" >&2
  exit 1
fi
mv "$tmp" "$target"
trap - EXIT
echo "created $target from $example with random secrets (keep it private; it is git-ignored)"
