#!/usr/bin/env bash
# `flink run -d` of a job's fat jar on the local Flink session cluster (scripts/local-stack.sh start):
# Flink's own CLI (CliFrontend) with the cluster's classpath and configuration.
set -euo pipefail

# shellcheck source=scripts/lib/local-runtime.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib/local-runtime.sh"

usage() {
  cat <<EOF
Usage: scripts/submit-job.sh [--state-dir DIR] <datagen|iceberg|JAR> [job flags...]

Submits a job, detached, to the local Flink session cluster and prints its job id.
  datagen   datagen-job/target/datagen-job.jar (Sky One and Sunset Air flights into Kafka)
  iceberg   avro-to-iceberg-job/target/avro-to-iceberg-job.jar (Kafka into Iceberg tables)
  JAR       any other job jar (its manifest names the main class)

Unless the job flags set them (or choose --config-source aws), the local stack's addresses are added:
  --bootstrap-servers localhost:<kafka port>
  --schema-registry-url http://localhost:<registry port>/apis/ccompat/v7
  --warehouse file://<state dir>/warehouse   (iceberg only, unless the stack runs with --warehouse s3:
      --catalog-type rest --catalog.uri <its REST catalog> --catalog.io-impl S3FileIO
      --catalog.s3.endpoint <its S3 API> --catalog.s3.path-style-access true)
Job flags: see datagen-job/README.md and avro-to-iceberg-job/README.md.

  --state-dir DIR   the local stack's state dir (default .local/; env LOCAL_STACK_DIR)
  -h, --help        this help
EOF
}

has_flag() {
  local flag="$1" arg
  shift
  for arg in "$@"; do
    [[ "$arg" == "$flag" || "$arg" == "$flag="* ]] && return 0
  done
  return 1
}

job_jar() {
  case "$1" in
    datagen) printf '%s' "$REPO_ROOT/datagen-job/target/datagen-job.jar" ;;
    iceberg) printf '%s' "$REPO_ROOT/avro-to-iceberg-job/target/avro-to-iceberg-job.jar" ;;
    *.jar) printf '%s' "$1" ;;
    *)
      usage >&2
      die "unknown job '$1': datagen, iceberg or a path to a jar"
      ;;
  esac
}

# The CLI's own error report ("The program finished with the following exception: ..."), or the log's tail.
show_cli_error() {
  local log="$1" start
  start="$(grep -n 'The program finished with the following exception' "$log" | tail -n 1 | cut -d: -f1)"
  if [[ -n "$start" ]]; then
    tail -n "+$start" "$log" | head -n 30
  else
    tail -n 40 "$log"
  fi
}

main() {
  while (($#)); do
    case "$1" in
      -h | --help)
        usage
        return 0
        ;;
      --state-dir)
        set_state_dir "${2:?--state-dir needs a value}"
        shift 2
        ;;
      *) break ;;
    esac
  done
  if (($# == 0)); then
    usage >&2
    exit 2
  fi
  local job="$1" jar
  shift
  jar="$(job_jar "$job")"
  [[ -f "$jar" ]] || die "$jar is missing: run ./mvnw -DskipTests package"
  require_java
  load_stack_settings
  running_pid jobmanager >/dev/null ||
    die "the Flink JobManager of $STATE_DIR is not running: scripts/local-stack.sh start"

  local flag job_flags=("$@")
  if ! has_flag --config-source "$@"; then
    has_flag --bootstrap-servers "$@" || job_flags+=(--bootstrap-servers "$(bootstrap_servers)")
    has_flag --schema-registry-url "$@" || job_flags+=(--schema-registry-url "$(registry_url)")
    if [[ "$job" == iceberg ]] && ! has_flag --warehouse "$@" && ! has_flag --catalog.warehouse "$@" &&
      ! has_flag --catalog-type "$@"; then
      if [[ "$WAREHOUSE" == s3 ]]; then
        while IFS= read -r flag; do job_flags+=("$flag"); done < <(iceberg_catalog_flags)
      else
        job_flags+=(--warehouse "file://$(warehouse_dir)")
      fi
    fi
  fi

  # S3Proxy's keys, should the job's main touch the S3 warehouse (the cluster's processes have them too).
  if [[ "$WAREHOUSE" == s3 ]]; then export_s3_environment; fi
  local -a java_opts
  read -r -a java_opts <<<"$(sed -n 's/^env\.java\.opts\.all: *//p' "$(flink_conf_dir)/config.yaml")"
  say "Submitting $(basename "$jar") to $(flink_rest_url) with: ${job_flags[*]+${job_flags[*]}}"
  # The job id goes to stdout; the CLI's stderr joins its log file: after a successful submission it only
  # carries noise, such as Hadoop's shutdown hook failing once the CLI closed the job's class loader.
  local cli_log
  cli_log="$(log_file flink-cli)"
  if ! FLINK_CONF_DIR="$(flink_conf_dir)" java ${java_opts[@]+"${java_opts[@]}"} \
    "-Dlog.file=$cli_log" "-Dlog4j.configurationFile=file:$(flink_conf_dir)/log4j-cli.properties" \
    -cp "$FLINK_LIB/*" org.apache.flink.client.cli.CliFrontend run -d "$jar" ${job_flags[@]+"${job_flags[@]}"} 2>>"$cli_log"; then
    show_cli_error "$cli_log"
    die "flink run failed (CLI log: $cli_log)"
  fi
}

main "$@"
