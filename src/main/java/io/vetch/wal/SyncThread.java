package io.vetch.wal;

import java.io.IOException;
import java.util.concurrent.locks.LockSupport;

/**
 * A {@link Wal}'s own thread for {@link Wal#startSync}: runs one handed-over sync at a time while the Wal's owner goes
 * on with other work, and wakes the owner if it parked waiting. Parked while idle; stopped by {@link #stop}.
 * {@link #start} and {@link #await} belong to the owner thread, in turn; the hand-over through volatile fields makes
 * each side's writes visible to the other.
 */
final class SyncThread implements Runnable {
  private final Thread thread;
  private volatile Wal.Write job;
  private volatile boolean done = true;
  private volatile Throwable failure;
  /** How long the last job ran, in nanoseconds. */
  private volatile long tookNanos;
  /** The owner, while it is parked in {@link #await}. */
  private volatile Thread waiter;
  private volatile boolean stopped;

  SyncThread() {
    thread = new Thread(this, "vetch-wal-sync");
    thread.setDaemon(true);
    thread.start();
  }

  /** Hands job over; the previous one must have been awaited. */
  void start(Wal.Write j) {
    failure = null;
    done = false;
    job = j;
    LockSupport.unpark(thread);
    Thread.yield(); // woken onto this CPU (the other one busy), it starts the write before the owner goes on
  }

  /**
   * Returns once the job ran, throwing what it threw, with how long it ran in nanoseconds. Waits awake (yielding
   * its CPU to any thread that has work) up to spinNanos, then parks until the job's end wakes it.
   */
  long await(long spinNanos) throws IOException {
    if (!done && spinNanos > 0) {
      long deadline = System.nanoTime() + spinNanos;
      while (!done && System.nanoTime() - deadline < 0) {
        Thread.yield();
      }
    }
    if (!done) {
      waiter = Thread.currentThread();
      while (!done) {
        LockSupport.park(this);
      }
      waiter = null;
    }
    Throwable f = failure;
    if (f instanceof IOException io) {
      throw io;
    } else if (f instanceof RuntimeException re) {
      throw re;
    } else if (f instanceof Error err) {
      throw err;
    }
    return tookNanos;
  }

  /** Ends the thread once it is idle. */
  void stop() {
    stopped = true;
    LockSupport.unpark(thread);
  }

  @Override
  public void run() {
    while (!stopped) {
      Wal.Write j = job;
      if (j == null) {
        LockSupport.park(this);
        continue;
      }
      job = null;
      long t = System.nanoTime();
      try {
        j.run();
      } catch (IOException | RuntimeException | Error e) {
        failure = e;
      }
      tookNanos = System.nanoTime() - t;
      done = true;
      Thread w = waiter;
      if (w != null) {
        LockSupport.unpark(w);
      }
    }
  }
}
