#!/usr/bin/env bash
# chatvector on a Spark standalone cluster, driver on this machine (exit codes 0/1/2 come straight back):
#   submit-scripts/cluster/standalone.sh spark://master:7077 merge --cp ... --vector ... --out ...
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
master="${1:?usage: standalone.sh spark://HOST:PORT COMMAND [OPTIONS]}"
shift
exec "$spark_submit" --master "$master" --deploy-mode client "${job_settings[@]}" "$jar" "$@"
