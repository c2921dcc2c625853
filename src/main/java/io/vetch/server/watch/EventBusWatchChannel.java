package io.vetch.server.watch;

import io.vetch.server.bus.ClientCall;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.EventBus;
import io.vertx.core.eventbus.MessageConsumer;
import java.util.function.Consumer;

/**
 * A watch of the in-process client (embedding), over the event bus. The client listens on its own address and
 * sends requests to that address + {@code ".in"}: WatchRequests, {@code control: ack} with {@code n} (responses
 * it has handed to its application), {@code control: close}. Responses go to the client one WatchResponse a
 * message, at most {@link #WINDOW} not yet acknowledged; past that the channel counts as full, so a slow
 * application holds a bounded number of responses (its watchers catch up from the store later, as on gRPC).
 * The end is {@code control: end} with {@code status} and {@code message}.
 */
public final class EventBusWatchChannel implements WatchChannel {
  /** Responses sent and not yet acknowledged, at most. */
  public static final int WINDOW = 1024;
  public static final String CONTROL = "control";

  private final EventBus bus;
  private final String client;
  private final String token;
  private MessageConsumer<ClientCall> in;
  private int inFlight;
  private boolean full;

  /** client: the client's address; token: its auth token, or null. */
  public EventBusWatchChannel(EventBus bus, String client, String token) {
    this.bus = bus;
    this.client = client;
    this.token = token;
  }

  @Override
  public String token() {
    return token;
  }

  @Override
  public void start(Consumer<Buffer> requests, Consumer<String> malformed, Runnable onEnd, Runnable onClose,
      Runnable onDrain) {
    in = bus.localConsumer(client + ".in", m -> {
      String control = m.headers().get(CONTROL);
      if (control == null) {
        requests.accept(Buffer.buffer(m.body().body().toByteArray()));
      } else if (control.equals("ack")) {
        inFlight -= Integer.parseInt(m.headers().get("n"));
        if (full && inFlight <= WINDOW / 2) {
          full = false;
          onDrain.run();
        }
      } else if (control.equals("close")) {
        in.unregister();
        onClose.run();
      }
    });
  }

  @Override
  public void pauseRequests() {
    // requests are few and small (creates, cancels): they are not flow-controlled
  }

  @Override
  public void resumeRequests() {
  }

  @Override
  public void write(Buffer frames, int messages) {
    WatchChannel.forEachResponse(frames, r -> {
      bus.send(client, new ClientCall(r));
      inFlight++;
    });
  }

  @Override
  public boolean writeQueueFull() {
    if (inFlight >= WINDOW) {
      full = true;
    }
    return full;
  }

  @Override
  public void finish(int status, String message) {
    bus.send(client, new ClientCall(null), new DeliveryOptions().addHeader(CONTROL, "end")
        .addHeader("status", Integer.toString(status)).addHeader("message", message == null ? "" : message));
    if (in != null) {
      in.unregister();
    }
  }
}
