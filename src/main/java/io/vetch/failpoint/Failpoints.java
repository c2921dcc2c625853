package io.vetch.failpoint;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Test-only storage failpoints, after etcd's gofail: named points in the storage paths that a test can make fail as
 * the disk would. Off unless the process was started with the system property {@code vetch.failpoints} or the
 * environment variable {@code VETCH_FAILPOINTS} set (even to nothing); when off, {@link #check} is a test of a static
 * final boolean that the JIT removes.
 *
 * <p>Points: {@code walWrite}, {@code walFsync}, {@code walCreate} (a new segment), {@code storeWrite},
 * {@code storeFsync}, {@code snapWrite}, {@code memberFileWrite}, and {@code storageProbe} (the write a member whose
 * storage failed makes to see whether it works again: a test keeps the "disk" failed with it).
 *
 * <p>Syntax (gofail's where it fits): {@code name=term;name=term...}, a term {@code [count*]error(ERRNO)[@fragment]}
 * or {@code off}. ERRNO is {@code ENOSPC}, {@code EIO}, {@code EROFS} or {@code EDQUOT}: the point throws the
 * IOException the JDK throws for that error ({@code "No space left on device"}...). {@code count*} fires count
 * times, then the point is off; {@code @fragment} fires only for files whose path contains fragment (to fail one
 * member of several in one JVM). Example: {@code VETCH_FAILPOINTS="walFsync=1*error(EIO)"}.
 */
public final class Failpoints {
  /** Whether failpoints can fire in this process at all (decided once, at class load). */
  public static final boolean ENABLED = System.getProperty("vetch.failpoints") != null
      || System.getenv("VETCH_FAILPOINTS") != null;

  public static final String WAL_WRITE = "walWrite";
  public static final String WAL_FSYNC = "walFsync";
  public static final String WAL_CREATE = "walCreate";
  public static final String STORE_WRITE = "storeWrite";
  public static final String STORE_FSYNC = "storeFsync";
  public static final String SNAP_WRITE = "snapWrite";
  public static final String MEMBER_FILE_WRITE = "memberFileWrite";
  public static final String STORAGE_PROBE = "storageProbe";

  private static final Map<String, String> ERRORS = Map.of(
      "ENOSPC", "No space left on device",
      "EIO", "Input/output error",
      "EROFS", "Read-only file system",
      "EDQUOT", "Disk quota exceeded");

  private record Term(String message, AtomicLong left, String fragment) {}

  private static final Map<String, Term> ACTIVE = new ConcurrentHashMap<>();
  private static final AtomicLong FIRED = new AtomicLong();

  static {
    if (ENABLED) {
      String spec = System.getProperty("vetch.failpoints", System.getenv("VETCH_FAILPOINTS"));
      if (spec != null) {
        for (String part : spec.split(";")) {
          if (!part.isBlank()) {
            int eq = part.indexOf('=');
            if (eq < 0) {
              throw new IllegalArgumentException("failpoint without '=': " + part);
            }
            set(part.substring(0, eq).trim(), part.substring(eq + 1).trim());
          }
        }
      }
    }
  }

  private Failpoints() {}

  /** Throws what the point named name is set to throw for file, if failpoints are enabled and it is set. */
  public static void check(String name, Path file) throws IOException {
    if (ENABLED) {
      fire(name, file);
    }
  }

  /** As {@link #check}, for paths that cannot throw IOException: the IOException comes wrapped, unchecked. */
  public static void checkUnchecked(String name, Path file) {
    if (ENABLED) {
      try {
        fire(name, file);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
  }

  /** Sets point name to term ({@code off} clears it). Throws IllegalStateException when failpoints are off. */
  public static void set(String name, String term) {
    if (!ENABLED) {
      throw new IllegalStateException("failpoints are off: start with -Dvetch.failpoints= or VETCH_FAILPOINTS");
    }
    if (term.equals("off")) {
      ACTIVE.remove(name);
      return;
    }
    String t = term;
    String fragment = null;
    int at = t.indexOf('@');
    if (at >= 0) {
      fragment = t.substring(at + 1);
      t = t.substring(0, at);
    }
    long count = Long.MAX_VALUE;
    int star = t.indexOf('*');
    if (star >= 0) {
      count = Long.parseLong(t.substring(0, star));
      t = t.substring(star + 1);
    }
    if (!t.startsWith("error(") || !t.endsWith(")")) {
      throw new IllegalArgumentException("failpoint " + name + ": expected [N*]error(ERRNO)[@path] or off: " + term);
    }
    String errno = t.substring("error(".length(), t.length() - 1);
    String message = ERRORS.get(errno);
    if (message == null) {
      throw new IllegalArgumentException("failpoint " + name + ": unknown error " + errno + "; one of " + ERRORS.keySet());
    }
    ACTIVE.put(name, new Term(message, new AtomicLong(count), fragment));
  }

  /** Turns every point off. */
  public static void clear() {
    ACTIVE.clear();
  }

  /** How many times a point has fired in this process. */
  public static long fired() {
    return FIRED.get();
  }

  private static void fire(String name, Path file) throws IOException {
    Term t = ACTIVE.get(name);
    if (t == null || (t.fragment() != null && !String.valueOf(file).contains(t.fragment()))) {
      return;
    }
    if (t.left().getAndDecrement() <= 0) {
      ACTIVE.remove(name, t);
      return;
    }
    FIRED.incrementAndGet();
    throw new IOException(t.message());
  }
}
