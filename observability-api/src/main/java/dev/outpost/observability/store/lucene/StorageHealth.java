package dev.outpost.observability.store.lucene;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.util.List;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.HealthCheckResponseBuilder;
import org.eclipse.microprofile.health.Liveness;

/**
 * Not live while a daily partition's writer has failed for good: that day takes no more records,
 * and no checkpoint can commit, so the journal would grow until the disk is full. A restart (the
 * liveness probe's) opens the day's last commit and replays the journal over it.
 */
@Liveness
@ApplicationScoped
public class StorageHealth implements HealthCheck {

  @Inject LuceneStorage storage;

  @Override
  public HealthCheckResponse call() {
    List<String> failed = storage.failedPartitions();
    HealthCheckResponseBuilder response = HealthCheckResponse.named("storage").status(failed.isEmpty());
    if (!failed.isEmpty()) {
      response.withData("failedPartitions", String.join("; ", failed));
    }
    return response.build();
  }
}
