package io.chatvector.cli;

import java.nio.file.AccessDeniedException;
import org.apache.hadoop.security.AccessControlException;

/**
 * Storage failures that are the user's to fix (a missing bucket, a permission), told as such; missing input paths are
 * found earlier, by name. Other I/O failures (an unreachable endpoint after Hadoop's retries, a file that cannot be
 * written) are the job's failure, exit code 1.
 */
final class StorageErrors {
  private StorageErrors() {
  }

  /** A one-line description of a bad-input storage failure in the cause chain, or null. */
  static String describe(Throwable e) {
    for (Throwable cause = e; cause != null; cause = cause.getCause()) {
      if (cause instanceof AccessControlException || cause instanceof AccessDeniedException) {
        return "permission denied: " + cause.getMessage();
      }
      if (cause.getClass().getSimpleName().equals("UnknownStoreException")) {
        return "bucket or store does not exist: " + cause.getMessage();
      }
    }
    return null;
  }
}
