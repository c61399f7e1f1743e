package dev.outpost.gateway.proxy;

import io.vertx.core.Future;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.HttpClientResponse;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.util.function.BooleanSupplier;

/**
 * The upstream request as vertx-http-proxy holds it, ignoring {@code reset} once {@code resetAllowed}
 * says no, telling {@code clientFailed} before a reset for the client's side that it lets through,
 * and {@code ended} when the proxy ends it (its whole body has been handed to it). The proxy resets
 * with the failure ({@code reset(0, cause)}) when the client's response fails, and without one when
 * a pipe of its own failed (the integration's side, as often as not).
 * The proxy resets the upstream request when the client's side fails (the client left). Vert.x
 * closes the connection when a request whose response has arrived in full is reset, and the pool may
 * by then have handed that connection to another exchange, whose request would fail with it.
 * Its response is seen through {@link CacheHeadersHidden}. Everything else goes to the request itself.
 * A JDK dynamic proxy: of the some seventy methods of {@link HttpClientRequest} only {@code reset},
 * {@code end} and {@code response} need a word (vertx-http-proxy ends the request it pipes the body
 * into; it does not call {@code send}).
 */
final class ResetGuardedRequest implements InvocationHandler {

  private final HttpClientRequest request;
  private final BooleanSupplier resetAllowed;
  private final Runnable clientFailed;
  private final Runnable ended;

  private ResetGuardedRequest(HttpClientRequest request, BooleanSupplier resetAllowed, Runnable clientFailed,
      Runnable ended) {
    this.request = request;
    this.resetAllowed = resetAllowed;
    this.clientFailed = clientFailed;
    this.ended = ended;
  }

  static HttpClientRequest of(HttpClientRequest request, BooleanSupplier resetAllowed, Runnable clientFailed,
      Runnable ended) {
    return (HttpClientRequest) Proxy.newProxyInstance(ResetGuardedRequest.class.getClassLoader(),
        new Class<?>[] {HttpClientRequest.class}, new ResetGuardedRequest(request, resetAllowed, clientFailed, ended));
  }

  @Override
  @SuppressWarnings("unchecked")
  public Object invoke(Object self, Method method, Object[] args) throws Throwable {
    String name = method.getName();
    if (name.equals("reset")) {
      if (!resetAllowed.getAsBoolean()) {
        return false;
      }
      if (args != null && args.length == 2) {
        clientFailed.run();
      }
    }
    if (name.equals("end")) {
      ended.run();
    }
    try {
      Object result = method.invoke(request, args);
      if (name.equals("response") && args == null) {
        return ((Future<HttpClientResponse>) result).map(CacheHeadersHidden::of);
      }
      // the fluent methods answer the request itself: the caller keeps talking to this view
      return result == request ? self : result;
    } catch (InvocationTargetException e) {
      throw e.getCause();
    }
  }
}
