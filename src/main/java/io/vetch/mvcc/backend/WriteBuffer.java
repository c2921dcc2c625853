package io.vetch.mvcc.backend;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The backend's writes, taken off the writer's thread (etcd's backend likewise buffers a batch transaction's writes
 * and commits them every batch interval): the writer queues each map write and goes on, and at the end of its batch
 * a committer thread of the backend's own writes the queue to the maps in order, then again about every
 * {@link #INTERVAL_NANOS} while writes keep coming. A batch of fewer than {@link #MIN_HANDOFF} writes while the
 * committer sleeps is written by the writer itself (a serial load: waking a thread would cost more). In order, so that
 * what a crash leaves in the shared-memory maps is always a prefix of the writes: a consistent index never gets
 * ahead of its records. Readers look queued values up in the backend's own views of what is queued.
 *
 * <p>Threading: every method but the committer's own belongs to the writer; {@link #drain} returns once everything
 * queued before it is in the maps. A write the committer fails is kept, and every later {@link #add} or
 * {@link #drain} throws it. Never on an event loop: {@link #drain} may wait for the committer's current round.
 */
final class WriteBuffer {
  /** How long the committer gathers writes between two rounds. */
  static final long INTERVAL_NANOS = TimeUnit.MILLISECONDS.toNanos(1);
  /** Fewer queued writes at a batch's end, with the committer asleep, are written by the writer itself. */
  static final int MIN_HANDOFF = 8;
  /** Queued writes beyond which the writer writes them itself (the committer fell behind). */
  static final int MAX_QUEUED = 4096;

  /** One queued write: apply it to the map, then forget what readers saw of it. */
  interface Write {
    void apply();

    void written();
  }

  private final ReentrantLock writing = new ReentrantLock(); // held while a round writes to the maps
  private final Object queueLock = new Object();
  private List<Write> queue = new ArrayList<>();
  private boolean idle; // the committer is parked without a deadline: batchEnded wakes it
  private volatile boolean closed;
  private volatile RuntimeException failure;
  private final Thread committer;

  WriteBuffer(String name) {
    committer = new Thread(this::run, name);
    committer.setDaemon(true);
    committer.start();
  }

  /** Queues w, to be written by {@link #batchEnded} at the latest. Writer thread. */
  void add(Write w) {
    throwIfFailed();
    int size;
    synchronized (queueLock) {
      queue.add(w);
      size = queue.size();
    }
    if (size > MAX_QUEUED) {
      drain();
    }
  }

  /** The writer ended a batch: hands what is queued to the committer, or writes it when little. Writer thread. */
  void batchEnded() {
    boolean wake;
    boolean self;
    synchronized (queueLock) {
      wake = idle && queue.size() >= MIN_HANDOFF;
      self = idle && !wake && !queue.isEmpty();
      if (wake) {
        idle = false;
      }
    }
    if (wake) {
      LockSupport.unpark(committer);
    } else if (self) {
      drain();
    }
  }

  /** Writes everything queued so far to the maps before returning. Writer thread. */
  void drain() {
    writing.lock();
    try {
      write(take());
    } finally {
      writing.unlock();
    }
    throwIfFailed();
  }

  /** Stops the committer; with flush, after writing what is queued (else it is dropped). Writer thread. */
  void close(boolean flush) {
    try {
      if (flush) {
        drain();
      }
    } finally {
      closed = true;
      LockSupport.unpark(committer);
      try {
        committer.join(TimeUnit.SECONDS.toMillis(10));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }

  private List<Write> take() {
    synchronized (queueLock) {
      if (queue.isEmpty()) {
        return List.of();
      }
      List<Write> taken = queue;
      queue = new ArrayList<>(Math.max(16, taken.size()));
      return taken;
    }
  }

  private void write(List<Write> writes) {
    if (failure != null) {
      return;
    }
    for (int i = 0; i < writes.size(); i++) {
      Write w = writes.get(i);
      try {
        w.apply();
      } catch (RuntimeException e) {
        failure = e; // what is queued after it is not written: the maps keep a prefix
        return;
      }
      w.written();
    }
  }

  private void throwIfFailed() {
    RuntimeException f = failure;
    if (f != null) {
      throw f;
    }
  }

  private void run() {
    while (!closed) {
      boolean wrote;
      writing.lock();
      try {
        List<Write> writes = take();
        wrote = !writes.isEmpty();
        write(writes);
      } finally {
        writing.unlock();
      }
      if (wrote) {
        LockSupport.parkNanos(INTERVAL_NANOS);
        continue;
      }
      synchronized (queueLock) {
        if (!queue.isEmpty()) {
          continue;
        }
        idle = true;
      }
      LockSupport.park();
    }
  }
}
