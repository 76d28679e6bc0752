#!/usr/bin/env bash
# Proves each check of scripts/check-static.sh can fail: every case feeds one check a broken fixture
# and expects exit status 1 with a specific message; the valid inputs must pass, so a check that
# fails on everything is caught too.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
FIXTURES="$ROOT/scripts/tests/fixtures"
CONTRACT="$FIXTURES/aws-contract.json"

usage() {
  cat <<'EOF_USAGE'
Usage: scripts/tests/check-static-test.sh [-h|--help]

Runs scripts/check-static.sh against the fixtures in scripts/tests/fixtures and the repository's own
docker/, shell and YAML files. Needs the same tools as check-static.sh.
EOF_USAGE
}
if (($# > 0)); then
  case "$1" in
    -h | --help)
      usage
      exit 0
      ;;
    *)
      usage >&2
      exit 1
      ;;
  esac
fi

passed=0
failures=()

# expect STATUS MESSAGE... -- ARGS...: runs check-static.sh ARGS once, expects exit STATUS and every
# MESSAGE in its output.
expect() {
  local status="$1" messages=() message
  shift
  while [[ "$1" != -- ]]; do
    messages+=("$1")
    shift
  done
  shift
  local output actual=0 missing=()
  output="$("$ROOT/scripts/check-static.sh" "$@" 2>&1)" || actual=$?
  for message in ${messages[@]+"${messages[@]}"}; do
    [[ "$output" == *"$message"* ]] || missing+=("$message")
  done
  if [[ "$actual" == "$status" && ${#missing[@]} == 0 ]]; then
    passed=$((passed + 1))
    echo "ok    check-static.sh $* -> $status"
  else
    failures+=("check-static.sh $*")
    echo "FAIL  check-static.sh $*: expected exit $status, got $actual; missing messages: ${missing[*]:-none}" >&2
    printf '      %s\n' "${output//$'\n'/$'\n'      }" >&2
  fi
}

# A terraform case: its own files over the valid case's providers.tf, the provider pins that every case shares
# unless it breaks them itself.
CASES="$(mktemp -d)"
trap 'rm -rf "$CASES"' EXIT
tf() {
  local dir="$CASES/terraform-$1"
  if [[ ! -d "$dir" ]]; then
    mkdir -p "$dir"
    cp "$FIXTURES/terraform-valid/providers.tf" "$dir/"
    cp "$FIXTURES/terraform-$1/"* "$dir/"
  fi
  echo "$dir"
}

# terraform: parse, references, contract.
expect 0 "1 secrets and 1 SSM parameters match" -- terraform --terraform-dir "$(tf valid)" --contract "$CONTRACT"
expect 1 "HCL syntax error" -- terraform --terraform-dir "$(tf syntax-error)" --contract "$CONTRACT"
expect 1 "undeclared variable 'missing_value'" -- terraform --terraform-dir "$(tf undeclared-reference)" --contract "$CONTRACT"
expect 1 "file schema.avsc does not exist" -- terraform --terraform-dir "$(tf missing-file)" --contract "$CONTRACT"
expect 1 "secret '/app/kafka/java_client' lacks JSON keys sasl.jaas.config" -- \
  terraform --terraform-dir "$(tf contract-mismatch)" --contract "$CONTRACT"
expect 1 "parameter '/app/consumer_client/auto.offset.reset' is not under any path common reads" \
  "common requires SSM parameters under '/app/consumer_kafka_client/'" -- \
  terraform --terraform-dir "$(tf parameter-outside-contract)" --contract "$CONTRACT"
expect 1 "local.jobs_parameter_paths (the IAM grant) lacks 'iceberg_catalog'" -- \
  terraform --terraform-dir "$(tf iam-missing-path)" --contract "$CONTRACT"

# terraform: provider schema snapshot, secret outputs, IAM actions, key retention.
expect 1 "argument or block 'partition_count' is not in the confluentinc/confluent 2.83.3 schema of confluent_kafka_topic" -- \
  terraform --terraform-dir "$(tf misspelled-argument)" --contract "$CONTRACT"
expect 1 "attribute 'rbac_crnn' of confluent_kafka_cluster.basic.rbac_crnn is not in the confluentinc/confluent 2.83.3 schema" -- \
  terraform --terraform-dir "$(tf misspelled-attribute)" --contract "$CONTRACT"
expect 1 "resource type 'confluent_kafka_queue' is not in the provider schema snapshot" -- \
  terraform --terraform-dir "$(tf unknown-resource-type)" --contract "$CONTRACT"
expect 1 "output 'jobs_api_key' holds a secret (confluent_api_key.jobs[0].secret) but lacks sensitive = true" -- \
  terraform --terraform-dir "$(tf secret-output-not-sensitive)" --contract "$CONTRACT"
expect 1 "IAM action 'secretsmanager:PutSecretValue' is not one the jobs need" -- \
  terraform --terraform-dir "$(tf iam-wrong-action)" --contract "$CONTRACT"
expect 1 "aws_iam_policy.read: policy must be data.aws_iam_policy_document.<name>.json" -- \
  terraform --terraform-dir "$(tf iam-inline-policy)" --contract "$CONTRACT"
expect 1 "variable.number_of_api_keys_to_retain: validation accepts 1, but must reject it" -- \
  terraform --terraform-dir "$(tf retain-one)" --contract "$CONTRACT"
expect 1 'provider hashicorp/aws must be pinned in required_providers as version = "= 6.25.0"' -- \
  terraform --terraform-dir "$(tf loose-provider-version)" --contract "$CONTRACT"
expect 0 "terraform: 9 files parsed" -- terraform

# terraform fmt: only where terraform is installed (check-static.sh skips it otherwise).
if command -v terraform >/dev/null 2>&1; then
  expect 0 "terraform-fmt: ok" -- terraform-fmt --terraform-dir "$(tf valid)"
  expect 1 "FAILED: terraform-fmt" -- terraform-fmt --terraform-dir "$(tf unformatted)"
else
  echo "skip  terraform-fmt cases: terraform is not installed"
fi

# compose: schema validation by docker-compose, then the project's rules.
expect 0 "compose.yaml ok" -- compose
expect 1 "Unsupported config option for services.app: 'memory'" -- compose --compose-file "$FIXTURES/compose-invalid-key.yaml"
expect 1 "service 'unpinned': image 'busybox:latest' is not pinned" "service 'unlimited': no mem_limit" \
  "service 'unprobed': no healthcheck" "service 'unordered': depends_on 'unlimited' without condition" -- \
  compose --compose-file "$FIXTURES/compose-policy-violations.yaml"

# dockerfile: lint, and no credentials.
expect 0 "Dockerfile ok" -- dockerfile
expect 1 "Unknown instruction: RUNN" -- dockerfile --dockerfile "$FIXTURES/Dockerfile.unknown-instruction"
expect 1 "declares a credential-like ENV/ARG" -- dockerfile --dockerfile "$FIXTURES/Dockerfile.credentials"

# Shell scripts and YAML.
expect 0 "scripts ok" -- shellcheck
expect 1 "SC2086" -- shellcheck --shell-script "$FIXTURES/unquoted-variable.sh"
expect 0 "files ok" -- yamllint
expect 1 "duplication of key \"image\"" -- yamllint --yaml-file "$FIXTURES/duplicate-key.yaml"

echo "check-static-test: $passed passed, ${#failures[@]} failed"
((${#failures[@]} == 0))
