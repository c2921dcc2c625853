package io.vetch.server.grpc;

import io.vertx.core.AsyncResult;
import io.vertx.core.Future;
import io.vertx.core.internal.ContextInternal;
import io.vertx.core.internal.PromiseInternal;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

/**
 * The linearizable reads that arrive on one event loop in one turn of it, waiting on one read-index request (as
 * etcd's linearizableReadLoop asks once for every read waiting). The request goes out after the reads the loop's
 * current I/O delivered have joined, so it is asked after each of them arrived, and its answer is theirs. Used only
 * on its event loop.
 */
final class ReadBatch {
  private final List<PromiseInternal<Long>> reads = new ArrayList<>();

  /**
   * Joins the batch that loop's current turn has open, or opens one whose request (made by ask on loop) goes out
   * once the tasks queued on loop before it have run. Completes on caller.
   */
  static Future<Long> join(Object key, ContextInternal caller, Supplier<Future<Long>> ask) {
    ContextInternal loop = caller.unwrap();
    ReadBatch batch = (ReadBatch) loop.contextData().get(key);
    if (batch == null) {
      ReadBatch opened = new ReadBatch();
      loop.contextData().put(key, opened);
      loop.runOnContext(v -> {
        loop.contextData().remove(key);
        ask.get().onComplete(opened::answer);
      });
      batch = opened;
    }
    PromiseInternal<Long> read = caller.promise();
    batch.reads.add(read);
    return read.future();
  }

  /** Completes every read of the batch with the request's outcome, each on its own context, at once. */
  private void answer(AsyncResult<Long> outcome) {
    for (PromiseInternal<Long> read : reads) {
      ProposalWait.completeNow(read, outcome.result(), outcome.cause());
    }
  }
}
