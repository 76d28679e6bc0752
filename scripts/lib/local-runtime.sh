# shellcheck shell=bash
# Shared by scripts/local-stack.sh, scripts/submit-job.sh and scripts/run-pipeline.sh: where the local
# runtime lives, the ports it was started with, and the process helpers (pid files, readiness waits).
# Sourced, never run.

REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"

# shellcheck disable=SC2034 # used by the scripts that source this file
{
  FLINK_LIB="$REPO_ROOT/local-runtime/flink-cluster/target/lib"
  FLINK_CONF_TEMPLATE="$REPO_ROOT/local-runtime/flink-cluster/target/conf"
  KAFKA_LIB="$REPO_ROOT/local-runtime/kafka-broker/target/lib"
  KAFKA_CONF_TEMPLATE="$REPO_ROOT/local-runtime/kafka-broker/src/main/config"
  REGISTRY_JAR="$REPO_ROOT/local-runtime/schema-registry/target/schema-registry-app/apicurio-registry-runner.jar"
  REPORT_LIB="$REPO_ROOT/local-runtime/iceberg-report/target/lib"
  REPORT_JAR="$REPO_ROOT/local-runtime/iceberg-report/target/iceberg-report.jar"
  S3PROXY_LIB="$REPO_ROOT/local-runtime/s3proxy/target/lib"
  S3PROXY_LOGBACK="$REPO_ROOT/local-runtime/s3proxy/src/main/config/logback.xml"
  REST_CATALOG_LIB="$REPO_ROOT/local-runtime/iceberg-rest-catalog/target/iceberg-rest-catalog/lib"
}

# The S3 warehouse (--warehouse s3): S3Proxy's bucket and its local-only keys (the Docker stack's MinIO
# defaults), which the REST catalog, the Flink processes and the report pass to S3 through the AWS SDK.
# shellcheck disable=SC2034 # used by the scripts that source this file
{
  S3_BUCKET=warehouse
  S3_ACCESS_KEY=kickstarter
  S3_SECRET_KEY=kickstarter-local-only
  S3_REGION=us-east-1
}

# Everything a run writes (logs, pids, Kafka data, checkpoints, Iceberg warehouse) lives here.
STATE_DIR="${LOCAL_STACK_DIR:-$REPO_ROOT/.local}"

# Defaults; a running stack's own values come from $STATE_DIR/stack.env (see load_stack_settings).
KAFKA_PORT=9092
KAFKA_CONTROLLER_PORT=9093
REGISTRY_PORT=8085
FLINK_REST_PORT=8081
FLINK_RPC_PORT=6123
TASKMANAGERS=1
# local: the hadoop catalog in <state dir>/warehouse. s3: an Iceberg REST catalog with its warehouse in
# an S3 bucket (S3Proxy), the shape of the Docker stack (REST catalog + MinIO) and of AWS (Glue + S3).
WAREHOUSE=local
S3_PORT=9000
REST_CATALOG_PORT=8181

# Components in start order; stop runs in reverse. s3proxy and iceberg-rest run with --warehouse s3 only.
COMPONENTS=(kafka registry s3proxy iceberg-rest jobmanager)

say() { printf '%s\n' "$*"; }
die() {
  printf 'error: %s\n' "$*" >&2
  exit 1
}

set_state_dir() {
  mkdir -p "$1"
  STATE_DIR="$(cd "$1" && pwd)"
}

stack_env_file() { printf '%s/stack.env' "$STATE_DIR"; }
pid_file() { printf '%s/pids/%s.pid' "$STATE_DIR" "$1"; }
log_file() { printf '%s/logs/%s.log' "$STATE_DIR" "$1"; }
out_file() { printf '%s/logs/%s.out' "$STATE_DIR" "$1"; }
flink_conf_dir() { printf '%s/conf/flink' "$STATE_DIR"; }
warehouse_dir() { printf '%s/warehouse' "$STATE_DIR"; }
flink_rest_url() { printf 'http://localhost:%s' "$FLINK_REST_PORT"; }
s3_endpoint() { printf 'http://127.0.0.1:%s' "$S3_PORT"; }
rest_catalog_url() { printf 'http://127.0.0.1:%s/' "$REST_CATALOG_PORT"; }
registry_url() { printf 'http://localhost:%s/apis/ccompat/v7' "$REGISTRY_PORT"; }
bootstrap_servers() { printf 'localhost:%s' "$KAFKA_PORT"; }

taskmanager_components() {
  local i
  for ((i = 1; i <= TASKMANAGERS; i++)); do printf 'taskmanager-%d\n' "$i"; done
}

all_components() {
  local name
  for name in "${COMPONENTS[@]}"; do
    case "$name" in
      s3proxy | iceberg-rest) [[ "$WAREHOUSE" != s3 ]] || say "$name" ;;
      *) say "$name" ;;
    esac
  done
  taskmanager_components
}

# The avro-to-iceberg-job catalog flags for the stack's warehouse (none for the default hadoop one,
# whose --warehouse submit-job.sh adds). Credentials are not among them: see export_s3_environment.
iceberg_catalog_flags() {
  [[ "$WAREHOUSE" == s3 ]] || return 0
  printf '%s\n' --catalog-type rest --catalog.uri "$(rest_catalog_url)" \
    --catalog.io-impl org.apache.iceberg.aws.s3.S3FileIO --catalog.s3.endpoint "$(s3_endpoint)" \
    --catalog.s3.path-style-access true
}

# The AWS SDK's environment variables for S3Proxy, for the JVMs that read or write the S3 warehouse: the
# keys (kept off command lines and job flags, which logs and the process list show), and checksums only
# where S3 requires them (S3Proxy rejects the trailing CRC checksums the SDK adds to uploads by default).
export_s3_environment() {
  export AWS_ACCESS_KEY_ID="$S3_ACCESS_KEY" AWS_SECRET_ACCESS_KEY="$S3_SECRET_KEY" AWS_REGION="$S3_REGION" \
    AWS_REQUEST_CHECKSUM_CALCULATION=when_required AWS_RESPONSE_CHECKSUM_VALIDATION=when_required
}

# The ports (and TaskManager count) a stack was started with, so that status, stop and submit-job talk
# to the right processes.
load_stack_settings() {
  local file
  file="$(stack_env_file)"
  if [[ -f "$file" ]]; then
    # shellcheck source=/dev/null
    source "$file"
  fi
}

save_stack_settings() {
  mkdir -p "$STATE_DIR"
  cat >"$(stack_env_file)" <<EOF
KAFKA_PORT=$KAFKA_PORT
KAFKA_CONTROLLER_PORT=$KAFKA_CONTROLLER_PORT
REGISTRY_PORT=$REGISTRY_PORT
FLINK_REST_PORT=$FLINK_REST_PORT
FLINK_RPC_PORT=$FLINK_RPC_PORT
TASKMANAGERS=$TASKMANAGERS
WAREHOUSE=$WAREHOUSE
S3_PORT=$S3_PORT
REST_CATALOG_PORT=$REST_CATALOG_PORT
EOF
}

# The pid of a component if its process is alive. Every JVM we start carries -Dlocal.stack.component=NAME,
# so a pid reused by an unrelated process is never mistaken for ours (and never killed).
running_pid() {
  local file pid
  file="$(pid_file "$1")"
  [[ -f "$file" ]] || return 1
  pid="$(<"$file")"
  [[ "$pid" =~ ^[0-9]+$ ]] || return 1
  ps -o args= -p "$pid" 2>/dev/null | grep -q -- "-Dlocal.stack.component=$1 " || return 1
  printf '%s' "$pid"
}

# A pid file left behind by a process that is gone: the component crashed (or was killed).
crashed() {
  [[ -f "$(pid_file "$1")" ]] && ! running_pid "$1" >/dev/null
}

port_in_use() {
  (: <"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

http_ok() {
  curl -fsS -o /dev/null --max-time 3 "$1" 2>/dev/null
}

show_log_tail() {
  local name="$1" file
  for file in "$(log_file "$name")" "$(out_file "$name")"; do
    if [[ -s "$file" ]]; then
      say "---- last lines of $file ----"
      tail -n 40 "$file"
      say "----"
    fi
  done
}

# Starts a JVM in the background, detached from this shell, and records its pid.
# Usage: launch NAME java-args...
launch() {
  local name="$1"
  shift
  mkdir -p "$STATE_DIR/pids" "$STATE_DIR/logs"
  nohup java "-Dlocal.stack.component=$name" "$@" >"$(out_file "$name")" 2>&1 </dev/null &
  printf '%s' "$!" >"$(pid_file "$name")"
}

# Polls CHECK (a command) every second until it succeeds, printing a dot per second. Fails with the
# component's log tail when its process dies, or when TIMEOUT seconds pass.
# Usage: wait_for NAME TIMEOUT DESCRIPTION CHECK...
wait_for() {
  local name="$1" timeout="$2" description="$3" waited=0
  shift 3
  printf '  waiting for %s ' "$description"
  until "$@"; do
    if ! running_pid "$name" >/dev/null; then
      say " crashed"
      show_log_tail "$name"
      die "$name exited while starting (logs: $STATE_DIR/logs)"
    fi
    if ((waited >= timeout)); then
      say " timed out"
      show_log_tail "$name"
      die "$name was not ready after ${timeout}s (logs: $STATE_DIR/logs)"
    fi
    printf '.'
    sleep 1
    waited=$((waited + 1))
  done
  say " ready (${waited}s)"
}

# Sets KEY to VALUE in a "key: value" (Flink YAML) or "key=value" (Java properties) file, appending the
# key when the file lacks it. Usage: set_config FILE SEPARATOR KEY VALUE
set_config() {
  local file="$1" sep="$2" key="$3" value="$4" tmp
  tmp="$(mktemp)"
  awk -v key="$key" -v sep="$sep" -v value="$value" '
    index($0, key sep) == 1 { print key sep value; found = 1; next }
    { print }
    END { if (!found) print key sep value }
  ' "$file" >"$tmp"
  mv "$tmp" "$file"
}

require_java() {
  command -v java >/dev/null || die "java not found: install a Java 17 JDK (or newer) and put it on the PATH"
  local version
  version="$(java -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java.specification.version = //p')"
  if ! [[ "${version%%.*}" =~ ^[0-9]+$ ]] || ((${version%%.*} < 17)); then
    die "Java 17 or newer is needed, found Java $version"
  fi
  command -v curl >/dev/null || die "curl not found: the scripts talk to the Flink REST API with it"
}

# RUNNING, FINISHED, FAILED, ... of one job (empty when the JobManager does not answer).
flink_job_state() {
  curl -fsS --max-time 5 "$(flink_rest_url)/jobs/$1" 2>/dev/null | sed -n 's/.*"state":"\([A-Z_]*\)".*/\1/p'
}

# Jobs known to the JobManager, one per line: "JOB_ID STATE NAME".
flink_jobs() {
  local json
  json="$(curl -fsS --max-time 5 "$(flink_rest_url)/jobs/overview")" || return 1
  # One job object per line, then each field on its own (their order in the JSON is not relied on).
  # shellcheck disable=SC2001 # a newline before every match: clearer in sed than in ${json//...}
  sed 's/{"jid"/\n&/g' <<<"$json" | while IFS= read -r job; do
    [[ "$job" == '{"jid"'* ]] || continue
    printf '%s %s %s\n' \
      "$(sed -n 's/.*"jid":"\([^"]*\)".*/\1/p' <<<"$job")" \
      "$(sed -n 's/.*"state":"\([^"]*\)".*/\1/p' <<<"$job")" \
      "$(sed -n 's/.*"name":"\([^"]*\)".*/\1/p' <<<"$job")"
  done
}
