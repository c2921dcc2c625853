package io.vetch.wal;

import java.io.Closeable;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * Prepares the next segment file ahead of time on a background thread, like etcd's filePipeline: a {@code <n>.tmp}
 * file in the WAL directory filled with {@code size} real zeros and fsynced, so that rolling to it costs a rename
 * and fsyncs of already-allocated blocks.
 *
 * <p>{@link #take()} and {@link #close()} are called by the WAL's owner thread only; the pipeline's own daemon
 * thread only creates files. A {@code .tmp} file is never part of the WAL: {@link Wal#open} deletes leftovers.
 */
final class FilePipeline implements Closeable {
  static final String SUFFIX = ".tmp";
  private static final int ZERO_CHUNK = 1 << 20;

  private final Path dir;
  private final long size;
  private final ExecutorService executor;
  private long count;
  private Future<Path> next;

  FilePipeline(Path dir, long size) {
    this.dir = dir;
    this.size = size;
    this.executor = Executors.newSingleThreadExecutor(r -> {
      Thread t = new Thread(r, "vetch-wal-pipeline");
      t.setDaemon(true);
      return t;
    });
    this.next = prepare();
  }

  /** Waits for the prepared file and starts preparing the one after it. The caller owns the returned file. */
  Path take() throws IOException {
    try {
      return next.get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new InterruptedIOException("interrupted waiting for the next WAL segment");
    } catch (ExecutionException e) {
      throw e.getCause() instanceof IOException io ? io : new IOException(e.getCause());
    } finally {
      next = prepare();
    }
  }

  private Future<Path> prepare() {
    Path file = dir.resolve((count++ % 2) + SUFFIX);
    return executor.submit(() -> {
      try (FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
          StandardOpenOption.TRUNCATE_EXISTING)) {
        ByteBuffer zeros = ByteBuffer.allocateDirect((int) Math.min(ZERO_CHUNK, size));
        long pos = 0;
        while (pos < size) {
          zeros.clear().limit((int) Math.min(zeros.capacity(), size - pos));
          pos += ch.write(zeros, pos);
        }
        ch.force(true);
      }
      return file;
    });
  }

  /** Stops the background thread and deletes the file it prepared. */
  @Override
  public void close() throws IOException {
    executor.shutdown();
    try {
      Path unused = next.get();
      Files.deleteIfExists(unused);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (ExecutionException e) {
      // nothing usable was prepared; a partial .tmp is deleted by the next open
    }
  }
}
