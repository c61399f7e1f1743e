package dev.outpost.gateway.support;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.channel.socket.DatagramChannel;
import io.netty.channel.socket.nio.NioDatagramChannel;
import io.netty.handler.codec.dns.DatagramDnsQuery;
import io.netty.handler.codec.dns.DatagramDnsQueryDecoder;
import io.netty.handler.codec.dns.DatagramDnsResponse;
import io.netty.handler.codec.dns.DatagramDnsResponseEncoder;
import io.netty.handler.codec.dns.DefaultDnsRawRecord;
import io.netty.handler.codec.dns.DnsQuestion;
import io.netty.handler.codec.dns.DnsRecordType;
import io.netty.handler.codec.dns.DnsResponseCode;
import io.netty.handler.codec.dns.DnsSection;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A DNS server on a loopback UDP port (Netty's DNS codec) standing in for a cluster's: every name
 * under {@code outpost.test} is {@code 127.0.0.1} (TTL 1 s), any other is NXDOMAIN. The answers for
 * a name {@link #hold held} wait until it is {@link #release released}: a DNS server that is slow.
 */
public final class DnsStub implements AutoCloseable {

  private static final String ZONE = ".outpost.test.";

  private final NioEventLoopGroup group = new NioEventLoopGroup(1);
  private final Channel channel;
  private final Set<String> held = ConcurrentHashMap.newKeySet();
  private final List<DatagramDnsQuery> waiting = new ArrayList<>();
  private final BlockingQueue<String> asked = new LinkedBlockingQueue<>();

  public DnsStub() throws InterruptedException {
    channel = new Bootstrap().group(group).channel(NioDatagramChannel.class)
        .handler(new ChannelInitializer<DatagramChannel>() {
          @Override
          protected void initChannel(DatagramChannel ch) {
            ch.pipeline().addLast(new DatagramDnsQueryDecoder(), new DatagramDnsResponseEncoder(), new Answerer());
          }
        })
        .bind("127.0.0.1", 0).sync().channel();
  }

  /** {@code 127.0.0.1:<port>}, as Vert.x's resolver takes a server. */
  public String address() {
    return "127.0.0.1:" + ((InetSocketAddress) channel.localAddress()).getPort();
  }

  /** Holds back the answers for {@code name} (without the trailing dot) until {@link #release}. */
  public void hold(String name) {
    held.add(name + ".");
  }

  /** Answers what was held for {@code name}, and answers it at once from now on. */
  public void release(String name) {
    channel.eventLoop().execute(() -> {
      held.remove(name + ".");
      List<DatagramDnsQuery> due = new ArrayList<>(waiting);
      waiting.clear();
      for (DatagramDnsQuery query : due) {
        answer(query);
        query.release();
      }
    });
  }

  /** Waits up to {@code millis} for a query for {@code name} (without the trailing dot); whether one came. */
  public boolean asked(String name, long millis) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(millis);
    for (String next; (next = asked.poll(deadline - System.nanoTime(), TimeUnit.NANOSECONDS)) != null; ) {
      if (next.equals(name + ".")) {
        return true;
      }
    }
    return false;
  }

  private final class Answerer extends SimpleChannelInboundHandler<DatagramDnsQuery> {
    @Override
    protected void channelRead0(ChannelHandlerContext ctx, DatagramDnsQuery query) {
      String name = query.<DnsQuestion>recordAt(DnsSection.QUESTION).name();
      asked.add(name);
      if (held.contains(name)) {
        waiting.add(query.retain());
        return;
      }
      answer(query);
    }
  }

  private void answer(DatagramDnsQuery query) {
    DnsQuestion question = query.recordAt(DnsSection.QUESTION);
    DatagramDnsResponse response = new DatagramDnsResponse(query.recipient(), query.sender(), query.id());
    response.addRecord(DnsSection.QUESTION, question);
    if (!question.name().endsWith(ZONE)) {
      response.setCode(DnsResponseCode.NXDOMAIN);
    } else if (question.type() == DnsRecordType.A) {
      response.addRecord(DnsSection.ANSWER, new DefaultDnsRawRecord(question.name(), DnsRecordType.A, 1,
          Unpooled.wrappedBuffer(new byte[] {127, 0, 0, 1})));
    } // any other type of a name in the zone: no records
    channel.writeAndFlush(response);
  }

  @Override
  public void close() {
    channel.close().syncUninterruptibly();
    group.shutdownGracefully(0, 1, TimeUnit.SECONDS);
  }
}
