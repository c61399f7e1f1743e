package dev.outpost.agent.status;

import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Flow;

/**
 * A response body read into a byte array up to a limit: past it the exchange is cancelled and the
 * body fails, so an answer that never ends costs at most {@code max} bytes of heap.
 */
final class LimitedBody implements HttpResponse.BodySubscriber<byte[]> {
  private final HttpResponse.BodySubscriber<byte[]> whole = HttpResponse.BodySubscribers.ofByteArray();
  private final long max;
  private Flow.Subscription subscription;
  private long received;
  private boolean refused;

  LimitedBody(long max) {
    this.max = max;
  }

  @Override
  public void onSubscribe(Flow.Subscription subscription) {
    this.subscription = subscription;
    whole.onSubscribe(subscription);
  }

  @Override
  public void onNext(List<ByteBuffer> items) {
    if (refused) {
      return;
    }
    for (ByteBuffer item : items) {
      received += item.remaining();
    }
    if (received > max) {
      refused = true;
      subscription.cancel();
      whole.onError(new IOException("answer larger than " + max + " bytes"));
      return;
    }
    whole.onNext(items);
  }

  @Override
  public void onError(Throwable throwable) {
    if (!refused) {
      whole.onError(throwable);
    }
  }

  @Override
  public void onComplete() {
    if (!refused) {
      whole.onComplete();
    }
  }

  @Override
  public CompletionStage<byte[]> getBody() {
    return whole.getBody();
  }
}
