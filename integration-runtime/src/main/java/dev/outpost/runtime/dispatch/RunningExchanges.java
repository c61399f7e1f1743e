package dev.outpost.runtime.dispatch;

import io.vertx.core.http.HttpServerResponse;
import io.vertx.ext.web.RoutingContext;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.NamedNode;
import org.apache.camel.Route;
import org.apache.camel.component.platform.http.vertx.HttpMessage;
import org.apache.camel.spi.RoutePolicy;
import org.apache.camel.spi.RoutePolicyFactory;
import org.apache.camel.support.RoutePolicySupport;
import org.apache.camel.support.SynchronizationAdapter;

/**
 * Counts, per integration, the requests it is running: from the moment one is routed to it until
 * its exchange ends, also after its client was answered 504 (such an exchange runs on and keeps its
 * worker thread), or until it is answered when its exchange never began. {@link HttpDispatcher}
 * refuses new requests to an integration that runs {@code outpost.runtime.max-running-exchanges}
 * already, so one integration stuck on a backend cannot take every worker thread and stall the
 * others. Counting from the routing, not from the exchange's start, holds a burst to the bound
 * too: its requests wait for worker threads before their exchanges start. An exchange's end is
 * taken from the exchange itself, not from the route policy, which a route stopped meanwhile (an
 * upgrade) no longer calls.
 */
public final class RunningExchanges implements RoutePolicyFactory {

  private final ConcurrentMap<String, AtomicInteger> running = new ConcurrentHashMap<>();
  /** Requests routed whose exchange has not begun, by the response platform-http hands the exchange. */
  private final ConcurrentMap<HttpServerResponse, Admission> notBegun = new ConcurrentHashMap<>();

  /** One request's place in its integration's count, given back once. */
  private static final class Admission {
    private final AtomicInteger count;
    private boolean began;
    private boolean released;

    Admission(AtomicInteger count) {
      this.count = count;
    }

    synchronized boolean exchangeBegan() {
      began = !released;
      return began;
    }

    synchronized void answered() {
      if (!began) {
        release();
      }
    }

    synchronized void release() {
      if (!released) {
        released = true;
        count.decrementAndGet();
      }
    }
  }

  /**
   * Counts the request of {@code ctx} as one that {@code integration} runs, unless it runs {@code max}
   * already: then answers false and counts nothing. One step, so that requests on several event
   * loops cannot all pass the bound together.
   */
  boolean admit(RoutingContext ctx, String integration, int max) {
    AtomicInteger count = running.computeIfAbsent(integration, name -> new AtomicInteger());
    int now;
    do {
      now = count.get();
      if (now >= max) {
        return false;
      }
    } while (!count.compareAndSet(now, now + 1));
    Admission admission = new Admission(count);
    HttpServerResponse response = ctx.response();
    notBegun.put(response, admission);
    ctx.addEndHandler(done -> {
      notBegun.remove(response, admission);
      admission.answered();
    });
    return true;
  }

  @Override
  public RoutePolicy createRoutePolicy(CamelContext camelContext, String routeId, NamedNode node) {
    return AnsweredExchanges.isHttpRoute(node) ? new CountUntilDone() : null;
  }

  private final class CountUntilDone extends RoutePolicySupport {
    @Override
    public void onExchangeBegin(Route route, Exchange exchange) {
      if (!(exchange.getIn() instanceof HttpMessage message)) {
        return;
      }
      Admission admission = notBegun.remove(message.getResponse());
      if (admission != null && admission.exchangeBegan()) {
        exchange.getExchangeExtension().addOnCompletion(new SynchronizationAdapter() {
          @Override
          public void onDone(Exchange done) {
            admission.release();
          }
        });
      }
    }
  }
}
