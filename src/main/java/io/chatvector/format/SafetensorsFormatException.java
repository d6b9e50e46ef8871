package io.chatvector.format;

import io.chatvector.InvalidInputException;

/** A safetensors file or header that breaks one of the format's rules. */
public class SafetensorsFormatException extends InvalidInputException {
  public SafetensorsFormatException(String file, String tensor, String problem) {
    super(describe(file, tensor, problem));
  }

  private static String describe(String file, String tensor, String problem) {
    StringBuilder message = new StringBuilder(file);
    if (tensor != null) {
      message.append(": tensor '").append(tensor).append('\'');
    }
    return message.append(": ").append(problem).toString();
  }
}
