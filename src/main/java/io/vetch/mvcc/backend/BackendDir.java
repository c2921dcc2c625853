package io.vetch.mvcc.backend;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Comparator;
import java.util.List;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Which directory inside a store directory holds the live {@link Backend} files, and the atomic switch to a new
 * one (used to replace the whole store with a snapshot image):
 * <ul>
 *   <li>No {@code CURRENT} file: the backend files are in the store directory itself (the original layout;
 *       every store starts like this).</li>
 *   <li>{@code CURRENT} holds the name of a subdirectory {@code backend-<n>} that holds them.</li>
 * </ul>
 * A replacement is built completely (and fsynced) in a fresh {@code backend-<n>} directory, then
 * {@link #switchTo} writes {@code CURRENT.tmp}, fsyncs it, renames it over {@code CURRENT} (atomic) and fsyncs
 * the store directory. A crash before the rename leaves the old backend live and the new directory as garbage;
 * a crash after it leaves the new one live and the old files as garbage. {@link #resolve} deletes the garbage
 * of either case. Stateless; callers are the store's writer (or opening) thread.
 */
public final class BackendDir {
  static final String CURRENT = "CURRENT";
  private static final String CURRENT_TMP = "CURRENT.tmp";
  private static final String PREFIX = "backend-";
  private static final Pattern NAME = Pattern.compile("backend-[0-9]{1,18}");

  private BackendDir() {
  }

  /** The directory holding the live backend of storeDir, after deleting what an interrupted switch left. */
  public static Path resolve(Path storeDir) throws IOException {
    Path live = live(storeDir);
    removeInactive(storeDir, live);
    return live;
  }

  /** Creates an empty backend directory next to the live one, numbered above every existing one. */
  public static Path create(Path storeDir) throws IOException {
    long next = 1;
    for (Path p : backendDirs(storeDir)) {
      next = Math.max(next, number(p) + 1);
    }
    return Files.createDirectory(storeDir.resolve(PREFIX + next));
  }

  /**
   * Makes newDir (from {@link #create}, its backend already synced) the live backend, atomically and durably.
   * The previous backend's files stay until the caller has closed it and calls {@link #resolve}. If this
   * throws, whether the switch happened is unknown until the next {@link #resolve}.
   */
  public static void switchTo(Path storeDir, Path newDir) throws IOException {
    Path tmp = storeDir.resolve(CURRENT_TMP);
    try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
        StandardOpenOption.TRUNCATE_EXISTING)) {
      ch.write(ByteBuffer.wrap((newDir.getFileName() + "\n").getBytes(StandardCharsets.US_ASCII)));
      ch.force(true);
    }
    Files.move(tmp, storeDir.resolve(CURRENT), StandardCopyOption.ATOMIC_MOVE);
    try (FileChannel d = FileChannel.open(storeDir, StandardOpenOption.READ)) {
      d.force(true);
    }
  }

  private static Path live(Path storeDir) throws IOException {
    Path current = storeDir.resolve(CURRENT);
    if (!Files.exists(current)) {
      return storeDir;
    }
    String name = Files.readString(current, StandardCharsets.US_ASCII).trim();
    Path live = storeDir.resolve(name);
    if (!NAME.matcher(name).matches() || !Files.isDirectory(live)) {
      throw new IOException(current + " names no backend directory: '" + name + "'");
    }
    return live;
  }

  private static void removeInactive(Path storeDir, Path live) throws IOException {
    Files.deleteIfExists(storeDir.resolve(CURRENT_TMP));
    if (!live.equals(storeDir)) {
      Files.deleteIfExists(storeDir.resolve(Backend.REVISIONS_FILE));
      Files.deleteIfExists(storeDir.resolve(Backend.META_FILE));
      Files.deleteIfExists(storeDir.resolve(Backend.CLEAN_FILE));
    }
    for (Path p : backendDirs(storeDir)) {
      if (!p.equals(live)) {
        deleteTree(p);
      }
    }
  }

  private static List<Path> backendDirs(Path storeDir) throws IOException {
    if (!Files.isDirectory(storeDir)) {
      return List.of();
    }
    try (Stream<Path> s = Files.list(storeDir)) {
      return s.filter(p -> NAME.matcher(p.getFileName().toString()).matches() && Files.isDirectory(p))
          .toList();
    }
  }

  private static long number(Path backendDir) {
    return Long.parseLong(backendDir.getFileName().toString().substring(PREFIX.length()));
  }

  /** Deletes dir and everything under it, if it exists (backend directories, and the server's scratch trees). */
  public static void deleteTree(Path dir) throws IOException {
    if (!Files.exists(dir)) {
      return;
    }
    try (Stream<Path> s = Files.walk(dir)) {
      for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
        Files.delete(p);
      }
    } catch (UncheckedIOException e) {
      throw e.getCause();
    }
  }
}
