package dev.outpost.gateway.proxy;

import io.vertx.core.http.HttpClientResponse;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;

/**
 * An upstream response whose {@code getHeader("Cache-Control")} answers null, as vertx-http-proxy
 * sees it. The proxy parses that header and {@code Expires} for a cache the gateway does not use, and
 * throws on values HTTP allows (RFC 9111: {@code max-age=2147483648} is to be read as 2^31,
 * {@code Expires: 0} as already expired; it ran {@code Integer.parseInt} and dereferenced a null
 * date): the client got 502 "could not be reached" for every such answer. The headers themselves,
 * read through {@code headers()}, reach the client unchanged. Everything else goes to the response.
 */
final class CacheHeadersHidden implements InvocationHandler {

  private final HttpClientResponse response;

  private CacheHeadersHidden(HttpClientResponse response) {
    this.response = response;
  }

  static HttpClientResponse of(HttpClientResponse response) {
    return (HttpClientResponse) Proxy.newProxyInstance(CacheHeadersHidden.class.getClassLoader(),
        new Class<?>[] {HttpClientResponse.class}, new CacheHeadersHidden(response));
  }

  @Override
  public Object invoke(Object self, Method method, Object[] args) throws Throwable {
    if (method.getName().equals("getHeader") && args.length == 1 && args[0] != null
        && "cache-control".equalsIgnoreCase(args[0].toString())) {
      return null;
    }
    try {
      Object result = method.invoke(response, args);
      // the fluent methods (handlers, pause, fetch) answer the response itself
      return result == response ? self : result;
    } catch (InvocationTargetException e) {
      throw e.getCause();
    }
  }
}
