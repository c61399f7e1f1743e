package dev.outpost.observability.query;

import static org.assertj.core.api.Assertions.assertThat;

import dev.outpost.observability.store.AnswerMemory;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.ext.web.Router;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * An answer whose client left before it was begun gives its share back: the request's end handler,
 * added after the connection closed, was never called, and every such query kept up to a page of
 * the memory all answers share, until none was left.
 */
class QueryMemoryClientGoneTest {

  @Test
  void theShareOfAnAnswerWhoseClientLeftFirstIsGivenBack() throws Exception {
    QueryMemory memory = new QueryMemory(16 * QueryMemory.STEP);
    CompletableFuture<Long> heldAfter = new CompletableFuture<>();
    Vertx vertx = Vertx.vertx();
    try {
      Router router = Router.router(vertx);
      router.get("/query").handler(ctx -> ctx.request().connection().closeHandler(closed -> {
        // the query's answer begins after its client has gone
        AnswerMemory answer = memory.forAnswer(ctx);
        answer.grant(3 * QueryMemory.STEP);
        vertx.setTimer(200, t -> heldAfter.complete(memory.held()));
      }));
      HttpServer server = vertx.createHttpServer().requestHandler(router).listen(0).toCompletionStage()
          .toCompletableFuture().get(10, TimeUnit.SECONDS);
      try (Socket client = new Socket("127.0.0.1", server.actualPort())) {
        OutputStream out = client.getOutputStream();
        out.write("GET /query HTTP/1.1\r\nHost: api\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
        out.flush();
        Thread.sleep(200);
      }
      assertThat(heldAfter.get(10, TimeUnit.SECONDS)).isZero();
    } finally {
      vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }
  }
}
