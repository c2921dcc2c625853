package io.vetch.failpoint;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Locale;

/**
 * A failed storage operation, naming what was done to which file and what the operating system answered:
 * {@code wal fsync member/wal/0000000000000000-0000000000000001.wal: Input/output error}. The storage layers wrap
 * the IOException (or a memory-mapped write's fault) of every write, fsync, create and rename in one, so whoever
 * stops the member can say exactly what failed.
 */
public final class StorageFault extends IOException {
  private final String operation;
  private final Path file;

  public StorageFault(String operation, Path file, Throwable cause) {
    super(operation + " " + file + ": " + osError(cause), cause);
    this.operation = operation;
    this.file = file;
  }

  /** What was being done: {@code wal write}, {@code wal fsync}, {@code store write}, {@code snapshot write}... */
  public String operation() {
    return operation;
  }

  public Path file() {
    return file;
  }

  /** The operating system's error text in t or its causes ({@code No space left on device}), else t's message. */
  public static String osError(Throwable t) {
    for (Throwable c = t; c != null; c = c.getCause()) {
      String m = String.valueOf(c.getMessage());
      for (String known : KNOWN) {
        if (m.contains(known)) {
          return known;
        }
      }
      if (m.toLowerCase(Locale.ROOT).contains("not enough space to fallocate")) {
        return "No space left on device";
      }
      if (c instanceof InternalError && m.contains("unsafe memory access")) {
        return "memory-mapped write failed (SIGBUS: no space left on device or an I/O error)";
      }
    }
    return t.getClass().getSimpleName() + ": " + t.getMessage();
  }

  private static final String[] KNOWN = {
      "No space left on device", "Input/output error", "Read-only file system", "Disk quota exceeded",
      "Too many open files", "Permission denied"};

  /** The StorageFault in t's causes, or null. */
  public static StorageFault in(Throwable t) {
    for (Throwable c = t; c != null; c = c.getCause()) {
      if (c instanceof StorageFault f) {
        return f;
      }
    }
    return null;
  }
}
