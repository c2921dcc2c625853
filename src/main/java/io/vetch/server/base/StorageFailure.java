package io.vetch.server.base;

import io.vetch.failpoint.StorageFault;
import io.vertx.grpc.common.GrpcStatus;
import io.vertx.grpc.server.StatusException;
import java.util.Locale;

/**
 * Why this member's storage failed (see the README's "When the disk fails"): the operation, the file and the
 * operating system's error. Once a member has one it keeps it for the rest of the process: writes and linearizable
 * reads fail at once with {@link #error()}, health checks report {@link #reason()}.
 *
 * @param operation what was being done ({@code wal write}, {@code wal fsync}, {@code store write}...)
 * @param file the file, or null when not known
 * @param osError the operating system's error text ({@code No space left on device})
 */
public record StorageFailure(String operation, String file, String osError) {
  /** What t says failed: the {@link StorageFault} among its causes, else t itself in an unnamed file. */
  public static StorageFailure of(Throwable t) {
    StorageFault f = StorageFault.in(t);
    if (f != null) {
      return new StorageFailure(f.operation(), String.valueOf(f.file()), StorageFault.osError(f.getCause()));
    }
    return new StorageFailure("storage", null, StorageFault.osError(t));
  }

  /** The error every write and linearizable read gets: UNAVAILABLE, so clients try another member. */
  public StatusException error() {
    return new StatusException(GrpcStatus.UNAVAILABLE, "etcdserver: storage failure: " + reason());
  }

  /** {@code no space left on device (wal write)}. */
  public String reason() {
    String os = osError.isEmpty() ? osError : osError.substring(0, 1).toLowerCase(Locale.ROOT) + osError.substring(1);
    return os + " (" + operation + ")";
  }

  /** The log line: {@code storage failure: wal write member/wal/...wal: No space left on device}. */
  public String logLine() {
    return "storage failure: " + operation + (file == null ? "" : " " + file) + ": " + osError;
  }
}
