package dev.outpost.gateway.telemetry;

import io.vertx.core.AsyncResult;
import io.vertx.ext.web.RoutingContext;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * The end of an exchange, told once to each of its listeners (the server span, the access record).
 * Vert.x-web's end handlers tell most ends, but none when the proxy cut a response it had begun to
 * send: the proxy resets the client's response, which marks it closed before its connection closes,
 * and the close then calls no handler. So those exchanges were neither logged nor traced. The proxy
 * tells them here instead ({@link #cut}).
 */
public final class ExchangeEnd {

  /**
   * How an exchange ended.
   *
   * @param status the status the client was answered, 499 when it left before any
   * @param cut who cut the response after it had begun, null when it was not cut
   */
  public record Outcome(int status, ResponseCut cut) {}

  private static final String KEY = "outpost.exchangeEnd";

  private final List<Consumer<Outcome>> listeners = new ArrayList<>(2);
  private boolean told;

  private ExchangeEnd() {}

  /** Calls {@code listener} once when the exchange ends; listeners are called in reverse order of registration. */
  static void onEnd(RoutingContext ctx, Consumer<Outcome> listener) {
    ExchangeEnd end = ctx.get(KEY);
    if (end == null) {
      end = new ExchangeEnd();
      ctx.put(KEY, end);
      ExchangeEnd registered = end;
      ctx.addEndHandler(result -> registered.tell(outcome(ctx, result)));
    }
    end.listeners.add(listener);
  }

  /**
   * The proxy cut the exchange: ends it, unless it has ended already, with {@code status} and who
   * cut it ({@code by}, null when the client left before any answer).
   */
  public static void cut(RoutingContext ctx, int status, ResponseCut by) {
    ExchangeEnd end = ctx.get(KEY);
    if (end != null) {
      end.tell(new Outcome(status, by));
    }
  }

  private void tell(Outcome outcome) {
    if (told) {
      return;
    }
    told = true;
    for (int i = listeners.size() - 1; i >= 0; i--) {
      listeners.get(i).accept(outcome);
    }
  }

  /**
   * The outcome Vert.x-web tells: 499 (nginx's "client closed request") when the client left before
   * any answer was sent, which is neither the gateway's nor the integration's failure; a cut by the
   * client when it left after the head.
   */
  private static Outcome outcome(RoutingContext ctx, AsyncResult<Void> end) {
    if (end.succeeded()) {
      return new Outcome(ctx.response().getStatusCode(), null);
    }
    return ctx.response().headWritten()
        ? new Outcome(ctx.response().getStatusCode(), ResponseCut.CLIENT)
        : new Outcome(ServerSpanHandler.CLIENT_CLOSED_REQUEST, null);
  }
}
