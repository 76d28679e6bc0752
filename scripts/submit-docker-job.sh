#!/usr/bin/env bash
# Submits a job to the Dockerized session cluster by running `flink run` inside the JobManager container.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
COMPOSE_FILE="$ROOT/docker/compose.yaml"
PROJECT=flink-kickstarter

usage() {
  cat <<'EOF'
Usage: scripts/submit-docker-job.sh [--with=local|cloud] [--catalog-from-aws] datagen|avro-to-iceberg [-- job flags...]

Runs `flink run --detached` in the JobManager container of scripts/run-flink-locally.sh's stack, with the
flags that fit the profile; flags after `--` are appended and win over them (the last value counts).

  --with=local (default)  Kafka kafka:29092, Schema Registry http://schema-registry:8081; the Iceberg job
                          writes through the REST catalog http://iceberg-rest:8181 to s3://warehouse/ on MinIO
  --with=cloud            --config-source aws: Kafka and Schema Registry settings from AWS Secrets Manager
                          and SSM (terraform/), schemas looked up, not registered (Terraform did); the
                          Iceberg job uses a Hadoop catalog on the flink-warehouse volume
  --catalog-from-aws      with --with=cloud: no catalog flags, so the Iceberg job takes its catalog from the
                          SSM parameters under <prefix>/iceberg_catalog/ (and any --catalog.* flags you add)
  -h, --help              this help

Examples:
  scripts/submit-docker-job.sh datagen
  scripts/submit-docker-job.sh --with=cloud avro-to-iceberg -- --aws-prefix /my_prefix
EOF
}

die() {
  echo "submit-docker-job: $*" >&2
  exit 1
}

WITH=local
CATALOG_FROM_AWS=false
JOB=""
EXTRA=()
while (($# > 0)); do
  case "$1" in
    --with=local | --with=cloud) WITH="${1#--with=}" ;;
    --with=*) die "--with must be local or cloud, not '${1#--with=}'" ;;
    --catalog-from-aws) CATALOG_FROM_AWS=true ;;
    datagen | avro-to-iceberg) JOB="$1" ;;
    -h | --help)
      usage
      exit 0
      ;;
    --)
      shift
      EXTRA=("$@")
      break
      ;;
    *) die "unknown argument '$1' (see --help)" ;;
  esac
  shift
done
[[ -n "$JOB" ]] || {
  usage >&2
  exit 1
}
[[ "$CATALOG_FROM_AWS" == false || "$WITH" == cloud ]] || die "--catalog-from-aws only applies to --with=cloud"

case "$WITH" in
  local)
    service=jobmanager
    flags=(--config-source local --bootstrap-servers kafka:29092 --schema-registry-url http://schema-registry:8081)
    if [[ "$JOB" == avro-to-iceberg ]]; then
      flags+=(
        --catalog-type rest
        --catalog.uri http://iceberg-rest:8181
        --warehouse s3://warehouse/
        --catalog.io-impl org.apache.iceberg.aws.s3.S3FileIO
        --catalog.s3.endpoint http://minio:9000
        --catalog.s3.path-style-access true
      )
    fi
    ;;
  cloud)
    service=jobmanager-cloud
    # Terraform registers the schemas and grants the jobs read-only access to the subjects.
    flags=(--config-source aws --schema-registry.auto.register.schemas false)
    if [[ "$JOB" == avro-to-iceberg && "$CATALOG_FROM_AWS" == false ]]; then
      # JobManager and TaskManagers share this volume, so a Hadoop catalog on it works on one Docker host.
      flags+=(--catalog-type hadoop --warehouse file:///opt/flink/warehouse)
    fi
    ;;
esac

command -v docker >/dev/null 2>&1 || die "docker is not installed (https://docs.docker.com/get-docker/)"
if docker compose version >/dev/null 2>&1; then
  COMPOSE=(docker compose)
elif command -v docker-compose >/dev/null 2>&1; then
  COMPOSE=(docker-compose)
else
  die "Docker Compose is not installed (https://docs.docker.com/compose/install/)"
fi
docker info >/dev/null 2>&1 || die "the Docker engine is not reachable: start Docker (docker info fails)"

container="$("${COMPOSE[@]}" -p "$PROJECT" -f "$COMPOSE_FILE" --profile "$WITH" ps -q "$service" 2>/dev/null || true)"
[[ -n "$container" ]] || die "the $WITH JobManager is not running: start it with scripts/run-flink-locally.sh up --with=$WITH"

jar="/opt/flink/usrlib/$JOB-job/$JOB-job.jar"
echo "Submitting $jar to the $WITH session cluster" >&2
# As the flink user, like the JobManager and TaskManagers: its home, /opt/flink, is where compose mounts
# ~/.aws, so the AWS SDK in `flink run` (which reads the AWS settings for --config-source aws) finds the
# profiles and the cached SSO tokens (as root it would look in /root/.aws).
"${COMPOSE[@]}" -p "$PROJECT" -f "$COMPOSE_FILE" --profile "$WITH" exec -T --user flink "$service" \
  flink run --detached "$jar" "${flags[@]}" ${EXTRA[@]+"${EXTRA[@]}"}
