package io.vetch.mvcc.backend;

import java.util.ArrayList;
import java.util.List;

/** Runs a task split in parts, each on a thread of its own, for the store's open (the caller's thread takes part 0). */
public final class Parallel {
  private Parallel() {
  }

  /** One part of a task: part in [0, of). */
  @FunctionalInterface
  public interface Part {
    void run(int part, int of);
  }

  /** How many parts to split open-time work into: the processors, at most 4. */
  public static int parts() {
    return Math.max(1, Math.min(4, Runtime.getRuntime().availableProcessors()));
  }

  /** Runs task's parts 0..of-1 at once and returns when all are done, rethrowing the first failure. */
  public static void run(int of, Part task) {
    List<Thread> threads = new ArrayList<>();
    Throwable[] failed = new Throwable[of];
    for (int p = 1; p < of; p++) {
      int part = p;
      Thread t = new Thread(() -> {
        try {
          task.run(part, of);
        } catch (Throwable e) {
          failed[part] = e;
        }
      }, Thread.currentThread().getName() + "-" + p);
      t.start();
      threads.add(t);
    }
    try {
      task.run(0, of);
    } catch (Throwable e) {
      failed[0] = e;
    }
    boolean interrupted = false;
    for (Thread t : threads) {
      while (true) {
        try {
          t.join();
          break;
        } catch (InterruptedException e) {
          interrupted = true;
        }
      }
    }
    if (interrupted) {
      Thread.currentThread().interrupt();
    }
    for (Throwable e : failed) {
      if (e instanceof RuntimeException re) {
        throw re;
      }
      if (e instanceof Error err) {
        throw err;
      }
    }
  }
}
