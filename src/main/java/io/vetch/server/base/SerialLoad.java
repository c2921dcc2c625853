package io.vetch.server.base;

/**
 * Whether this JVM's members see their writes one at a time, close together (a client waiting for each answer
 * before it sends the next): a latency-bound load, under which a thread that waits awake for the next request saves
 * every request a wake-up. The storage worker ({@code StorageHandoff}) extends it with every such batch, so it ends
 * by itself soon after the last; the event loops' select strategy ({@code cli.SpinningEpoll}) reads it. Any thread;
 * a hint, never a guarantee.
 */
public final class SerialLoad {
  /** System.nanoTime() until which the load counts as serial; 0: it does not. */
  private static volatile long until;

  private SerialLoad() {}

  /** Whether the load counts as serial at this System.nanoTime(). */
  public static boolean at(long now) {
    long u = until;
    return u != 0 && now - u < 0;
  }

  /** The load is serial until this System.nanoTime(). */
  public static void until(long nanos) {
    until = nanos == 0 ? 1 : nanos;
  }

  /** The load is serial until at least this System.nanoTime(). */
  public static void extend(long nanos) {
    long u = until;
    if (u == 0 || u - nanos < 0) {
      until(nanos);
    }
  }

  /** The load is not serial; written only if it was, so busy batches do not dirty a shared cache line. */
  public static void off() {
    if (until != 0) {
      until = 0;
    }
  }
}
