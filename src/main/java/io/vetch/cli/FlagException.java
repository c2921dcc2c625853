package io.vetch.cli;

/**
 * A command line, environment or config file that vetch cannot run with. The message is
 * printed after "vetch: "; {@link #exitCode()} is what the process exits with: 2 for a usage
 * error (unknown flag, unparsable value, as Go's flag package), 1 for a configuration that
 * parses but fails etcd's verification (e.g. election timeout below 5 heartbeats).
 */
public final class FlagException extends Exception {
  public static final int USAGE = 2;
  public static final int INVALID_CONFIG = 1;

  private final int exitCode;

  public FlagException(int exitCode, String message) {
    super(message);
    this.exitCode = exitCode;
  }

  public int exitCode() {
    return exitCode;
  }
}
