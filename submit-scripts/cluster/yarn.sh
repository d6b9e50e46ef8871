#!/usr/bin/env bash
# chatvector on YARN. Client mode (the default here) keeps the job's exit codes (0 done, 2 bad input,
# 1 failure) and its summary on this machine; CHATVECTOR_DEPLOY_MODE=cluster runs the driver in YARN, where
# spark-submit only reports success or failure.
#   submit-scripts/cluster/yarn.sh sweep --cp hdfs:///cp/zh --cp hdfs:///cp/ko --vector hdfs:///v/chat --out-root /mnt/out
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
exec "$spark_submit" --master yarn --deploy-mode "${CHATVECTOR_DEPLOY_MODE:-client}" \
  --conf spark.yarn.maxAppAttempts=1 "${job_settings[@]}" "$jar" "$@"
