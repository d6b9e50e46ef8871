package io.chatvector;

/**
 * A problem with what the user gave us (files, options, models): exit code 2, and a message that names the
 * file, the tensor and the problem.
 */
public class InvalidInputException extends RuntimeException {
  public InvalidInputException(String message) {
    super(message);
  }

  public InvalidInputException(String message, Throwable cause) {
    super(message, cause);
  }
}
