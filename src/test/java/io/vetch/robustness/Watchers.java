package io.vetch.robustness;

import io.vetch.api.etcdserverpb.WatchCreateRequest;
import io.vetch.api.etcdserverpb.WatchProgressRequest;
import io.vetch.api.etcdserverpb.WatchRequest;
import io.vetch.api.etcdserverpb.WatchResponse;
import io.vetch.api.mvccpb.Event;
import io.vertx.core.streams.WriteStream;
import com.google.protobuf.ByteString;
import java.util.ArrayList;
import java.util.List;

/**
 * A watcher of the whole key space on each member, from a given revision. When its stream breaks (the member was
 * killed, restarted, replaced) it resumes from its last revision + 1, on the same member or the next one that
 * answers; it asks for a progress notification every second. Everything it receives goes into its log for
 * {@link WatchChecker}. Runs on the cluster's Vert.x event loop.
 */
final class Watchers {
  private final ProcessCluster cluster;
  private final List<W> watchers = new ArrayList<>();
  private volatile boolean stopped;
  final List<String> problems = java.util.Collections.synchronizedList(new ArrayList<>());

  private final class W {
    final String name;
    final long start;
    final List<WatchChecker.Response> log = new ArrayList<>();
    int member;
    long last;
    WriteStream<WatchRequest> requests;
    int resumes;
    final List<String> reasons = new ArrayList<>();

    W(int member, long start) {
      this.name = "watcher@r" + member;
      this.member = member;
      this.start = start;
      this.last = start - 1;
    }

    /** The stream now open; a break of an older one is ignored. */
    int stream;

    void open() {
      if (stopped) {
        return;
      }
      int mine = ++stream;
      java.util.function.Consumer<Object> broke = why -> {
        if (mine == stream) {
          if (reasons.size() < 5) {
            reasons.add(String.valueOf(why));
          }
          stream++;
          retry();
        }
      };
      cluster.watch(member).watch((ws, err) -> {
        if (err != null) {
          broke.accept(err);
          return;
        }
        requests = ws;
        ws.write(WatchRequest.newBuilder().setCreateRequest(WatchCreateRequest.newBuilder()
            .setKey(ByteString.copyFrom(new byte[] {0})).setRangeEnd(ByteString.copyFrom(new byte[] {0}))
            .setStartRevision(last + 1)).build());
      }).onFailure(broke::accept).onSuccess(rs -> {
        rs.handler(this::onResponse);
        rs.exceptionHandler(broke::accept);
        rs.endHandler(v -> broke.accept("end"));
      });
    }

    void onResponse(WatchResponse r) {
      synchronized (this) {
        if (r.getCanceled()) {
          problems.add(name + " canceled: " + r.getCancelReason() + " (compact revision " + r.getCompactRevision()
              + ")");
          return;
        }
        if (r.getCreated()) {
          return;
        }
        if (r.getEventsCount() == 0) {
          log.add(new WatchChecker.Response(r.getHeader().getRevision(), true, List.of()));
          return;
        }
        List<WatchChecker.Event> es = new ArrayList<>();
        for (Event e : r.getEventsList()) {
          es.add(new WatchChecker.Event(e.getKv().getModRevision(), e.getKv().getKey().toStringUtf8(),
              e.getType() == Event.EventType.PUT,
              e.getType() == Event.EventType.PUT ? e.getKv().getValue().toStringUtf8() : null));
          last = Math.max(last, e.getKv().getModRevision());
        }
        log.add(new WatchChecker.Response(last, false, es));
      }
    }

    void retry() {
      requests = null;
      if (stopped) {
        return;
      }
      resumes++;
      cluster.vertx().setTimer(300, t -> {
        member = (member + (resumes % 3 == 0 ? 1 : 0)) % cluster.size(); // mostly the same member, at times the next
        open();
      });
    }

    synchronized long last() {
      return last;
    }

    synchronized WatchChecker.Log snapshot() {
      return new WatchChecker.Log(name, start, new ArrayList<>(log));
    }
  }

  Watchers(ProcessCluster cluster) {
    this.cluster = cluster;
  }

  void start(long fromRevision) {
    for (int i = 0; i < cluster.size(); i++) {
      W w = new W(i, fromRevision);
      watchers.add(w);
    }
    cluster.vertx().runOnContext(v -> watchers.forEach(W::open));
    cluster.vertx().setPeriodic(1_000, t -> {
      if (stopped) {
        cluster.vertx().cancelTimer(t);
        return;
      }
      for (W w : watchers) {
        if (w.requests != null) {
          w.requests.write(WatchRequest.newBuilder().setProgressRequest(WatchProgressRequest.getDefaultInstance())
              .build());
        }
      }
    });
  }

  /** Waits until every watcher has seen revision rev (or the timeout). */
  void awaitRevision(long rev, long timeoutMs) throws InterruptedException {
    long deadline = System.currentTimeMillis() + timeoutMs;
    while (watchers.stream().anyMatch(w -> w.last() < rev) && System.currentTimeMillis() < deadline) {
      Thread.sleep(50);
    }
    for (W w : watchers) {
      if (w.last() < rev) {
        problems.add(w.name + " reached only revision " + w.last() + " of " + rev + "; its streams broke: "
            + w.reasons);
      }
    }
  }

  int resumes() {
    return watchers.stream().mapToInt(w -> w.resumes).sum();
  }

  List<WatchChecker.Log> stop() {
    stopped = true;
    cluster.vertx().runOnContext(v -> watchers.forEach(w -> {
      if (w.requests != null) {
        w.requests.end();
      }
    }));
    return watchers.stream().map(W::snapshot).toList();
  }
}
