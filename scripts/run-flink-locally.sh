#!/usr/bin/env bash
# Starts or stops the Dockerized Flink session cluster (docker/compose.yaml).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
COMPOSE_FILE="$ROOT/docker/compose.yaml"
PROJECT=flink-kickstarter
JARS=(datagen-job/target/datagen-job.jar avro-to-iceberg-job/target/avro-to-iceberg-job.jar)

usage() {
  cat <<'EOF'
Usage: scripts/run-flink-locally.sh up|down [options]

  up      build the image and start the stack, waiting until every service is healthy
  down    stop the stack (both profiles)

Options:
  --with=local|cloud    local (default): Flink + Kafka + Schema Registry + MinIO + Iceberg REST catalog,
                        no cloud account needed.
                        cloud: Flink only; the jobs read Confluent Cloud settings from AWS (terraform/).
  --profile=NAME        AWS CLI/SSO profile for --with=cloud (e.g. AdministratorAccess-0123456789); its
                        session is checked with the AWS CLI. Without it, the AWS_* variables of this
                        shell are passed through.
  --taskmanagers=N      number of TaskManagers (default 1)
  --purge               with down: also delete the volumes (Kafka data, MinIO objects, catalog, checkpoints)
  -h, --help            this help

The job jars are mounted from the build output, so build them first:
  ./mvnw -B -ntp package -DskipTests
Then submit jobs with scripts/submit-docker-job.sh. Flink's UI: http://localhost:8081
EOF
}

die() {
  echo "run-flink-locally: $*" >&2
  exit 1
}

compose() {
  "${COMPOSE[@]}" -p "$PROJECT" -f "$COMPOSE_FILE" "$@"
}

# Docker Compose v2 (`docker compose`) waits for health itself; v1 (`docker-compose`) >= 1.28 understands
# the profiles and start-up conditions but has no --wait.
find_compose() {
  command -v docker >/dev/null 2>&1 || die "docker is not installed (https://docs.docker.com/get-docker/)"
  if docker compose version >/dev/null 2>&1; then
    COMPOSE=(docker compose)
    WAIT=(--wait)
  elif command -v docker-compose >/dev/null 2>&1; then
    COMPOSE=(docker-compose)
    WAIT=()
  else
    die "Docker Compose is not installed (https://docs.docker.com/compose/install/)"
  fi
  docker info >/dev/null 2>&1 || die "the Docker engine is not reachable: start Docker (docker info fails)"
}

check_jars() {
  local jar missing=""
  for jar in "${JARS[@]}"; do
    [[ -f "$ROOT/$jar" ]] || missing+=" $jar"
  done
  # Docker would create a missing mount source as a root-owned directory, which breaks the next build.
  [[ -z "$missing" ]] || die "missing${missing}: build first with ./mvnw -B -ntp package -DskipTests"
}

check_aws_session() {
  if [[ -n "$AWS_SSO_PROFILE" ]]; then
    command -v aws >/dev/null 2>&1 || die "the AWS CLI is not installed (needed for --profile): https://aws.amazon.com/cli/"
    [[ -d "$HOME/.aws" ]] || die "$HOME/.aws does not exist: configure the profile with 'aws configure sso'"
    aws sts get-caller-identity --profile "$AWS_SSO_PROFILE" >/dev/null ||
      die "no valid session for profile '$AWS_SSO_PROFILE': run 'aws sso login --profile $AWS_SSO_PROFILE'"
    export AWS_PROFILE="$AWS_SSO_PROFILE"
    if [[ -z "${AWS_REGION:-}" ]]; then
      AWS_REGION="$(aws configure get region --profile "$AWS_SSO_PROFILE" || true)"
      [[ -n "$AWS_REGION" ]] || die "profile '$AWS_SSO_PROFILE' has no region: set AWS_REGION"
      export AWS_REGION
    fi
  elif [[ -z "${AWS_ACCESS_KEY_ID:-}" && -z "${AWS_PROFILE:-}" ]]; then
    die "--with=cloud needs AWS credentials: pass --profile=NAME or set AWS_PROFILE / AWS_ACCESS_KEY_ID"
  fi
  # The cloud services mount ~/.aws read-only; Docker would otherwise create it owned by root.
  mkdir -p "$HOME/.aws"
}

ACTION=""
WITH=local
AWS_SSO_PROFILE=""
TASKMANAGERS=1
PURGE=false
for arg in "$@"; do
  case "$arg" in
    up | down) ACTION="$arg" ;;
    --with=local | --with=cloud) WITH="${arg#--with=}" ;;
    --with=*) die "--with must be local or cloud, not '${arg#--with=}'" ;;
    --profile=?*) AWS_SSO_PROFILE="${arg#--profile=}" ;;
    --taskmanagers=*)
      TASKMANAGERS="${arg#--taskmanagers=}"
      [[ "$TASKMANAGERS" =~ ^[1-9][0-9]?$ ]] || die "--taskmanagers must be a number from 1 to 99"
      ;;
    --purge) PURGE=true ;;
    --chip=*) die "--chip is gone: the Flink image is multi-arch, Docker picks the right one" ;;
    -h | --help)
      usage
      exit 0
      ;;
    *) die "unknown argument '$arg' (see --help)" ;;
  esac
done
[[ -n "$ACTION" ]] || {
  usage >&2
  exit 1
}

find_compose
case "$ACTION" in
  up)
    check_jars
    if [[ "$WITH" == cloud ]]; then
      check_aws_session
      taskmanager_service=taskmanager-cloud
    else
      [[ -z "$AWS_SSO_PROFILE" ]] || die "--profile only applies to --with=cloud"
      taskmanager_service=taskmanager
    fi
    compose --profile "$WITH" up -d --build ${WAIT[@]+"${WAIT[@]}"} --scale "$taskmanager_service=$TASKMANAGERS"
    echo "Flink session cluster ($WITH) is up: http://localhost:8081"
    echo "Submit a job: scripts/submit-docker-job.sh --with=$WITH datagen"
    ;;
  down)
    down_args=(--remove-orphans)
    if [[ "$PURGE" == true ]]; then
      down_args+=(--volumes)
    fi
    compose --profile local --profile cloud down "${down_args[@]}"
    ;;
esac
