#!/usr/bin/env bash
# Offline static checks of the files no build or test exercises: terraform/, docker/, the shell
# scripts and the YAML. .ci/run runs it before the Maven build; scripts/tests/check-static-test.sh
# proves each check fails on a broken fixture.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
TOOLS="$ROOT/scripts/static-checks"
ALL_CHECKS=(terraform-fmt terraform compose dockerfile shellcheck yamllint)

usage() {
  cat <<EOF
Usage: scripts/check-static.sh [options] [check...]

Runs the static checks (default: all of them, in this order):
  terraform-fmt  terraform fmt -check (skipped with a note when terraform is not installed)
  terraform      every .tf parsed with HashiCorp's HCL parser, every reference resolved; provider pins,
                 types, argument and attribute names checked against the pinned providers' names
                 (scripts/static-checks/provider-schema.json); secret outputs sensitive; IAM actions
                 limited to what the jobs need; key retention >= 2; and the secret names, JSON keys
                 and SSM parameters compared with the AWS contract
  compose        docker-compose config -q, then pinned images, mem_limit, healthchecks, ordered startup
  dockerfile     Dockerfile lint (dockerfile-utils), and no credential-like ENV/ARG
  shellcheck     shellcheck on every shell script
  yamllint       yamllint on every YAML file

Options (the defaults are the repository's files; the tests point them at broken fixtures):
  --terraform-dir DIR   default: terraform
  --contract FILE       default: common/src/main/resources/aws-contract.json
  --compose-file FILE   default: docker/compose.yaml
  --dockerfile FILE     default: docker/Dockerfile
  --shell-script FILE   repeatable; default: every tracked *.sh and .ci/run
  --yaml-file FILE      repeatable; default: every tracked *.yml / *.yaml
  -h, --help            this help

Needs: node + 'npm ci --prefix scripts/static-checks', python3, docker-compose (1.29 validates without
a Docker engine), shellcheck, yamllint. Exit status 1 when any check fails.
EOF
}

die() {
  echo "check-static: $*" >&2
  exit 2
}

require() {
  command -v "$1" >/dev/null 2>&1 || die "'$1' is not installed: $2"
}

# Files tracked by git (or found on disk outside a git checkout), minus the deliberately broken fixtures.
repo_files() {
  if git -C "$ROOT" rev-parse --is-inside-work-tree >/dev/null 2>&1; then
    git -C "$ROOT" ls-files --cached --others --exclude-standard -- "$@"
  else
    local pattern args=(-name "$1")
    shift
    for pattern in "$@"; do args+=(-o -name "$pattern"); done
    (cd "$ROOT" && find . -type f \( "${args[@]}" \) -not -path '*/node_modules/*' -not -path '*/target/*' | sed 's|^\./||')
  fi | grep -v '^scripts/tests/fixtures/' || true
}

node_tool() {
  [[ -d "$TOOLS/node_modules" ]] || die "npm tools missing: run 'npm ci --prefix scripts/static-checks'"
  require node "install Node.js 18 or newer"
}

check_terraform_fmt() {
  if ! command -v terraform >/dev/null 2>&1; then
    echo "terraform-fmt: skipped, terraform is not installed"
    return 0
  fi
  # A CLI config file pointing at an unreachable mirror only adds a warning here.
  env -u TF_CLI_CONFIG_FILE terraform fmt -check -diff -recursive "$TERRAFORM_DIR"
  echo "terraform-fmt: ok"
}

check_terraform() {
  node_tool
  node "$TOOLS/check-terraform.mjs" --terraform-dir "$TERRAFORM_DIR" --contract "$CONTRACT"
}

check_compose() {
  require docker-compose "apt-get install docker-compose (1.29 validates without a Docker engine)"
  require python3 "install python3 (with PyYAML, which docker-compose brings along)"
  local resolved
  # The cloud services mount ${HOME}/.aws; a CI shell without HOME would only add a warning.
  resolved="$(HOME="${HOME:-/root}" docker-compose -f "$COMPOSE_FILE" config)"
  python3 "$TOOLS/check-compose.py" "$COMPOSE_FILE" <<<"$resolved"
  echo "compose: $COMPOSE_FILE ok"
}

check_dockerfile() {
  node_tool
  "$TOOLS/node_modules/.bin/dockerfile-utils" lint "$DOCKERFILE"
  # The project this replaces baked AWS keys into the image; credentials are passed at run time only.
  local leaked
  leaked="$(grep -inE '^[[:space:]]*(ENV|ARG)[[:space:]].*(KEY|SECRET|PASSWORD|TOKEN|CREDENTIAL)' "$DOCKERFILE" || true)"
  if [[ -n "$leaked" ]]; then
    echo "dockerfile: $DOCKERFILE declares a credential-like ENV/ARG; pass credentials at run time instead:" >&2
    echo "$leaked" >&2
    return 1
  fi
  echo "dockerfile: $DOCKERFILE ok"
}

check_shellcheck() {
  require shellcheck "apt-get install shellcheck"
  ((${#SHELL_SCRIPTS[@]} > 0)) || die "no shell scripts found"
  (cd "$ROOT" && shellcheck --external-sources ${SHELL_SCRIPTS[@]+"${SHELL_SCRIPTS[@]}"})
  echo "shellcheck: ${#SHELL_SCRIPTS[@]} scripts ok"
}

check_yamllint() {
  require yamllint "apt-get install yamllint"
  ((${#YAML_FILES[@]} > 0)) || die "no YAML files found"
  (cd "$ROOT" && yamllint -c "$TOOLS/yamllint.yaml" ${YAML_FILES[@]+"${YAML_FILES[@]}"})
  echo "yamllint: ${#YAML_FILES[@]} files ok"
}

TERRAFORM_DIR="$ROOT/terraform"
CONTRACT="$ROOT/common/src/main/resources/aws-contract.json"
COMPOSE_FILE="$ROOT/docker/compose.yaml"
DOCKERFILE="$ROOT/docker/Dockerfile"
SHELL_SCRIPTS=()
YAML_FILES=()
CHECKS=()

while (($# > 0)); do
  case "$1" in
    -h | --help)
      usage
      exit 0
      ;;
    --terraform-dir | --contract | --compose-file | --dockerfile | --shell-script | --yaml-file)
      (($# >= 2)) || die "$1 needs a value"
      case "$1" in
        --terraform-dir) TERRAFORM_DIR="$2" ;;
        --contract) CONTRACT="$2" ;;
        --compose-file) COMPOSE_FILE="$2" ;;
        --dockerfile) DOCKERFILE="$2" ;;
        --shell-script) SHELL_SCRIPTS+=("$(realpath "$2")") ;;
        --yaml-file) YAML_FILES+=("$(realpath "$2")") ;;
      esac
      shift 2
      ;;
    -*) die "unknown option '$1' (see --help)" ;;
    *)
      [[ " ${ALL_CHECKS[*]} " == *" $1 "* ]] || die "unknown check '$1'; known: ${ALL_CHECKS[*]}"
      CHECKS+=("$1")
      shift
      ;;
  esac
done

((${#CHECKS[@]} > 0)) || CHECKS=("${ALL_CHECKS[@]}")
if ((${#SHELL_SCRIPTS[@]} == 0)); then
  while IFS= read -r file; do SHELL_SCRIPTS+=("$file"); done < <(repo_files '*.sh' '.ci/run')
fi
if ((${#YAML_FILES[@]} == 0)); then
  while IFS= read -r file; do YAML_FILES+=("$file"); done < <(repo_files '*.yml' '*.yaml')
fi

failed=()
for check in ${CHECKS[@]+"${CHECKS[@]}"}; do
  # A subshell run as a plain command keeps errexit in force inside the check; called from an `if`
  # condition, bash would ignore it there and a failing step could still end in "ok".
  set +e
  (
    set -e
    "check_${check//-/_}"
  )
  status=$?
  set -e
  ((status == 0)) || failed+=("$check")
done

if ((${#failed[@]} > 0)); then
  echo "check-static: FAILED: ${failed[*]+${failed[*]}}" >&2
  exit 1
fi
echo "check-static: all passed (${CHECKS[*]+${CHECKS[*]}})"
