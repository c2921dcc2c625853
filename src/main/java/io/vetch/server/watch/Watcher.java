package io.vetch.server.watch;

import com.google.protobuf.ByteString;
import io.vetch.api.etcdserverpb.WatchCreateRequest;
import io.vetch.api.mvccpb.Event;
import java.util.Comparator;
import java.util.List;

/**
 * One watcher of a {@link WatchStream}: its key range, filters and options, and nextRev, the lowest revision whose
 * matching events it has not been sent (every event below it was sent or did not match). A synced watcher is fed
 * from applied batches; an unsynced one catches up from the store. Confined to its stream's event loop.
 */
final class Watcher {
  private static final Comparator<ByteString> ORDER = ByteString.unsignedLexicographicalComparator();

  final long id;
  final WatchStream stream;
  /** First key; end is null for a single key, empty for every key from key on, else the exclusive end. */
  final ByteString key;
  final ByteString end;
  final boolean noPut;
  final boolean noDelete;
  final boolean prevKv;
  final boolean progressNotify;
  final boolean fragment;
  long nextRev;
  boolean synced;
  /** Whether events were sent since the last periodic progress notification. */
  boolean sentSinceProgress;
  /** Its place in its key's {@link KeyWatchers} while synced on a single key, else -1. */
  int slot = -1;

  Watcher(long id, WatchStream stream, ByteString key, ByteString end, WatchCreateRequest req, long nextRev) {
    this.id = id;
    this.stream = stream;
    this.key = key;
    this.end = end;
    this.noPut = req.getFiltersList().contains(WatchCreateRequest.FilterType.NOPUT);
    this.noDelete = req.getFiltersList().contains(WatchCreateRequest.FilterType.NODELETE);
    this.prevKv = req.getPrevKv();
    this.progressNotify = req.getProgressNotify();
    this.fragment = req.getFragment();
    this.nextRev = nextRev;
  }

  /** Whether its responses are the events as they are, one response a batch, nothing added nor left out. */
  boolean plain() {
    return !noPut && !noDelete && !prevKv && !fragment && !progressNotify;
  }

  boolean isSingleKey() {
    return end == null;
  }

  boolean contains(ByteString k) {
    if (end == null) {
      return key.equals(k);
    }
    return ORDER.compare(k, key) >= 0 && (end.isEmpty() || ORDER.compare(k, end) < 0);
  }

  /** Whether every one of events (in this watcher's range, in revision order) is one to send. */
  boolean wantsAll(List<Event> events) {
    return !noPut && !noDelete && events.get(0).getKv().getModRevision() >= nextRev;
  }

  /** Whether ev (in this watcher's range) is one to send: at or after nextRev, not filtered out. */
  boolean wants(Event ev) {
    if (ev.getKv().getModRevision() < nextRev) {
      return false;
    }
    return ev.getType() == Event.EventType.PUT ? !noPut : !noDelete;
  }
}
