package io.chatvector.spark;

import java.io.IOException;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.io.Serializable;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;

/**
 * A Hadoop configuration that travels with a job's tasks (Configuration itself is not Serializable). Only the
 * settings travel, as UTF-8 pairs: {@code Configuration.write} also gzips each setting's list of sources, a
 * compressor per setting at every job's start, and executors do not use the sources.
 */
public final class SerializableConfiguration implements Serializable {
  private transient Configuration conf;

  public SerializableConfiguration(Configuration conf) {
    this.conf = conf;
  }

  public Configuration get() {
    return conf;
  }

  private void writeObject(ObjectOutputStream out) throws IOException {
    out.defaultWriteObject();
    List<Map.Entry<String, String>> settings = new ArrayList<>(conf.size());
    conf.forEach(settings::add);
    out.writeInt(settings.size());
    for (Map.Entry<String, String> setting : settings) {
      writeString(out, setting.getKey());
      writeString(out, setting.getValue());
    }
  }

  private void readObject(ObjectInputStream in) throws IOException, ClassNotFoundException {
    in.defaultReadObject();
    conf = new Configuration(false);
    for (int settings = in.readInt(); settings > 0; settings--) {
      conf.set(readString(in), readString(in));
    }
  }

  // writeUTF stops at 64 KiB; a setting (a credential provider list, a long class path) may be longer.
  private static void writeString(ObjectOutputStream out, String value) throws IOException {
    byte[] bytes = value.getBytes(StandardCharsets.UTF_8);
    out.writeInt(bytes.length);
    out.write(bytes);
  }

  private static String readString(ObjectInputStream in) throws IOException {
    byte[] bytes = new byte[in.readInt()];
    in.readFully(bytes);
    return new String(bytes, StandardCharsets.UTF_8);
  }
}
