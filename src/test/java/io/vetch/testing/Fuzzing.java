package io.vetch.testing;

import java.io.IOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.Map;

/**
 * Helpers of the fuzz tests ({@code *FuzzTest}, Jazzer's {@code @FuzzTest}): a scratch directory per test class, and
 * the seed corpora, which each fuzz test class makes with vetch's own writers in a static {@code seeds()} method
 * (target method -> seed name -> bytes) and {@link FuzzSeeds} writes to {@code src/test/resources}.
 */
public final class Fuzzing {
  private Fuzzing() {}

  /** A fresh scratch directory for one fuzz test class: in memory (/dev/shm) where there is one, for speed. */
  public static Path scratch(String name) {
    try {
      Path shm = Path.of("/dev/shm");
      return Files.isDirectory(shm) && Files.isWritable(shm) ? Files.createTempDirectory(shm, "vetch-fuzz-" + name)
          : Files.createTempDirectory("vetch-fuzz-" + name);
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Deletes dir and everything below it, if it exists. */
  public static void delete(Path dir) throws IOException {
    if (dir == null || !Files.exists(dir)) {
      return;
    }
    Files.walkFileTree(dir, new SimpleFileVisitor<>() {
      @Override
      public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
        Files.delete(file);
        return FileVisitResult.CONTINUE;
      }

      @Override
      public FileVisitResult postVisitDirectory(Path d, IOException e) throws IOException {
        Files.delete(d);
        return FileVisitResult.CONTINUE;
      }
    });
  }

  /** Empties dir (keeping it). */
  public static void clear(Path dir) throws IOException {
    try (var entries = Files.list(dir)) {
      for (Path p : (Iterable<Path>) entries::iterator) {
        if (Files.isDirectory(p)) {
          delete(p);
        } else {
          Files.delete(p);
        }
      }
    }
  }
}
