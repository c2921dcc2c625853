package io.vetch.server.base;

import io.vetch.failpoint.Failpoints;
import io.vetch.failpoint.StorageFault;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;

/** Small state files replaced crash-safely: a reader after any crash finds the old bytes or the new, whole. */
public final class DurableFile {
  private DurableFile() {}

  /**
   * Writes bytes to file.tmp, fsyncs it, renames it over file (atomic) and fsyncs the directory. A failure throws a
   * {@link StorageFault} naming the file.
   */
  public static void replace(Path file, byte[] bytes) throws IOException {
    Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
    try {
      Failpoints.check(Failpoints.MEMBER_FILE_WRITE, file);
      Files.write(tmp, bytes);
      try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE)) {
        ch.force(true);
      }
    } catch (IOException e) {
      throw new StorageFault("member file write", file, e);
    }
    try {
      Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      try (FileChannel dir = FileChannel.open(file.toAbsolutePath().getParent(), StandardOpenOption.READ)) {
        dir.force(true);
      }
    } catch (IOException e) {
      throw new StorageFault("member file rename", file, e);
    }
  }
}
