"""Airflow DAG: extract a chat vector once a week, then sweep it into every language CP model.

Relies on what the job guarantees: exit code 0 only when the output is complete (2 for bad input, 1 for
other failures), outputs published only when complete, and reruns that replace what a failed attempt left, so
Airflow's retries are safe. `--resume` lets a retry keep what the failed attempt finished (each segment checked
against its recorded checksum) instead of starting over. Client deploy mode keeps the exit codes; `--overwrite`
makes a manual re-trigger of a finished run rewrite its outputs.

Connection `spark_chatvector`: the cluster (for example host `yarn`, or `spark://master:7077`).
Variables: `chatvector_jar` (the thin jar, on a path or URL the cluster reads), `chatvector_root` (hdfs:// or
s3a:// prefix holding models/ and vectors/), `chatvector_sweep_root` (a shared mount for the sweep's outputs).
"""
from datetime import datetime, timedelta

from airflow import DAG
from airflow.providers.apache.spark.operators.spark_submit import SparkSubmitOperator

ROOT = "{{ var.value.chatvector_root }}"
LANGUAGES = ["zh", "ko", "ja"]

COMMON = dict(
    conn_id="spark_chatvector",
    application="{{ var.value.chatvector_jar }}",
    java_class="io.chatvector.cli.Main",
    deploy_mode="client",
    executor_memory="4g",
    executor_cores=2,
    conf={
        "spark.task.maxFailures": "4",
        "spark.speculation": "true",
        "spark.ui.showConsoleProgress": "false",
    },
    retries=2,
    retry_delay=timedelta(minutes=10),
)

with DAG(
    dag_id="chatvector_weekly_sweep",
    start_date=datetime(2026, 1, 1),
    schedule="@weekly",
    catchup=False,
    max_active_runs=1,
    tags=["llm", "chatvector"],
) as dag:
    vector = f"{ROOT}/vectors/llama2-chat-{{{{ ds_nodash }}}}"

    extract = SparkSubmitOperator(
        task_id="extract_chat_vector",
        name="chatvector-extract",
        application_args=[
            "extract",
            "--base", f"{ROOT}/models/Llama-2-7b",
            "--chat", f"{ROOT}/models/Llama-2-7b-chat",
            "--out", vector,
            "--resume",
            "--overwrite",
        ],
        **COMMON,
    )

    sweep_args = ["sweep"]
    for language in LANGUAGES:
        sweep_args += ["--cp", f"{ROOT}/models/Llama-2-7b-{language}"]
    sweep_args += [
        "--vector", f"{vector}:1.0",
        "--ratio", "0.5", "--ratio", "1.0",
        "--embeddings", "skip",
        "--keep-going",
        "--out-root", "{{ var.value.chatvector_sweep_root }}/{{ ds_nodash }}",
        "--resume",
        "--overwrite",
    ]
    sweep = SparkSubmitOperator(
        task_id="sweep_language_models",
        name="chatvector-sweep",
        application_args=sweep_args,
        **COMMON,
    )

    extract >> sweep
