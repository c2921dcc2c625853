package io.vetch.server.v2stats;

/**
 * etcd's statsQueue: the last 200 requests' times and sizes; the rate of requests and bytes per second over them,
 * zero once the newest is more than a second old. Guarded by its owner's lock.
 */
final class RateQueue {
  private static final int CAPACITY = 200;
  private final long[] times = new long[CAPACITY];
  private final int[] sizes = new int[CAPACITY];
  private int size;
  private int front;
  private int back = -1;
  private long totalSize;

  void insert(int bytes) {
    back = (back + 1) % CAPACITY;
    if (size == CAPACITY) {
      totalSize -= sizes[front];
      front = (back + 1) % CAPACITY;
    } else {
      size++;
    }
    times[back] = System.nanoTime();
    sizes[back] = bytes;
    totalSize += bytes;
  }

  /** {packets per second, bytes per second}. */
  double[] rate() {
    if (size == 0) {
      return new double[2];
    }
    if (System.nanoTime() - times[back] > 1_000_000_000L) {
      size = 0;
      front = 0;
      back = -1;
      totalSize = 0;
      return new double[2];
    }
    double sample = times[back] - times[front];
    return new double[] {size / sample * 1e9, totalSize / sample * 1e9};
  }
}
