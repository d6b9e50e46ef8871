package io.chatvector;

import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Byte sizes as people write them: decimal units as in Hugging Face (5GB = 5 * 10^9), binary with "i". */
public final class Sizes {
  private static final Pattern SIZE = Pattern.compile("(\\d+(?:\\.\\d+)?)\\s*([KMGT]I?B?|B)?", Pattern.CASE_INSENSITIVE);

  private Sizes() {
  }

  public static long parse(String text) {
    Matcher match = SIZE.matcher(text.trim());
    if (!match.matches()) {
      throw new IllegalArgumentException("Cannot read size '" + text + "': expected a number with an optional unit"
          + " such as 500MB, 5GB or 2GiB");
    }
    String unit = match.group(2) == null ? "B" : match.group(2).toUpperCase(Locale.ROOT);
    boolean binary = unit.contains("I");
    int power = "BKMGT".indexOf(unit.charAt(0));
    double scale = Math.pow(binary ? 1024 : 1000, power);
    return Math.round(Double.parseDouble(match.group(1)) * scale);
  }

  public static String format(long bytes) {
    if (bytes < 1000) {
      return bytes + " B";
    }
    String units = "KMGTP";
    double value = bytes;
    int unit = -1;
    while (value >= 1000 && unit < units.length() - 1) {
      value /= 1000;
      unit++;
    }
    return String.format(Locale.ROOT, "%.2f %sB", value, units.charAt(unit));
  }
}
