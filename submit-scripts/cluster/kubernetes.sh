#!/usr/bin/env bash
# chatvector on Kubernetes (cluster mode: the driver runs in a pod). The image needs Spark 4 (with hadoop-aws
# for S3) and the jar: set CHATVECTOR_JAR=local:///opt/chatvector/chatvector-spark.jar for a jar baked into
# the image, or an s3a:// or https:// URL.
#   submit-scripts/cluster/kubernetes.sh https://k8s-api:6443 registry/spark:4.2.0 merge --cp s3a://... --out s3a://...
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
api="${1:?usage: kubernetes.sh K8S_API_URL IMAGE COMMAND [OPTIONS]}"
image="${2:?usage: kubernetes.sh K8S_API_URL IMAGE COMMAND [OPTIONS]}"
shift 2
exec "$spark_submit" --master "k8s://$api" --deploy-mode cluster \
  --conf "spark.kubernetes.container.image=$image" \
  --conf "spark.kubernetes.namespace=${CHATVECTOR_NAMESPACE:-default}" \
  --conf "spark.kubernetes.authenticate.driver.serviceAccountName=${CHATVECTOR_SERVICE_ACCOUNT:-spark}" \
  "${job_settings[@]}" "$jar" "$@"
