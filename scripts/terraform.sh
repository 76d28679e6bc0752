#!/usr/bin/env bash
# Runs Terraform on terraform/ with the right variable file.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
TERRAFORM_DIR="$ROOT/terraform"

usage() {
  cat <<'EOF'
Usage: scripts/terraform.sh init|plan|apply|destroy|output [--var-file=PATH] [terraform flags...]

  init      download the providers (once, and after a provider version change)
  plan      show what apply would change
  apply     create or update the Confluent Cloud and AWS resources (asks for confirmation)
  destroy   delete all of them (asks for confirmation)
  output    print the outputs (sensitive ones with: output -json)

  --var-file=PATH   default: terraform/terraform.tfvars (copy terraform/terraform.tfvars.example)
  -h, --help        this help

Further flags go to terraform, e.g. `scripts/terraform.sh apply -auto-approve`.
Secrets can also come from TF_VAR_confluent_cloud_api_key / TF_VAR_confluent_cloud_api_secret.
EOF
}

die() {
  echo "terraform.sh: $*" >&2
  exit 1
}

(($# > 0)) || {
  usage >&2
  exit 1
}
case "$1" in
  -h | --help)
    usage
    exit 0
    ;;
  init | plan | apply | destroy | output) COMMAND="$1" ;;
  *) die "unknown command '$1' (see --help)" ;;
esac
shift

VAR_FILE="$TERRAFORM_DIR/terraform.tfvars"
EXTRA=()
for arg in "$@"; do
  case "$arg" in
    --var-file=?*) VAR_FILE="$(realpath "${arg#--var-file=}")" ;;
    *) EXTRA+=("$arg") ;;
  esac
done

command -v terraform >/dev/null 2>&1 ||
  die "terraform is not installed: https://developer.hashicorp.com/terraform/install (1.5 or newer)"

cd "$TERRAFORM_DIR"
case "$COMMAND" in
  init | output)
    terraform "$COMMAND" ${EXTRA[@]+"${EXTRA[@]}"}
    ;;
  plan | apply | destroy)
    [[ -f "$VAR_FILE" ]] ||
      die "$VAR_FILE not found: cp terraform/terraform.tfvars.example terraform/terraform.tfvars and fill it in"
    [[ -d .terraform ]] || terraform init -input=false
    terraform "$COMMAND" -var-file="$VAR_FILE" ${EXTRA[@]+"${EXTRA[@]}"}
    ;;
esac
