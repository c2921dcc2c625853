package io.vetch.raft;

import io.vetch.api.raftpb.Entry;
import io.vetch.api.raftpb.Message;
import io.vetch.api.raftpb.MessageType;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Merges the append traffic one Ready carries to each peer. A leader makes MsgApps for the entries proposed since
 * the last Ready and one per commit advance; a follower a MsgAppResp per MsgApp it handled. Unmerged, each would be
 * encoded, sent, stepped and answered on its own.
 *
 * <p>Two messages to the same peer, with no other message to that peer between them, become one:
 * <ul>
 *   <li>MsgApp then a MsgApp that continues it (same term; its index and log term are those of the first's last
 *       entry): one MsgApp with both runs of entries and the later commit index, while the entries stay within
 *       maxBytes, wanting an answer if either did ({@code noReply} only if both had it). The follower appends them
 *       as it would have appended each, and answers once.</li>
 *   <li>MsgAppResp (accepted) then a MsgAppResp (accepted, same term, an index as high): the later one, which
 *       acknowledges everything the earlier one did.</li>
 * </ul>
 * Everything else is kept, in order. The result is what the peer would have done with the messages one by one.
 */
final class AppendBatching {
  private AppendBatching() {}

  static List<Message> merge(List<Message> msgs, long maxBytes) {
    if (msgs.size() < 2) {
      return List.copyOf(msgs);
    }
    List<Object> out = new ArrayList<>(msgs.size()); // Message, or Message.Builder while it grows
    long[] bytes = new long[msgs.size()];
    Map<Long, Integer> lastTo = new HashMap<>(); // peer -> position in out of its latest message
    for (Message m : msgs) {
      Integer at = lastTo.get(m.getTo());
      if (at != null) {
        Object prev = out.get(at);
        MessageType type = type(prev);
        if (m.getType() == MessageType.MsgApp && type == MessageType.MsgApp) {
          Message.Builder b = builder(out, at);
          long add = size(m.getEntriesList());
          if (continues(b, m) && (bytes[at] + add <= maxBytes || m.getEntriesCount() == 0)) {
            b.addAllEntries(m.getEntriesList()).setCommit(Math.max(b.getCommit(), m.getCommit()))
                .setNoReply(b.getNoReply() && m.getNoReply());
            bytes[at] += add;
            continue;
          }
        } else if (m.getType() == MessageType.MsgAppResp && type == MessageType.MsgAppResp) {
          Message p = (Message) prev; // only MsgApps grow into builders
          if (!p.getReject() && !m.getReject() && p.getTerm() == m.getTerm() && m.getIndex() >= p.getIndex()) {
            out.set(at, m);
            continue;
          }
        }
      }
      lastTo.put(m.getTo(), out.size());
      if (m.getType() == MessageType.MsgApp) {
        bytes[out.size()] = size(m.getEntriesList());
      }
      out.add(m);
    }
    List<Message> merged = new ArrayList<>(out.size());
    for (Object o : out) {
      merged.add(o instanceof Message.Builder b ? b.build() : (Message) o);
    }
    return List.copyOf(merged);
  }

  private static MessageType type(Object o) {
    return o instanceof Message.Builder b ? b.getType() : ((Message) o).getType();
  }

  private static Message.Builder builder(List<Object> out, int at) {
    Object o = out.get(at);
    if (o instanceof Message.Builder b) {
      return b;
    }
    Message.Builder b = ((Message) o).toBuilder();
    out.set(at, b);
    return b;
  }

  /** Whether m appends right after the last entry b carries (or after b's index, when b carries none). */
  private static boolean continues(Message.Builder b, Message m) {
    if (b.getTerm() != m.getTerm() || b.getFrom() != m.getFrom() || !b.getContext().isEmpty()
        || !m.getContext().isEmpty()) {
      return false;
    }
    int n = b.getEntriesCount();
    long lastIndex = n == 0 ? b.getIndex() : b.getEntries(n - 1).getIndex();
    long lastTerm = n == 0 ? b.getLogTerm() : b.getEntries(n - 1).getTerm();
    return m.getIndex() == lastIndex && m.getLogTerm() == lastTerm;
  }

  private static long size(List<Entry> entries) {
    long s = 0;
    for (Entry e : entries) {
      s += e.getSerializedSize();
    }
    return s;
  }
}
