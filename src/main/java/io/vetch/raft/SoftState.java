package io.vetch.raft;

/** Volatile state that need not be persisted: the known leader (0 if none) and this member's role. */
public record SoftState(long lead, StateType state) {
  // equals and hashCode written out: a record's own go through invokedynamic, which C1 does not inline, and
  // RawNode compares soft states at every event.
  @Override
  public boolean equals(Object o) {
    return o instanceof SoftState s && s.lead == lead && s.state == state;
  }

  @Override
  public int hashCode() {
    return Long.hashCode(lead) * 31 + state.hashCode();
  }
}
