package io.vetch.mvcc;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link KvStore#NEW_STORE_BYTES}, what a member checks is free before it creates a store, covers a new store. */
class KvStoreSpaceTest {
  @TempDir
  Path dir;

  @Test
  void aNewStoreTakesNoMoreThanItsDeclaredSize() throws Exception {
    try (KvStore s = KvStore.open(dir.resolve("store"), StoreOptions.defaults())) {
      long bytes;
      try (Stream<Path> files = Files.walk(dir.resolve("store"))) {
        bytes = files.filter(Files::isRegularFile).mapToLong(p -> p.toFile().length()).sum();
      }
      assertTrue(bytes <= KvStore.NEW_STORE_BYTES, bytes + " bytes > " + KvStore.NEW_STORE_BYTES);
      assertTrue(bytes > KvStore.NEW_STORE_BYTES - (2 << 20), "the declared size is not far above the real one: " + bytes);
    }
  }
}
