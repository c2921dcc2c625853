package io.vetch.raft;

import io.vetch.api.raftpb.Entry;
import io.vetch.api.raftpb.HardState;
import io.vetch.api.raftpb.Message;
import io.vetch.api.raftpb.Snapshot;
import java.util.List;

/**
 * One batch of work from {@link RawNode#ready()}; immutable. The driver, in this order:
 * <ol>
 *   <li>if {@link #sendBeforePersist}, sends {@link #messages} right away;</li>
 *   <li>persists {@link #snapshot}, {@link #entries} and {@link #hardState} (one fsync when {@link #mustSync}),
 *       then installs them in its {@link MemoryStorage} (applySnapshot, append, setHardState);</li>
 *   <li>otherwise sends {@link #messages} now, after persisting (votes and acknowledgements promise durability);</li>
 *   <li>applies {@link #committedEntries} (all durable locally already); serves each of {@link #readStates}
 *       once its index is applied;</li>
 *   <li>calls {@link RawNode#advance}(this), which means "this Ready's entries are durable".</li>
 * </ol>
 */
public final class Ready {
  /** Leader and role, or null if unchanged since the previous Ready. */
  public final SoftState softState;
  /** Term, vote and commit to persist, or null if unchanged. */
  public final HardState hardState;
  /** Answered ReadIndex requests. */
  public final List<ReadState> readStates;
  /** Entries to append durably before advance; may overwrite a conflicting suffix of the stored log. */
  public final List<Entry> entries;
  /** Snapshot to persist and apply to the state machine, or null. */
  public final Snapshot snapshot;
  /** Entries to apply to the state machine, in order; already durable locally and committed cluster-wide. */
  public final List<Entry> committedEntries;
  /** Messages to peers. */
  public final List<Message> messages;
  /** Whether hardState/entries/snapshot need an fsync (false when only the commit index moved). */
  public final boolean mustSync;
  /** True when messages may go out before persisting (leader traffic only); otherwise only after. */
  public final boolean sendBeforePersist;

  Ready(SoftState softState, HardState hardState, List<ReadState> readStates, List<Entry> entries, Snapshot snapshot,
      List<Entry> committedEntries, List<Message> messages, boolean mustSync, boolean sendBeforePersist) {
    this.softState = softState;
    this.hardState = hardState;
    this.readStates = readStates;
    this.entries = entries;
    this.snapshot = snapshot;
    this.committedEntries = committedEntries;
    this.messages = messages;
    this.mustSync = mustSync;
    this.sendBeforePersist = sendBeforePersist;
  }

  @Override
  public String toString() {
    return "Ready{soft=" + softState + ", hard=" + (hardState == null ? null : hardState.toString().replace('\n', ' '))
        + ", entries=" + entries.size() + ", snapshot=" + (snapshot == null ? null : snapshot.getMetadata().getIndex())
        + ", committed=" + committedEntries.size() + ", messages=" + messages.size() + ", reads=" + readStates.size()
        + ", mustSync=" + mustSync + ", sendBeforePersist=" + sendBeforePersist + "}";
  }
}
