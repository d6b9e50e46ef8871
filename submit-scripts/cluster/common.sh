# Shared by the cluster launchers: the application jar and the settings every chatvector job wants.
# Sourced, not run. Override with the environment variables below.
home="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"

# The thin application jar (our classes only; Spark and Hadoop come from the cluster): build it with
# `mvn -B -DskipTests package`, or point CHATVECTOR_JAR at a copy on HDFS, S3 or in a container image.
jar="${CHATVECTOR_JAR:-$home/target/chatvector-spark.jar}"
spark_submit="${SPARK_SUBMIT:-${SPARK_HOME:?set SPARK_HOME or SPARK_SUBMIT}/bin/spark-submit}"

# A task holds about (inputs + 1) x --chunk-size of buffers (chatvector ... --dry-run prints the figure), so
# modest executors do; more cores per executor means more tasks sharing its heap.
job_settings=(
  --class io.chatvector.cli.Main
  --conf "spark.executor.memory=${CHATVECTOR_EXECUTOR_MEMORY:-4g}"
  --conf "spark.executor.cores=${CHATVECTOR_EXECUTOR_CORES:-2}"
  --conf "spark.driver.memory=${CHATVECTOR_DRIVER_MEMORY:-2g}"
  # Task attempts write identical bytes, so retries and speculative copies are safe.
  --conf spark.task.maxFailures=4
  --conf spark.speculation=true
  --conf spark.ui.showConsoleProgress=false
)
