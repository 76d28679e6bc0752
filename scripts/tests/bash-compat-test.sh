#!/usr/bin/env bash
# The shell scripts run on bash 3.2 (macOS's /bin/bash). No bash 3.2 is available to CI (Debian ships
# only bash 5.2), so this checks in two ways what a bash 3.2 would trip over:
#  1. static: no construct that bash 3.2 lacks (mapfile, associative arrays, case modification, namerefs,
#     ...), and no expansion of an array that may be empty without the ${a[@]+"${a[@]}"} guard (bash
#     before 4.4 calls an empty array unbound under set -u);
#  2. run: every script's --help and its argument errors, with set -u as the scripts set it, under
#     this machine's bash and again with BASH_COMPAT=3.2: exit status and message as expected, and no
#     bash error (unbound variable, invalid option, syntax error, command not found).
# The second catches what the first cannot see; neither replaces a run on a real bash 3.2.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"

usage() {
  cat <<'EOF_USAGE'
Usage: scripts/tests/bash-compat-test.sh [-h|--help] [script...]

Checks the given shell scripts (default: every tracked *.sh and .ci/run) for bash >= 4 constructs,
then runs the project's scripts' argument parsing (see the comment at the top of this file).
EOF_USAGE
}

SCRIPTS=()
while (($# > 0)); do
  case "$1" in
    -h | --help)
      usage
      exit 0
      ;;
    -*)
      usage >&2
      exit 1
      ;;
    *) SCRIPTS+=("$1") ;;
  esac
  shift
done

failures=()
fail() {
  failures+=("$*")
  echo "FAIL: $*" >&2
}

# ---- 1. Static ----------------------------------------------------------------------------------------

# Constructs bash 3.2 does not have, as extended regular expressions (matched outside comments).
# shellcheck disable=SC2016 # the $ in these patterns is literal
FORBIDDEN=(
  '(^|[^[:alnum:]_-])(mapfile|readarray)([^[:alnum:]_-]|$)'     # bash 4.0
  '(^|[[:space:];])(declare|typeset|local)( +-[[:alpha:]]+)* +-[[:alpha:]]*[AgnlucN]' # associative, global, nameref, case (4.x)
  '\$\{[[:alnum:]_]+(\[[^]]*\])?(,,?|\^\^?)[^}]*\}' # ${var,,} ${var^^}: case modification (4.0)
  '\$\{[^}]*@[QEPAaKUuLk]\}'                        # ${var@Q} transformations (4.4)
  '\[\[ +-v '                                       # [[ -v var ]] (4.2)
  '(^|[[:space:]])coproc[[:space:]]'                # 4.0
  '&>>'                                             # 4.0
  '\|&'                                             # 4.0
  ';;&|;&[[:space:]]*$'                             # case fall-through (4.0)
  'wait +-n'                                        # 4.3
  '\$\{[[:alnum:]_]+\[-[0-9]+\]\}'                  # negative array index (4.3)
  'shopt +-s +(globstar|lastpipe|autocd|checkjobs|direxpand|globasciiranges|localvar_inherit)'
  '\$(EPOCHSECONDS|EPOCHREALTIME|BASHPID|BASH_ARGV0)'
  "printf +(-v +[[:alnum:]_]+ +)?['\"]?%\("          # printf %(...)T (4.2)
  '\{[[:alpha:]_][[:alnum:]_]*\}[<>]'               # {fd}> automatic file descriptors (4.1)
)

# Code lines of a script, numbered, without full-line comments and here-document bodies.
code_lines() {
  awk '
    heredoc != "" { if ($0 ~ "^[[:space:]]*" heredoc "$") heredoc = ""; next }
    /^[[:space:]]*#/ { next }
    {
      line = $0
      sub(/[[:space:]]#[^"'\'']*$/, "", line)
      print FNR ": " line
      if (match($0, /<<-?[[:space:]]*['\''"]?[[:alnum:]_]+/)) {
        heredoc = substr($0, RSTART, RLENGTH)
        sub(/^<<-?[[:space:]]*['\''"]?/, "", heredoc)
      }
    }
  ' "$1"
}

# Arrays that may be empty: assigned () or ("$@"), or declared without a value.
possibly_empty_arrays() {
  code_lines "$1" | grep -oE '(^|[[:space:];(])([[:alpha:]_][[:alnum:]_]*)=\(("\$@")?\)|(local|declare) +-a +[[:alpha:]_][[:alnum:]_]*( +[[:alpha:]_][[:alnum:]_]*)*[[:space:]]*$' |
    sed -E 's/^[[:space:];(]//; s/=.*//; s/^(local|declare) +-a +//' | tr ' ' '\n' | sed '/^$/d' | sort -u
}

check_static() {
  local script="$1" pattern hits name
  for pattern in "${FORBIDDEN[@]}"; do
    hits="$(code_lines "$script" | grep -E -- "$pattern" || true)"
    [[ -z "$hits" ]] || fail "$script uses a bash >= 4 construct (/$pattern/):"$'\n'"$hits"
  done
  while read -r name; do
    [[ -n "$name" ]] || continue
    # Every plain ${name[@]}, ${name[*]} or slice ${name[@]:N} outside the guard ${name[@]+"${name[@]}"}
    # (lengths ${#name[@]} and defaults ${name[*]:-x} are fine).
    hits="$(code_lines "$script" |
      sed -E "s/\\$\\{$name\\[([@*])\\]\\+\"\\$\\{$name\\[[@*]\\]\\}\"\\}//g; s/\\$\\{$name\\[([@*])\\]\\+\\$\\{$name\\[[@*]\\]\\}\\}//g" |
      grep -E "\\$\\{$name\\[[@*]\\](\\}|:[0-9])" || true)"
    [[ -z "$hits" ]] || fail "$script expands '$name', which may be empty, without \${${name}[@]+\"\${${name}[@]}\"} (unbound under set -u before bash 4.4):"$'\n'"$hits"
  done < <(possibly_empty_arrays "$script")
}

if ((${#SCRIPTS[@]} == 0)); then
  while IFS= read -r script; do
    SCRIPTS+=("$ROOT/$script")
  done < <(git -C "$ROOT" ls-files --cached --others --exclude-standard -- '*.sh' '.ci/run' | grep -v '^scripts/tests/fixtures/')
fi
for script in ${SCRIPTS[@]+"${SCRIPTS[@]}"}; do
  # This file lists the constructs it looks for; its own arrays are checked by running it under set -u.
  [[ "$script" -ef "${BASH_SOURCE[0]}" ]] || check_static "$script"
done
echo "static: ${#SCRIPTS[@]} scripts checked"

# ---- 2. Argument parsing, run -----------------------------------------------------------------------

BASH_ERRORS='unbound variable|invalid option|syntax error|command not found|bad substitution|not a valid identifier'
runs=0

# run_case EXPECTED_STATUS EXPECTED_TEXT SCRIPT ARGS...: runs SCRIPT under bash with ARGS (stdin closed,
# a state dir of its own) as is and with BASH_COMPAT=3.2.
run_case() {
  local expected="$1" text="$2" script="$3" compat output status
  shift 3
  for compat in "" 3.2; do
    status=0
    output="$(cd "$ROOT" && env ${compat:+BASH_COMPAT=$compat} LOCAL_STACK_DIR="$STATE_DIR" \
      bash "scripts/$script" "$@" 2>&1 </dev/null)" || status=$?
    runs=$((runs + 1))
    local label="$script $* (BASH_COMPAT=${compat:-default})"
    if [[ "$status" != "$expected" ]]; then
      fail "$label: exit status $status, expected $expected; output:"$'\n'"$output"
    elif [[ "$output" != *"$text"* ]]; then
      fail "$label: output lacks '$text':"$'\n'"$output"
    elif grep -qE "$BASH_ERRORS" <<<"$output"; then
      fail "$label: bash error:"$'\n'"$output"
    fi
  done
}

STATE_DIR="$(mktemp -d)"
trap 'rm -rf "$STATE_DIR"' EXIT

for script in local-stack.sh run-pipeline.sh submit-job.sh submit-docker-job.sh run-flink-locally.sh \
  terraform.sh benchmark.sh check-static.sh; do
  run_case 0 "Usage:" "$script" --help
done
run_case 1 "unknown argument: --no-such-flag" local-stack.sh start --no-such-flag
run_case 1 "KAFKA_PORT must be a number, got 'x'" local-stack.sh start --kafka-port x
run_case 1 "TASKMANAGERS must be a number, got '-1'" local-stack.sh start --registry-port 1 --taskmanagers -1
run_case 1 "--kafka-port needs a value" local-stack.sh start --kafka-port
run_case 1 "--warehouse must be local or s3, got 'gcs'" local-stack.sh start --warehouse gcs --s3-port 1
run_case 1 "S3_PORT must be a number, got 'x'" local-stack.sh start --warehouse s3 --s3-port x
run_case 1 "unknown argument: --no-such-flag" run-pipeline.sh --no-such-flag
run_case 1 "--records-per-airline must be a positive number" run-pipeline.sh --records-per-airline 0
run_case 1 "--timeout must be a positive number" run-pipeline.sh --flink-port 1 --timeout x
run_case 1 "--warehouse must be local or s3, got 'gcs'" run-pipeline.sh --warehouse gcs
run_case 1 "unknown job 'nope'" submit-job.sh nope
run_case 1 "--with must be local or cloud, not 'aws'" submit-docker-job.sh --with=aws datagen
run_case 1 "--catalog-from-aws only applies to --with=cloud" submit-docker-job.sh --catalog-from-aws datagen
run_case 1 "unknown argument '--nope'" submit-docker-job.sh --nope
run_case 1 "--taskmanagers must be a number from 1 to 99" run-flink-locally.sh up --taskmanagers=0
run_case 1 "unknown argument '--nope'" run-flink-locally.sh --nope
run_case 1 "unknown command 'bogus'" terraform.sh bogus
run_case 2 "--records needs a positive number" benchmark.sh --records x
run_case 2 "unknown check 'nope'" check-static.sh nope
echo "run: $runs script runs"

if ((${#failures[@]} > 0)); then
  echo "bash-compat-test: ${#failures[@]} failed" >&2
  exit 1
fi
echo "bash-compat-test: all passed"
