package dev.outpost.gateway.ratelimit;

import com.hazelcast.core.HazelcastInstance;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Liveness;

/**
 * Down when this replica's Hazelcast member has shut down while the gateway runs on (Hazelcast's
 * out-of-memory handler shuts the member down, not the process): its limits then count nothing, and
 * only a restart brings the member back. Up with Hazelcast disabled, and before the member starts.
 */
@Liveness
@ApplicationScoped
public class RateLimitMemberLiveness implements HealthCheck {

  private final RateLimiters limiters;

  RateLimitMemberLiveness(RateLimiters limiters) {
    this.limiters = limiters;
  }

  @Override
  public HealthCheckResponse call() {
    return of(limiters.member());
  }

  static HealthCheckResponse of(HazelcastInstance member) {
    return HealthCheckResponse.named("rate-limit-member")
        .status(member == null || member.getLifecycleService().isRunning())
        .build();
  }
}
