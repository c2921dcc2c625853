package io.vetch.mvcc;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.vetch.testing.Fuzzing;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import java.util.zip.CRC32C;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/**
 * Fuzzes store images (the MVCC part of a Raft snapshot, received from a leader or kept in member/snap): the bytes
 * read by {@link StoreImage#scan} and installed by {@link KvStore#restoreImage} into a real store (Chronicle Map
 * backend), which then serves a read of every key and a HashKV. {@code image} takes the bytes as the whole file,
 * {@code withCrc} appends their CRC32C trailer first, so that the fuzzer gets past the checksum. Every input must
 * end in an IOException naming the damage (the store untouched) or an installed image that reads back.
 */
class StoreImageFuzzTest {
  private static Path dir;
  private static KvStore store;

  @BeforeAll
  static void open() throws IOException {
    dir = Fuzzing.scratch("image");
    store = KvStore.open(dir.resolve("store"), StoreFixture.SMALL);
  }

  @AfterAll
  static void close() throws IOException {
    store.close();
    Fuzzing.delete(dir);
  }

  @FuzzTest(maxDuration = "10m")
  void image(byte[] data) throws Exception {
    install(data);
  }

  @FuzzTest(maxDuration = "10m")
  void withCrc(byte[] data) throws Exception {
    CRC32C crc = new CRC32C();
    crc.update(data);
    install(ByteBuffer.allocate(data.length + 4).put(data).putInt((int) crc.getValue()).array());
  }

  private static void install(byte[] bytes) throws Exception {
    Path file = dir.resolve("image");
    Files.deleteIfExists(file);
    Files.write(file, bytes);
    try {
      StoreImage.scan(file, (main, sub, tombstone, kv, offset) -> { });
    } catch (IOException expected) {
      // damage named
    }
    try {
      store.restoreImage(file).close();
    } catch (IOException expected) {
      return; // damage named; the store is as it was
    }
    store.range(new byte[] {0}, new byte[] {0}, 0, 0, false);
    KvHash.compute(store, 0);
  }

  /** An image of a store with puts, an overwrite, a delete, a lease and a compaction. */
  static Map<String, Map<String, byte[]>> seeds() throws Exception {
    Path d = Fuzzing.scratch("image-seeds");
    try (KvStore s = KvStore.open(d.resolve("store"), StoreFixture.SMALL)) {
      StoreFixture.put(s, 1, "a", "1");
      StoreFixture.put(s, 2, "b", "2");
      StoreFixture.put(s, 3, "a", "3");
      StoreFixture.delete(s, 4, "b");
      WriteTxn t = s.write(5);
      t.put(StoreFixture.b("leased"), StoreFixture.b("v"), 7);
      t.end();
      s.compact(3, 6);
      while (!s.compactStep(100)) {
        // physical deletes
      }
      byte[] image = Files.readAllBytes(s.writeImage(d.resolve("image")));
      return Map.of("image", Map.of("store", image),
          "withCrc", Map.of("store", Arrays.copyOf(image, image.length - 4)));
    } finally {
      Fuzzing.delete(d);
    }
  }
}
