#!/usr/bin/env bash
# The whole pipeline on this machine, in one command: builds what is missing, starts the local stack
# (Kafka, schema registry, Flink session cluster), submits avro-to-iceberg-job and datagen-job, waits until
# the generated flights are committed to Iceberg, and prints what landed.
set -euo pipefail

# shellcheck source=scripts/lib/local-runtime.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib/local-runtime.sh"

SCRIPTS_DIR="$REPO_ROOT/scripts"
RAW_TABLES=(airlines.skyone airlines.sunset)
FLIGHT_TABLE=airlines.flight
# Start of the ingestion job's name (StreamExecutionEnvironment#execute), to find it in the REST API.
INGESTION_JOB_NAME="avro-to-iceberg"
# Fast enough to be done in seconds, slow enough to watch the rows arrive in the Flink UI.
DATAGEN_RECORDS_PER_SECOND=200

records_per_airline=1000
timeout_seconds=300
stop_after=0
stack_options=()
warehouse_option=local
datagen_job=""
ingestion_job=""

usage() {
  cat <<EOF
Usage: scripts/run-pipeline.sh [options]

Builds what is missing (./mvnw -DskipTests package), starts the local stack, submits avro-to-iceberg-job
(unless it is running already) and datagen-job, waits until the flights are in Iceberg, then prints row
counts, sample rows and the Flink UI URL. The stack keeps running: stop it with
scripts/local-stack.sh stop (or pass --stop). Re-running is safe: each run adds another batch of flights.

  --records-per-airline N   flights datagen-job generates per airline (default $records_per_airline)
  --timeout SECONDS         how long to wait for the rows (default $timeout_seconds)
  --stop                    stop the stack at the end
  --warehouse local|s3      local (default): Iceberg tables in <state dir>/warehouse (hadoop catalog).
                            s3: an Iceberg REST catalog with the tables in an S3 bucket (S3Proxy), written
                            through S3FileIO, as in the Docker stack and on AWS (see local-stack.sh --help)
  --kafka-port N, --kafka-controller-port N, --registry-port N, --flink-port N, --flink-rpc-port N,
  --taskmanagers N, --s3-port N, --rest-catalog-port N, --state-dir DIR
                            passed to scripts/local-stack.sh start (see its --help)
  -h, --help                this help
EOF
}

# ---- Build -------------------------------------------------------------------------------------------

required_artifacts() {
  printf '%s\n' "$FLINK_CONF_TEMPLATE/config.yaml" "$FLINK_LIB" "$KAFKA_LIB" "$REGISTRY_JAR" "$REPORT_JAR" \
    "$REPO_ROOT/datagen-job/target/datagen-job.jar" "$REPO_ROOT/avro-to-iceberg-job/target/avro-to-iceberg-job.jar"
  if [[ "$warehouse_option" == s3 ]]; then printf '%s\n' "$S3PROXY_LIB" "$REST_CATALOG_LIB"; fi
}

# Missing artifacts, or a pom or source file changed since this script last built.
build_needed() {
  local artifact stamp="$1"
  while read -r artifact; do
    [[ -e "$artifact" ]] || return 0
  done < <(required_artifacts)
  [[ -f "$stamp" ]] || return 0
  [[ -n "$(find "$REPO_ROOT" \( -name target -o -name .git -o -name .local -o -name node_modules \) -prune \
    -o -type f \( -name pom.xml -o -path '*/src/*' \) -newer "$stamp" -print -quit)" ]]
}

build_if_needed() {
  local stamp="$STATE_DIR/build.stamp" log="$STATE_DIR/build.log"
  local modules=datagen-job,avro-to-iceberg-job,local-runtime/flink-cluster,local-runtime/kafka-broker
  modules+=,local-runtime/schema-registry,local-runtime/iceberg-report
  if [[ "$warehouse_option" == s3 ]]; then modules+=,local-runtime/s3proxy,local-runtime/iceberg-rest-catalog; fi
  if ! build_needed "$stamp"; then
    say "Build is up to date"
    return 0
  fi
  mkdir -p "$STATE_DIR"
  say "Building the jobs and the local runtime (the first build downloads dependencies: a few minutes)"
  # Tests are left to ./mvnw verify; this builds what the run needs.
  if ! (cd "$REPO_ROOT" && ./mvnw -B -ntp -DskipTests package -pl "$modules" -am 2>&1) | tee "$log" | sed -n 's/^\[INFO\] Building \(.*\)/  building \1/p'; then
    tail -n 40 "$log"
    die "the build failed (full log: $log)"
  fi
  touch "$stamp"
}

# ---- Jobs and tables ---------------------------------------------------------------------------------

running_ingestion_job() {
  local id job_state job_name
  while read -r id job_state job_name; do
    if [[ "$job_name" == "$INGESTION_JOB_NAME"* && "$job_state" == RUNNING ]]; then
      printf '%s' "$id"
      return 0
    fi
  done < <(flink_jobs)
  return 1
}

# Submits a job with submit-job.sh, shows what it printed, and prints the job id to stdout (last line).
submit() {
  local output
  if ! output="$("$SCRIPTS_DIR/submit-job.sh" --state-dir "$STATE_DIR" "$@" 2>&1)"; then
    printf '%s\n' "$output" >&2
    die "submitting $1 failed"
  fi
  printf '%s\n' "$output" | sed 's/^/  /' >&2
  local job_id
  job_id="$(sed -n 's/.*submitted with JobID \([0-9a-f]*\).*/\1/p' <<<"$output")"
  [[ -n "$job_id" ]] || die "flink run printed no job id for $1"
  printf '%s\n' "$job_id"
}

# The ingestion job reads the value schemas from the registry when it starts: datagen registers them.
wait_for_subjects() {
  local subjects waited=0
  printf '  waiting for datagen-job to register its schemas '
  until subjects="$(curl -fsS --max-time 3 "$(registry_url)/subjects" 2>/dev/null)" &&
    [[ "$subjects" == *'"airline.skyone-value"'* && "$subjects" == *'"airline.sunset-value"'* ]]; do
    fail_if_job_failed "$datagen_job"
    ((waited < 120)) || die "datagen-job registered no schemas within 120s: see $(flink_rest_url) and $STATE_DIR/logs"
    printf '.'
    sleep 1
    waited=$((waited + 1))
  done
  say " done"
}

# Where IcebergReport reads the tables: the stack's hadoop warehouse directory, or its REST catalog.
set_report_source() {
  if [[ "$WAREHOUSE" == s3 ]]; then
    export_s3_environment
    report_source=(--catalog type=rest --catalog "uri=$(rest_catalog_url)"
      --catalog io-impl=org.apache.iceberg.aws.s3.S3FileIO --catalog "s3.endpoint=$(s3_endpoint)"
      --catalog s3.path-style-access=true)
  else
    report_source=(--warehouse "$(warehouse_dir)")
  fi
}

warehouse_description() {
  if [[ "$WAREHOUSE" == s3 ]]; then
    printf 'REST catalog %s, s3://%s/ on %s' "$(rest_catalog_url)" "$S3_BUCKET" "$(s3_endpoint)"
  else
    warehouse_dir
  fi
}

table_counts() {
  java -cp "$REPORT_JAR:$REPORT_LIB/*" dev.flinkkickstarter.localruntime.IcebergReport \
    "${report_source[@]}" --counts "${RAW_TABLES[@]}" "$FLIGHT_TABLE"
}

count_of() {
  local table="$1" counts="$2"
  awk -v table="$table" '$1 == table { print $2 }' <<<"$counts"
}

fail_if_job_failed() {
  local job_id
  for job_id in "$@"; do
    if [[ "$(flink_job_state "$job_id")" == FAILED ]]; then
      show_log_tail taskmanager-1
      die "job $job_id failed: see $(flink_rest_url)/#/job/completed/$job_id/exceptions and $STATE_DIR/logs"
    fi
  done
}

# Waits until every raw table holds its baseline plus this run's flights, and the flight table both.
wait_for_rows() {
  local baseline="$1" started="$SECONDS" counts table target line done_tables
  say "Waiting for the flights to be committed to Iceberg (commits happen on Flink checkpoints; timeout ${timeout_seconds}s)"
  while true; do
    counts="$(table_counts)" || die "could not read the Iceberg warehouse $(warehouse_description)"
    line="" done_tables=0
    for table in "${RAW_TABLES[@]}" "$FLIGHT_TABLE"; do
      target=$(($(count_of "$table" "$baseline") + records_per_airline))
      [[ "$table" == "$FLIGHT_TABLE" ]] && target=$(($(count_of "$table" "$baseline") + records_per_airline * ${#RAW_TABLES[@]}))
      line+="  $table $(count_of "$table" "$counts")/$target"
      if (($(count_of "$table" "$counts") >= target)); then done_tables=$((done_tables + 1)); fi
    done
    say "  [$(printf '%3d' $((SECONDS - started)))s]$line"
    if ((done_tables == ${#RAW_TABLES[@]} + 1)); then return 0; fi
    fail_if_job_failed "$datagen_job" "$ingestion_job"
    ((SECONDS - started < timeout_seconds)) || die "the rows did not arrive within ${timeout_seconds}s: see $(flink_rest_url) and $STATE_DIR/logs"
    sleep 5
  done
}

main() {
  while (($#)); do
    case "$1" in
      --records-per-airline) records_per_airline="${2:?--records-per-airline needs a value}" && shift ;;
      --timeout) timeout_seconds="${2:?--timeout needs a value}" && shift ;;
      --stop) stop_after=1 ;;
      --warehouse)
        warehouse_option="${2:?--warehouse needs a value}"
        [[ "$warehouse_option" == local || "$warehouse_option" == s3 ]] ||
          die "--warehouse must be local or s3, got '$warehouse_option'"
        stack_options+=("$1" "$2") && shift
        ;;
      --state-dir)
        set_state_dir "${2:?--state-dir needs a value}"
        stack_options+=("$1" "$STATE_DIR") && shift
        ;;
      --kafka-port | --kafka-controller-port | --registry-port | --flink-port | --flink-rpc-port | --taskmanagers | \
        --s3-port | --rest-catalog-port)
        stack_options+=("$1" "${2:?$1 needs a value}") && shift
        ;;
      -h | --help)
        usage
        return 0
        ;;
      *)
        usage >&2
        die "unknown argument: $1"
        ;;
    esac
    shift
  done
  [[ "$records_per_airline" =~ ^[1-9][0-9]*$ ]] || die "--records-per-airline must be a positive number"
  [[ "$timeout_seconds" =~ ^[1-9][0-9]*$ ]] || die "--timeout must be a positive number"
  require_java

  build_if_needed
  "$SCRIPTS_DIR/local-stack.sh" start ${stack_options[@]+"${stack_options[@]}"}
  load_stack_settings
  set_report_source

  local baseline
  baseline="$(table_counts)" || die "could not read the Iceberg warehouse $(warehouse_description)"
  say "Submitting datagen-job: $records_per_airline flights per airline"
  datagen_job="$(submit datagen --max-records "$records_per_airline" \
    --records-per-second "$DATAGEN_RECORDS_PER_SECOND" --checkpoint-interval 5s | tail -n 1)"
  if ingestion_job="$(running_ingestion_job)"; then
    say "avro-to-iceberg-job is already running (job $ingestion_job): it picks up the new flights"
  else
    wait_for_subjects
    say "Submitting avro-to-iceberg-job"
    # Rows become visible with each checkpoint (the Iceberg commit): every 5 s instead of the job's 60 s.
    ingestion_job="$(submit iceberg --checkpoint-interval 5s | tail -n 1)"
  fi

  wait_for_rows "$baseline"
  say ""
  say "What landed in Iceberg ($(warehouse_description)):"
  java -cp "$REPORT_JAR:$REPORT_LIB/*" dev.flinkkickstarter.localruntime.IcebergReport \
    "${report_source[@]}" --sample 3 "${RAW_TABLES[@]}" "$FLIGHT_TABLE"
  say ""
  say "Flink jobs:"
  flink_jobs | sed 's/^/  /'
  say ""
  say "Flink UI: $(flink_rest_url)"
  if ((stop_after)); then
    "$SCRIPTS_DIR/local-stack.sh" stop --state-dir "$STATE_DIR"
  else
    say "The stack keeps running (avro-to-iceberg-job ingests whatever arrives); stop it with: scripts/local-stack.sh stop"
  fi
}

main "$@"
