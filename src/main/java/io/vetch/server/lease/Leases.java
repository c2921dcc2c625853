package io.vetch.server.lease;

import io.vetch.api.mvccpb.Event;
import io.vertx.grpc.server.StatusException;
import java.util.List;

/** What applying entries needs of the leases (etcd's lessor), on the storage worker. */
public interface Leases {
  boolean exists(long id);

  /** Grants lease id with ttl seconds (raised to the minimum TTL); returns the TTL granted. */
  long grant(long id, long ttl) throws StatusException;

  /** Removes lease id; returns the keys attached to it, to delete in the same revision. */
  List<byte[]> revoke(long id) throws StatusException;

  /** A leader's checkpoint of a lease's remaining seconds (0 clears it). */
  void checkpoint(long id, long remaining);

  /** The keys attached to lease id (none when it does not exist). */
  List<byte[]> keys(long id);

  /** Follows the keys' attachments through a write's events. */
  void onEvents(List<Event> events);
}
