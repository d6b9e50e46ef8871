package io.chatvector.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.apache.spark.SparkConf;
import org.junit.jupiter.api.Test;

class TaskSlotsTest {
  private static int slots(String master, String... settings) {
    SparkConf conf = new SparkConf(false).setMaster(master);
    for (int i = 0; i < settings.length; i += 2) {
      conf.set(settings[i], settings[i + 1]);
    }
    return TaskSlots.of(conf);
  }

  @Test
  void readsTheSlotsFromTheMasterOrTheSettings() {
    int cores = Runtime.getRuntime().availableProcessors();
    assertEquals(1, slots("local"));
    assertEquals(cores, slots("local[*]"));
    assertEquals(cores, slots("local[*,3]"));
    assertEquals(6, slots("local[6]"));
    assertEquals(6, slots("local[6,2]"));
    assertEquals(6, slots("local-cluster[2,3,1024]"));
    assertEquals(40, slots("yarn", "spark.executor.instances", "10", "spark.executor.cores", "4"));
    assertEquals(96, slots("spark://master:7077", "spark.default.parallelism", "96"));
    assertEquals(96, slots("local[2]", "spark.default.parallelism", "96"));
    assertEquals(0, slots("spark://master:7077"), "unknown");
    assertEquals(0, slots("k8s://https://api:6443", "spark.executor.instances", "10"), "cores unknown");
  }
}
