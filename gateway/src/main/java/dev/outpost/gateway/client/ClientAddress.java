package dev.outpost.gateway.client;

import dev.outpost.gateway.config.GatewayConfig;
import io.netty.handler.ipfilter.IpFilterRuleType;
import io.netty.handler.ipfilter.IpSubnetFilterRule;
import io.netty.util.NetUtil;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.net.SocketAddress;
import io.vertx.ext.web.RoutingContext;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;

/**
 * The address a request's client has: the connection's peer, unless that peer is one of the
 * configured trusted proxies (an ingress, a load balancer). Then it is the right-most address of
 * {@code X-Forwarded-For} that is not a trusted proxy, as nginx's {@code real_ip_recursive} and
 * Kong's {@code trusted_ips} find it: every hop left of it was written by someone the gateway does
 * not trust, so the left-most, which any client can write, is never taken when a hop follows it. A
 * hop that is not an IP address ends the walk at the last trusted one. Rate limits by client IP,
 * access records, spans and the forwarded headers all use this one address.
 */
@Singleton
public class ClientAddress {

  private static final String KEY = "outpost.client-address";

  private final List<IpSubnetFilterRule> trusted;

  @Inject
  ClientAddress(GatewayConfig config) {
    this(config.trustedProxies().orElse(List.of()));
  }

  ClientAddress(List<String> trustedProxies) {
    this.trusted = trustedProxies.stream().map(ClientAddress::rule).toList();
  }

  /** The client's address, found once per request. */
  public String of(RoutingContext ctx) {
    String address = ctx.get(KEY);
    if (address == null) {
      address = resolve(ctx.request());
      ctx.put(KEY, address);
    }
    return address;
  }

  /**
   * What the upstream is told of where a request came from.
   *
   * @param client the client's address ({@link #of})
   * @param chain {@code X-Forwarded-For}: the chain the trusted proxy sent with the peer after it, or
   *     the peer alone (what a client sent is not passed on)
   * @param viaTrustedProxy whether the peer is a trusted proxy, whose forwarded scheme and host are believed too
   */
  public record Forwarding(String client, String chain, boolean viaTrustedProxy) {}

  /** The request's {@link Forwarding}, its peer read and checked once. */
  public Forwarding forwarding(RoutingContext ctx) {
    String peer = peer(ctx.request());
    if (!isTrusted(peer)) {
      return new Forwarding(of(ctx), peer, false);
    }
    List<String> hops = hops(ctx.request());
    return new Forwarding(of(ctx), hops.isEmpty() ? peer : String.join(", ", hops) + ", " + peer, true);
  }

  String resolve(HttpServerRequest request) {
    String address = peer(request);
    if (!isTrusted(address)) {
      return address;
    }
    List<String> hops = hops(request);
    for (int i = hops.size() - 1; i >= 0; i--) {
      InetAddress hop = literal(hops.get(i));
      if (hop == null) {
        return address;
      }
      address = hop.getHostAddress();
      if (!isTrusted(hop)) {
        return address;
      }
    }
    return address;
  }

  /**
   * Checks one {@code address} or {@code address/prefix}, IPv4 or IPv6, and makes its rule; an
   * {@link IllegalArgumentException} names what is wrong. Host names are refused: no DNS at start.
   */
  public static IpSubnetFilterRule rule(String cidr) {
    String text = cidr.trim();
    int slash = text.indexOf('/');
    InetAddress ip = literal(slash < 0 ? text : text.substring(0, slash));
    if (ip == null) {
      throw new IllegalArgumentException("'" + cidr + "' is not an IP address or CIDR range");
    }
    int bits = ip.getAddress().length * 8;
    int prefix;
    try {
      prefix = slash < 0 ? bits : Integer.parseInt(text.substring(slash + 1));
    } catch (NumberFormatException e) {
      prefix = -1;
    }
    if (prefix < 0 || prefix > bits) {
      throw new IllegalArgumentException("'" + cidr + "' has a prefix outside 0-" + bits);
    }
    return new IpSubnetFilterRule(ip, prefix, IpFilterRuleType.ACCEPT);
  }

  private boolean isTrusted(String address) {
    return !trusted.isEmpty() && isTrusted(literal(address));
  }

  private boolean isTrusted(InetAddress address) {
    if (address == null) {
      return false;
    }
    InetSocketAddress socket = new InetSocketAddress(address, 0);
    for (IpSubnetFilterRule rule : trusted) {
      if (rule.matches(socket)) {
        return true;
      }
    }
    return false;
  }

  private static String peer(HttpServerRequest request) {
    SocketAddress remote = request.remoteAddress();
    return remote == null ? "unknown" : remote.hostAddress();
  }

  /** Every X-Forwarded-For hop, in order, across repeated headers. */
  private static List<String> hops(HttpServerRequest request) {
    List<String> hops = new ArrayList<>();
    for (String header : request.headers().getAll("X-Forwarded-For")) {
      for (String hop : header.split(",")) {
        if (!hop.isBlank()) {
          hops.add(hop.trim());
        }
      }
    }
    return hops;
  }

  /** The text as an IP address, or null when it is not one (a name, {@code unknown}, a port); never DNS. */
  private static InetAddress literal(String text) {
    byte[] bytes = NetUtil.createByteArrayFromIpAddressString(text);
    if (bytes == null) {
      return null;
    }
    try {
      return InetAddress.getByAddress(bytes);
    } catch (UnknownHostException e) {
      return null;
    }
  }
}
