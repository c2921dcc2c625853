package io.vetch.v2;

/**
 * What a v2 operation did (etcd's v2store.Event), immutable: the action ({@link #GET} ... {@link #EXPIRE}), the node
 * after it and the node before it (null when there was none), the store index when it happened (the X-Etcd-Index
 * header), and whether it was a TTL refresh (kept in the event history, where watchers do not see it; never shown).
 */
public record V2Event(String action, V2NodeExtern node, V2NodeExtern prevNode, long etcdIndex, boolean refresh) {
  public static final String GET = "get";
  public static final String CREATE = "create";
  public static final String SET = "set";
  public static final String UPDATE = "update";
  public static final String DELETE = "delete";
  public static final String COMPARE_AND_SWAP = "compareAndSwap";
  public static final String COMPARE_AND_DELETE = "compareAndDelete";
  public static final String EXPIRE = "expire";

  /** The index of the change: the node's modifiedIndex. */
  public long index() {
    return node.modifiedIndex();
  }

  /** etcd's IsCreated: a create, or a set that found no node (etcd answers it with 201 Created). */
  public boolean isCreated() {
    return action.equals(CREATE) || action.equals(SET) && prevNode == null;
  }

  V2Event withEtcdIndex(long index) {
    return new V2Event(action, node, prevNode, index, refresh);
  }

  /**
   * The event as etcd's HTTP API writes it (json.Marshal of a copy of the event, which drops the refresh flag; no
   * trailing newline, etcd's answer adds one): {@code {"action":"set","node":{...},"prevNode":{...}}}.
   */
  public String toJson() {
    StringBuilder b = new StringBuilder(256).append("{\"action\":");
    GoJson.string(b, action);
    if (node != null) {
      node.json(b.append(",\"node\":"));
    }
    if (prevNode != null) {
      prevNode.json(b.append(",\"prevNode\":"));
    }
    return b.append('}').toString();
  }

  /**
   * The answer etcd gives for a write made with {@code noValueOnSuccess=true}: only the action for set,
   * compareAndSwap, create and update; the whole event otherwise.
   */
  public String toJsonNoValue() {
    return switch (action) {
      case SET, COMPARE_AND_SWAP, CREATE, UPDATE -> new V2Event(action, null, null, etcdIndex, false).toJson();
      default -> toJson();
    };
  }
}
