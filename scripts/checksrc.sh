#!/usr/bin/env bash
# The mechanical rules of STYLE.md that a grep can hold (curl's checksrc, in
# small): banned functions, and memcmp never on secrets (use sodium_memcmp).
set -euo pipefail
cd "$(dirname "$0")/.."
status=0
banned='\b(strcpy|strcat|sprintf|vsprintf|gets|atoi|atol|atoll|strtok|rand|srand)\s*\('
if grep -rnE "$banned" src --include='*.c' --include='*.h'; then
  echo "checksrc: banned function above (use snprintf, strtol/strtoll, strtok_r, libsodium randombytes)" >&2
  status=1
fi
# Secrets are compared with sodium_memcmp / sec_equal; plain memcmp only where a comment says why not secret.
if grep -rnE '\bmemcmp\s*\(' src --include='*.c' | grep -vE 'sodium_memcmp|not secret'; then
  echo "checksrc: plain memcmp above: mark it '/* not secret */' or use sodium_memcmp" >&2
  status=1
fi
# The IM face reads query arguments only through its readers (src/im/params.c), which read
# each from a JSON body too (docs/im.md, "Where parameters are read from").
if grep -nE '\bhttp_query(_all)?\s*\(' src/im/*.c | grep -v '^src/im/params.c:'; then
  echo "checksrc: the IM face reads query arguments with im_q_* / im_arg (params.c), never http_query" >&2
  status=1
fi
exit $status
