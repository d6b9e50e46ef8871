package io.chatvector.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.util.Map;
import java.util.TreeMap;
import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.Test;

/** What executors get of the driver's Hadoop configuration. */
class SerializableConfigurationTest {
  @Test
  void everySettingArrivesAsItWasSet() throws Exception {
    Configuration conf = new Configuration();
    conf.set("fs.s3a.endpoint", "http://127.0.0.1:9000");
    conf.set("chatvector.test.non-ascii", "模型 – ü");
    conf.set("chatvector.test.long", "x".repeat(70_000));
    conf.set("chatvector.test.empty", "");

    Configuration received = roundTrip(new SerializableConfiguration(conf)).get();

    assertEquals(settings(conf), settings(received));
    assertEquals("模型 – ü", received.get("chatvector.test.non-ascii"));
    assertEquals(70_000, received.get("chatvector.test.long").length());
  }

  private static Map<String, String> settings(Configuration conf) {
    Map<String, String> settings = new TreeMap<>();
    conf.forEach(setting -> settings.put(setting.getKey(), setting.getValue()));
    return settings;
  }

  private static SerializableConfiguration roundTrip(SerializableConfiguration conf) throws Exception {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
      out.writeObject(conf);
    }
    try (ObjectInputStream in = new ObjectInputStream(new ByteArrayInputStream(bytes.toByteArray()))) {
      return (SerializableConfiguration) in.readObject();
    }
  }
}
