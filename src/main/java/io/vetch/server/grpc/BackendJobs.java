package io.vetch.server.grpc;

import io.vetch.server.bus.StorageImage;
import io.vertx.core.Future;

/** The storage worker's long jobs on the MVCC backend, which take time in proportion to the store. */
public interface BackendJobs {
  /** An image of the store as of the worker's applied index: a file the caller deletes. */
  Future<StorageImage> storeImage();

  /** Defragments the store; completes when the new backend is live. */
  Future<Void> defragment();
}
