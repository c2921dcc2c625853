package io.vetch.mvcc;

/**
 * Sizing hints for the backend: how many keys the store is expected to hold and their average value size.
 * They only size the initial Chronicle Map; the map grows past them. They are read when the files are first
 * created; an existing store keeps the sizing it was created with.
 */
public record StoreOptions(long expectedKeys, int averageValueBytes) {
  public StoreOptions {
    if (expectedKeys <= 0 || averageValueBytes < 0) {
      throw new IllegalArgumentException("expectedKeys must be > 0 and averageValueBytes >= 0");
    }
  }

  public static StoreOptions defaults() {
    return new StoreOptions(100_000, 256);
  }
}
